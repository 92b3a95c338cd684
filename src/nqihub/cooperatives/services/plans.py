"""Quality-control plans: checkpoints by stage and their check items."""

from django.db import transaction
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import IllegalTransition
from nqihub.core.policy import require
from nqihub.standards.requirements import parse_requirement

from ..models import CheckItem, Checkpoint, Cooperative, InspectionResult, QcPlan, Stage
from ._common import _clean, _raise, is_staff_of

# --- quality-control plans -------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, cooperative: Cooperative, name: str, product: str = "", by, is_demo: bool = False
) -> QcPlan:
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以制定质量控制计划。"))
    errors: dict[str, str] = {}
    name = _clean(name, 200, "name", _("计划名称"), errors, required=True)
    product = _clean(product, 200, "product", _("适用产品"), errors)
    _raise(errors)
    plan = QcPlan.objects.create(cooperative=cooperative, name=name, product=product, is_demo=is_demo)
    audit.record(by, "cooperatives.plan.created", plan, {"cooperative": cooperative.pk})
    return plan


@transaction.atomic
def plan_set_active(*, plan: QcPlan, is_active: bool, by) -> QcPlan:
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    QcPlan.objects.filter(pk=plan.pk).update(is_active=bool(is_active))
    plan.is_active = bool(is_active)
    audit.record(by, "cooperatives.plan.activated" if is_active else "cooperatives.plan.deactivated", plan)
    return plan


@transaction.atomic
def checkpoint_add(*, plan: QcPlan, stage: str, name: str, by) -> Checkpoint:
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    errors: dict[str, str] = {}
    if stage not in Stage.values:
        errors["stage"] = _("请选择环节：进货验收、过程控制或出货检验。")
    name = _clean(name, 200, "name", _("检查点名称"), errors, required=True)
    _raise(errors)
    position = plan.checkpoints.count()
    checkpoint = Checkpoint.objects.create(plan=plan, stage=stage, name=name, position=position)
    audit.record(by, "cooperatives.checkpoint.created", checkpoint, {"plan": plan.pk, "stage": stage})
    return checkpoint


def validate_item(*, name: str, kind: str, requirement: str = "", unit: str = "", basis: str = "") -> dict:
    errors: dict[str, str] = {}
    cleaned = {
        "name": _clean(name, 200, "name", _("检查项目名称"), errors, required=True),
        "kind": kind,
        "requirement": _clean(requirement, 200, "requirement", _("要求"), errors),
        "unit": _clean(unit, 32, "unit", _("单位"), errors),
        "basis": _clean(basis, 200, "basis", _("依据"), errors),
    }
    if kind not in CheckItem.Kind.values:
        errors["kind"] = _("请选择判定方式：合格/不合格，或实测值对照要求。")
    elif kind == CheckItem.Kind.MEASURED and "requirement" not in errors:
        if not cleaned["requirement"]:
            errors["requirement"] = _("实测项目须填写要求，如 ≤75、4.0~8.5、≥3-4级。")
        else:
            try:
                parse_requirement(cleaned["requirement"], cleaned["unit"] or None)
            except ValueError as exc:
                errors["requirement"] = _("无法识别的要求“%(r)s”：%(reason)s") % {
                    "r": cleaned["requirement"],
                    "reason": exc,
                }
    _raise(errors)
    return cleaned


@transaction.atomic
def item_add(*, checkpoint: Checkpoint, by, **data) -> CheckItem:
    require(is_staff_of(by, checkpoint.plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    cleaned = validate_item(**data)
    item = CheckItem.objects.create(checkpoint=checkpoint, position=checkpoint.items.count(), **cleaned)
    audit.record(by, "cooperatives.check_item.created", item, {"checkpoint": checkpoint.pk, **cleaned})
    return item


@transaction.atomic
def item_delete(*, item: CheckItem, by) -> None:
    require(is_staff_of(by, item.checkpoint.plan.cooperative), _("只有合作社管理员可以修改质量控制计划。"))
    if InspectionResult.objects.filter(item=item).exists():
        raise IllegalTransition(_("该检查项目已有检验记录，不能删除；可停用整个计划后另建新计划。"))
    audit.record(by, "cooperatives.check_item.deleted", item, {"checkpoint": item.checkpoint_id})
    item.delete()
