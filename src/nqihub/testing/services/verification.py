"""Public verification of a report by its number and check code."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Report
from .codes import normalise_check_code


@dataclass(frozen=True)
class VerifyResult:
    genuine: bool
    reason: str = ""
    report: Report | None = None


def verify(number: str, code: str) -> VerifyResult:
    """The genuine report with this number and check code, or why not (unknown number and wrong code
    say the same, so that a number cannot be confirmed without its code)."""
    number = " ".join((number or "").split())[:64]
    code = normalise_check_code(code)[:16]
    if not number or not code:
        return VerifyResult(False, _("请输入报告编号和防伪校验码。"))
    report = (
        Report.objects.select_related("order__enterprise", "lab", "replaced_by").filter(number=number).first()
    )
    if report is None or not secrets.compare_digest(report.check_code, code):
        return VerifyResult(
            False, _("查无此报告：报告编号或防伪校验码不正确，该报告不是本平台出具的有效报告。")
        )
    return VerifyResult(True, "", report)
