"""What a printed test report (检验检测报告) shows: plain, frozen data with no Django models in it.

The testing services build a ``ReportData`` from an issued order (``pdf.render_report_pdf`` turns it into
the PDF); keeping the two apart lets the renderer be tested and measured without a database, and makes
the PDF a pure function of these facts, so that an issued report can be rendered again identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

#: The verdicts one item can carry (``nqihub.standards.requirements.evaluate``).
VERDICT_PASS = "合格"
VERDICT_FAIL = "不合格"
VERDICT_NONE = "不判定"
VERDICTS = (VERDICT_PASS, VERDICT_FAIL, VERDICT_NONE)

#: The three sign-off roles, in the order they sign.
SIGNATURE_ROLES = ("检测", "审核", "批准")


@dataclass(frozen=True)
class ReportItem:
    """One row of the results table."""

    seq: int
    parameter: str
    method_standard: str
    requirement: str
    unit: str
    result: str
    verdict: str  # 合格 / 不合格 / 不判定
    basis: str = (
        ""  # where the requirement comes from, e.g. a cooperative's stricter limit ("" on old reports)
    )


@dataclass(frozen=True)
class Signature:
    role: str  # 检测 / 审核 / 批准
    name: str
    signed_at: datetime


@dataclass(frozen=True)
class ReportData:
    number: str
    check_code: str
    revision: int
    replaces_number: str  # "" when not a revision
    issued_on: date
    lab_name: str
    lab_address: str
    lab_phone: str
    qualifications: list[tuple[str, str]]  # (kind label e.g. "CMA", number)
    client_name: str
    client_address: str
    product_name: str
    model_spec: str
    batch: str
    quantity: str
    received_on: date | None
    sample_condition: str
    test_kind: str  # e.g. 委托检验
    product_standard: str  # product standard number or ""
    items: list[ReportItem]
    conclusion: str
    remarks: str
    signatures: list[Signature]
    verify_url: str  # absolute URL the QR code encodes
    is_demo: bool = False

    def signature(self, role: str) -> Signature | None:
        """The signature of ``role`` (检测 / 审核 / 批准), or None."""
        return next((s for s in self.signatures if s.role == role), None)

    @property
    def verdict_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for item in self.items:
            counts[item.verdict] = counts.get(item.verdict, 0) + 1
        return counts
