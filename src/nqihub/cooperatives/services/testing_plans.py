"""The yearly free testing plan: lines, the lab, and the test orders made from it."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import IllegalTransition, ValidationFailed
from nqihub.core.policy import require
from nqihub.directory.models import Institution
from nqihub.notifications.services import notify
from nqihub.standards.requirements import parse_requirement

from ..models import CheckItem, Cooperative, Member, MemberStatus, Stage, TestingPlan, TestingPlanLine
from ._common import _clean, _lock, _raise, enterprise_users, is_staff_of

MAX_ITEMS_PER_LINE = 30


# --- the yearly free testing plan ------------------------------------------------------------------------


@transaction.atomic
def testing_plan_create(
    *, cooperative: Cooperative, year, name: str, by, is_demo: bool = False
) -> TestingPlan:
    require(is_staff_of(by, cooperative), _("只有合作社管理员可以制定免费检测计划。"))
    errors: dict[str, str] = {}
    name = _clean(name, 200, "name", _("计划名称"), errors, required=True)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    this_year = timezone.localdate().year
    if year is None or not (2000 <= year <= this_year + 1):
        errors["year"] = _("年度应在 2000 到 %(y)d 之间。") % {"y": this_year + 1}
    _raise(errors)
    plan = TestingPlan.objects.create(cooperative=cooperative, year=year, name=name, is_demo=is_demo)
    audit.record(by, "cooperatives.testing_plan.created", plan, {"year": year})
    return plan


def _lock_plan(plan: TestingPlan) -> TestingPlan:
    return _lock(plan, "cooperative__organisation", "lab")


def _require_draft(plan: TestingPlan) -> None:
    if plan.status != TestingPlan.Status.DRAFT:
        raise IllegalTransition(_("该计划已下达委托，不能再修改。"), field="status")


def _lock_draft(plan: TestingPlan, by) -> TestingPlan:
    """The plan locked, for its staff to change while it is a draft."""
    plan = _lock_plan(plan)
    require(is_staff_of(by, plan.cooperative), _("只有合作社管理员可以修改免费检测计划。"))
    _require_draft(plan)
    return plan


#: The checkpoints whose measured items a sample of each kind is tested against: raw materials at intake,
#: finished goods at the process and outgoing checks.
KIND_STAGES = {
    TestingPlanLine.SampleKind.MATERIAL: (Stage.INCOMING,),
    TestingPlanLine.SampleKind.PRODUCT: (Stage.PROCESS, Stage.OUTGOING),
}


def _own_parameter(name: str) -> str:
    """The test parameter a check item names: ``甲醛含量（抽检）`` is the parameter ``甲醛含量``."""
    name = " ".join(name.split())
    for opening, closing in (("（", "）"), ("(", ")")):
        if name.endswith(closing) and opening in name:
            name = name[: name.rindex(opening)].strip() or name
    return name


def own_limits(cooperative: Cooperative, sample_kind: str) -> list[dict]:
    """The cooperative's own limits for a sample of ``sample_kind``: the measured items (with a requirement)
    of its active quality-control plans, as plan-line items, each naming its basis. Often stricter than the
    national standard; the first plan and checkpoint naming a parameter wins."""
    rows = (
        CheckItem.objects.filter(
            checkpoint__plan__cooperative=cooperative,
            checkpoint__plan__is_active=True,
            checkpoint__stage__in=KIND_STAGES.get(sample_kind, ()),
            kind=CheckItem.Kind.MEASURED,
        )
        .exclude(requirement="")
        .select_related("checkpoint__plan")
        .order_by("checkpoint__plan__name", "checkpoint__plan_id", "checkpoint__position", "position", "id")
    )
    limits: dict[str, dict] = {}
    for row in rows[:200]:
        parameter = _own_parameter(row.name)[:100]
        limits.setdefault(
            parameter,
            {
                "parameter": parameter,
                "method_standard": "",
                "requirement": row.requirement,
                "unit": row.unit,
                "basis": (
                    row.basis
                    or _("%(coop)s《%(plan)s》")
                    % {
                        "coop": cooperative.name,
                        "plan": row.checkpoint.plan.name,
                    }
                )[:200],
            },
        )
    return list(limits.values())[:MAX_ITEMS_PER_LINE]


def with_own_limits(items: list[dict], limits: list[dict]) -> list[dict]:
    """``items`` with the cooperative's own limit filled in where an item names none, and the basis kept
    where the item's requirement is the cooperative's."""
    by_parameter = {limit["parameter"]: limit for limit in limits}
    filled = []
    for item in items:
        limit = by_parameter.get(item["parameter"])
        if limit is not None and not item["requirement"]:
            item = {**item, "requirement": limit["requirement"], "unit": item["unit"] or limit["unit"]}
        basis = limit["basis"] if limit is not None and item["requirement"] == limit["requirement"] else ""
        filled.append({**item, "basis": basis})
    return filled


def clean_items(items) -> list[dict]:
    errors: dict[str, str] = {}
    cleaned: list[dict] = []
    seen: set[str] = set()
    for index, raw in enumerate(items or [], start=1):
        if not isinstance(raw, dict):
            errors[f"items.{index}"] = _("第%(n)d个检测项目格式不正确。") % {"n": index}
            continue
        parameter = " ".join(str(raw.get("parameter") or "").split())
        requirement = " ".join(str(raw.get("requirement") or "").split())
        unit = " ".join(str(raw.get("unit") or "").split())
        method = " ".join(str(raw.get("method_standard") or "").split())
        if not parameter:
            continue
        if parameter in seen:
            errors[f"items.{index}"] = _("检测项目“%(p)s”重复。") % {"p": parameter}
            continue
        seen.add(parameter)
        if len(parameter) > 100 or len(requirement) > 200 or len(unit) > 32 or len(method) > 200:
            errors[f"items.{index}"] = _("第%(n)d个检测项目的内容过长。") % {"n": index}
            continue
        if requirement:
            try:
                parse_requirement(requirement, unit or None)
            except ValueError as exc:
                errors[f"items.{index}"] = _("“%(p)s”的要求“%(r)s”无法识别：%(reason)s") % {
                    "p": parameter,
                    "r": requirement,
                    "reason": exc,
                }
                continue
        cleaned.append(
            {"parameter": parameter, "method_standard": method, "requirement": requirement, "unit": unit}
        )
    if not cleaned and not errors:
        errors["items"] = _("请至少选择一个检测项目。")
    elif len(cleaned) > MAX_ITEMS_PER_LINE:
        errors["items"] = _("每个样品最多 %(n)d 个检测项目。") % {"n": MAX_ITEMS_PER_LINE}
    _raise(errors)
    return cleaned


@transaction.atomic
def testing_plan_add_line(
    *, plan: TestingPlan, member: Member, sample_kind: str, product_name: str, items, by
) -> TestingPlanLine:
    plan = _lock_draft(plan, by)
    errors: dict[str, str] = {}
    if member.cooperative_id != plan.cooperative_id or member.status != MemberStatus.ACTIVE:
        errors["member"] = _("请选择本合作社的在社成员。")
    if sample_kind not in TestingPlanLine.SampleKind.values:
        errors["sample_kind"] = _("请选择样品类别：原辅材料或成品。")
    product_name = _clean(product_name, 200, "product_name", _("样品名称"), errors, required=True)
    limits = own_limits(plan.cooperative, sample_kind) if not errors.get("sample_kind") else []
    try:
        # No items named: the cooperative's own limits for the kind of sample are the items.
        items = with_own_limits(clean_items(items or limits), limits)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    _raise(errors)
    line = TestingPlanLine.objects.create(
        plan=plan, member=member, sample_kind=sample_kind, product_name=product_name, items=items
    )
    # The chosen lab stays while it covers the new sample's items too; only a lab that cannot test them is
    # let go (the plan then asks for a lab again, and the page says why: ``line.lab_released``).
    line.lab_released = ""
    if plan.lab_id and uncovered(plan.lab, line.parameters()):
        line.lab_released = plan.lab.name
        plan.lab = None
        plan.save(update_fields=["lab"])
    audit.record(
        by,
        "cooperatives.testing_plan.line_added",
        plan,
        {"line": line.pk, "member": member.pk, "lab_released": bool(line.lab_released)},
    )
    return line


@transaction.atomic
def testing_plan_remove_line(*, line: TestingPlanLine, by) -> None:
    plan = _lock_draft(line.plan, by)
    audit.record(by, "cooperatives.testing_plan.line_removed", plan, {"line": line.pk})
    line.delete()


def plan_parameters(plan: TestingPlan) -> list[str]:
    seen: dict[str, None] = {}
    for line in plan.lines.all():
        for p in line.parameters():
            seen.setdefault(p, None)
    return list(seen)


def lab_lines(lab: Institution, parameters: list[str]) -> dict[str, object]:
    """For each parameter, the lab's scope line that covers it, or None — the directory's one lab-coverage
    rule (``directory.matching.coverage_q``), the same a test order is checked with."""
    from nqihub.directory.matching import lab_lines as matching_lab_lines

    return matching_lab_lines(lab, parameters)


def uncovered(lab: Institution, parameters: list[str]) -> list[str]:
    return [p for p, line in lab_lines(lab, parameters).items() if line is None]


@transaction.atomic
def testing_plan_set_lab(*, plan: TestingPlan, lab: Institution, by) -> TestingPlan:
    plan = _lock_draft(plan, by)
    if lab.kind != Institution.Kind.TESTING:
        raise ValidationFailed({"lab": _("请选择检验检测机构。")})
    missing = uncovered(lab, plan_parameters(plan))
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。")
                % {"lab": lab.name, "items": "、".join(missing)}
            }
        )
    plan.lab = lab
    plan.save(update_fields=["lab"])
    audit.record(by, "cooperatives.testing_plan.lab_chosen", plan, {"lab": lab.pk})
    return plan


def _package():
    """This services package: ``order_service`` is looked up on it, where tests patch it."""
    from nqihub.cooperatives import services

    return services


def order_service():
    """``testing.services.order_create`` once the testing app provides it, else None."""
    try:
        from nqihub.testing import services as testing_services
    except ImportError:
        return None
    return getattr(testing_services, "order_create", None)


@transaction.atomic
def testing_plan_order(*, plan: TestingPlan, by) -> list:
    """Create one test order per line at the plan's lab, all in one step: any error and none is made."""
    plan = _lock_plan(plan)
    coop = plan.cooperative
    require(is_staff_of(by, coop), _("只有合作社管理员可以下达检测委托。"))
    _require_draft(plan)
    create = _package().order_service()
    if create is None:
        raise IllegalTransition(_("检验检测模块尚未提供委托单功能，暂不能下达委托。"), field="status")
    lines = list(plan.lines.select_related("member__enterprise"))
    if not lines:
        raise ValidationFailed({"lines": _("计划中还没有样品。")})
    if plan.lab is None:
        raise ValidationFailed({"lab": _("请先选择检测机构。")})
    scope = lab_lines(plan.lab, plan_parameters(plan))
    missing = [p for p, line in scope.items() if line is None]
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。")
                % {"lab": plan.lab.name, "items": "、".join(missing)}
            }
        )
    orders = []
    for index, line in enumerate(lines, start=1):
        if line.member.status != MemberStatus.ACTIVE:
            raise ValidationFailed(
                {
                    "lines": _("第%(n)d行的 %(e)s 已不在合作社。")
                    % {"n": index, "e": line.member.enterprise.name}
                }
            )
        items = [
            {
                **item,
                "method_standard": item.get("method_standard")
                or getattr(scope[item["parameter"]], "method_standard", ""),
                # The limit travels with its basis: the order's item shows where it came from.
                "requirement_source": item.get("basis", "") if item.get("requirement") else "",
            }
            for item in line.items
        ]
        try:
            order = create(
                by=by,
                lab=plan.lab,
                enterprise=line.member.enterprise,
                product_name=line.product_name,
                items=items,
                cooperative=coop.organisation,
            )
        except ValidationFailed as exc:
            detail = "；".join(str(m) for m in exc.errors.values())
            raise ValidationFailed(
                {
                    "lines": _("第%(n)d行（%(e)s %(p)s）：%(detail)s")
                    % {"n": index, "e": line.member.enterprise.name, "p": line.product_name, "detail": detail}
                }
            ) from exc
        line.order_id = order.pk
        line.order_number = str(getattr(order, "number", "") or "")
        line.save(update_fields=["order", "order_number"])
        orders.append(order)
    plan.status = TestingPlan.Status.ORDERED
    plan.ordered_at = timezone.now()
    plan.ordered_by = by
    plan.save(update_fields=["status", "ordered_at", "ordered_by"])
    audit.record(
        by, "cooperatives.testing_plan.ordered", plan, {"lab": plan.lab_id, "orders": [o.pk for o in orders]}
    )
    by_member: dict[int, list[TestingPlanLine]] = {}
    for line in lines:
        by_member.setdefault(line.member_id, []).append(line)
    for member_lines in by_member.values():
        enterprise = member_lines[0].member.enterprise
        notify(
            users=enterprise_users(enterprise),
            event="cooperatives.testing_plan",
            title=_("%(coop)s 已为您安排免费检测（%(n)d个样品，%(lab)s）")
            % {"coop": coop.name, "n": len(member_lines), "lab": plan.lab.name},
            body="、".join(line.product_name for line in member_lines),
            url=reverse("cooperatives:testing-plan", args=[plan.pk]),
            obj=plan,
        )
    return orders
