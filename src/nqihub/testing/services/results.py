"""Results of the items: entered by hand or uploaded as a workbook; items the engine could not judge."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import IllegalTransition, PermissionDenied, ValidationFailed

from .. import states
from ..models import LabRole, OrderStatus, TestItem, TestOrder, Verdict
from .access import _lab_staff_required, _role_required, is_lab_staff
from .base import RESULT_MAX, Immutable
from .events import _apply, _lock, _record
from .judging import _judge_item, _judge_order


@transaction.atomic
def results_enter(*, order: TestOrder, by, results: dict) -> TestOrder:
    """Enter results ``{item id or seq: text}`` (a blank text clears one). All or nothing: one bad value
    and nothing is saved. Starts the testing when the samples were only received."""
    order = _lock(order)
    _lab_staff_required(order, by, _("录入检测结果"))
    _role_required(order, by, LabRole.Role.TESTER)
    if order.status == states.ISSUED:
        raise Immutable(_("报告已出具，检测结果不能修改；如需更正请修订报告。"))
    if order.status not in states.LAB_EDITABLE:
        raise IllegalTransition(
            _("委托单当前为“%(s)s”，不能录入结果。") % {"s": OrderStatus(order.status).label}, field="status"
        )
    if not isinstance(results, dict) or not results:
        raise ValidationFailed({"results": _("请至少填写一个检测结果。")})
    items = {i.pk: i for i in order.items.select_for_update()}
    by_seq = {i.seq: i for i in items.values()}
    errors: dict[str, str] = {}
    changes: list[tuple[TestItem, str]] = []
    for key, value in results.items():
        item = None
        if isinstance(key, str) and key.startswith("seq:") and key[4:].isdigit():
            item = by_seq.get(int(key[4:]))
        elif str(key).isdigit():
            item = items.get(int(key))
        if item is None:
            errors[f"results.{key}"] = _("委托单中没有这个检测项目。")
            continue
        text = " ".join(str(value if value is not None else "").split())
        if len(text) > RESULT_MAX:
            errors[f"results.{key}"] = _("“%(p)s”的结果不能超过%(n)d个字符。") % {
                "p": item.parameter,
                "n": RESULT_MAX,
            }
            continue
        changes.append((item, text))
    if errors:
        raise ValidationFailed(errors)
    if order.status == states.SAMPLE_RECEIVED:
        _apply(order, "start", by)
    now = timezone.now()
    changed = {}
    for item, text in changes:
        if item.result == text:
            continue
        item.result = text
        item.tested_by = by if text else None
        item.tested_at = now if text else None
        _judge_item(item)
        item.save()
        changed[item.seq] = text
    _judge_order(order)
    if changed:
        _record(
            order, by, "results_entered", _("录入 %(n)d 项结果") % {"n": len(changed)}, {"results": changed}
        )
    return order


def results_upload(*, order: TestOrder, by, fileobj) -> TestOrder:
    """Results from the XLSX workbook (``results_xlsx.results_template_xlsx``): every row checked first
    (``ValidationFailed`` per row), then all saved together."""
    from nqihub.core import imports

    from ..results_xlsx import _read, parse_results_xlsx

    if not is_lab_staff(by, order.lab):
        raise PermissionDenied(_("只有 %(lab)s 的人员可以录入检测结果。") % {"lab": order.lab.name})
    data = _read(fileobj)
    # Every row checked first, as every import does: a bad file is answered at once and recorded nowhere.
    parse_results_xlsx(data, list(order.items.order_by("seq").values_list("seq", "parameter")))
    # Recorded as an import job like every import, and run here: the lab sees the outcome at once.
    imports.run_now(
        "testing.results",
        by=by,
        data=data,
        filename=getattr(fileobj, "name", "") or "results.xlsx",
        scope={"order_id": order.pk},
        scope_label=str(order)[:200],
    )
    order.refresh_from_db()
    return order


@transaction.atomic
def unjudged_items(order: TestOrder) -> list[str]:
    """Items with a result the engine could not judge (``seq. parameter: result``): the tester is warned
    before signing, since the report's conclusion becomes 不判定 for them."""
    return [
        f"{seq}. {parameter}：{result}"
        for seq, parameter, result in order.items.exclude(result="")
        .filter(verdict=Verdict.NOT_JUDGED)
        .order_by("seq")
        .values_list("seq", "parameter", "result")
    ]
