"""Verdicts of the items (by the requirements engine) and the conclusion of the order."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nqihub.standards.requirements import evaluate

from ..models import Conclusion, TestItem, TestOrder, Verdict
from .base import TEXT_MAX


def _judge_item(item: TestItem) -> None:
    if not item.result:
        item.verdict = ""
        item.verdict_reason = ""
        return
    if not item.requirement:
        item.verdict = Verdict.NOT_JUDGED
        item.verdict_reason = _("未规定技术要求，仅报告实测值。")
        return
    verdict = evaluate(item.requirement, item.result, item.unit or None)
    item.verdict = verdict.verdict
    item.verdict_reason = verdict.reason[:TEXT_MAX]


def conclusion_of(verdicts: list[str]) -> str:
    """Any item failed → fail; every item passed → pass; otherwise (some not judged or missing) →
    undetermined. "" when there are no items."""
    if not verdicts:
        return ""
    if Verdict.FAIL in verdicts:
        return Conclusion.FAIL
    if all(v == Verdict.PASS for v in verdicts):
        return Conclusion.PASS
    return Conclusion.UNDETERMINED


def _judge_order(order: TestOrder) -> None:
    """The order's conclusion from its items' verdicts; blank while results are missing (unless an item
    has already failed)."""
    verdicts = list(order.items.values_list("verdict", flat=True))
    if verdicts and all(verdicts):
        conclusion = conclusion_of(verdicts)
    else:
        conclusion = Conclusion.FAIL if Verdict.FAIL in verdicts else ""
    if order.conclusion != conclusion:
        order.conclusion = conclusion
        order.save(update_fields=["conclusion", "updated_at"])


def conclusion_text(order: TestOrder, items: list[TestItem]) -> str:
    basis = order.product_standard_label
    failed = [i.parameter for i in items if i.verdict == Verdict.FAIL]
    if order.conclusion == Conclusion.PASS:
        if basis:
            return _("经检验，所检项目符合 %(b)s 的要求，判定为合格。") % {"b": basis}
        return _("经检验，所检项目均符合要求，判定为合格。")
    if order.conclusion == Conclusion.FAIL:
        return _("经检验，%(items)s 不符合要求，判定为不合格。") % {"items": "、".join(failed)}
    return _("经检验，部分项目未作判定，结论为不判定，详见检验结果。")
