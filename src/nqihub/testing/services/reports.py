"""The report: issued with a number, a check code and its facts and PDF frozen; revised by a new report
that supersedes the old one."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.errors import IllegalTransition, PermissionDenied
from nqihub.core.numbering import next_value
from nqihub.directory.models import Institution
from nqihub.standards.requirements import LABELS as VERDICT_LABELS

from .. import states
from ..models import Conclusion, LabRole, Report, SignLevel, TestOrder
from .access import _lab_staff_required, client_users, lab_roles, order_url
from .base import SIGN_PRINTED
from .codes import new_check_code, report_prefix
from .events import _apply, _lock, _notify, _reason, states_check
from .judging import conclusion_text
from .workflow import _signoffs


def verify_path(number: str, code: str) -> str:
    from urllib.parse import urlencode

    return "/testing/verify/?" + urlencode({"number": number, "code": code})


def public_base_url(base_url: str = "") -> str:
    """Where the public verification page lives: ``settings.PUBLIC_BASE_URL`` when set (what a QR code
    printed on paper must point to), else the base URL of the request that issues the report."""
    configured = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    return (configured or base_url or "http://127.0.0.1:8000").rstrip("/")


def _qualifications(lab: Institution) -> list[list[str]]:
    short = {"cma": "CMA", "cnas": "CNAS", "cal": _("计量授权"), "cb": "CNCA"}
    return [[str(short.get(q.kind, q.get_kind_display())), q.number] for q in lab.qualifications.all()]


def _snapshot(order: TestOrder, report: Report, replaces: Report | None, verify_url: str) -> dict:
    items = list(order.items.order_by("seq"))
    sample = order.samples.order_by("id").first()
    signed = _signoffs(order)
    signatures = [
        {
            "role": SIGN_PRINTED[level],
            "name": signed[level].name,
            "signed_at": signed[level].signed_at.isoformat(),
        }
        for level in (SignLevel.TEST, SignLevel.REVIEW, SignLevel.APPROVE)
        if level in signed
    ]
    return {
        "number": report.number,
        "check_code": report.check_code,
        "revision": report.revision,
        "replaces_number": replaces.number if replaces else "",
        "issued_on": timezone.localtime(report.issued_at).date().isoformat(),
        "lab_name": order.lab.name,
        "lab_address": order.lab.address,
        "lab_phone": order.lab.contact_phone,
        "qualifications": _qualifications(order.lab),
        "client_name": order.enterprise.name,
        "client_address": order.client_address,
        "product_name": order.product_name,
        "model_spec": sample.model_spec if sample else "",
        "batch": sample.batch if sample else "",
        "quantity": sample.quantity if sample else "",
        "received_on": sample.received_on.isoformat() if sample and sample.received_on else None,
        "sample_condition": sample.condition if sample else "",
        "test_kind": str(order.get_test_kind_display()),
        "product_standard": order.product_standard_label,
        "items": [
            {
                "seq": i.seq,
                "parameter": i.parameter,
                "method_standard": i.method_standard,
                "requirement": i.requirement,
                "basis": i.requirement_source,
                "unit": i.unit,
                "result": i.result,
                "verdict": VERDICT_LABELS.get(i.verdict, "不判定"),
            }
            for i in items
        ],
        "conclusion": conclusion_text(order, items),
        "conclusion_code": order.conclusion,
        "remarks": (
            _("本报告代替 %(n)s，原报告作废。修订原因：%(r)s") % {"n": replaces.number, "r": report.reason}
            if replaces
            else order.remarks
        ),
        "signatures": signatures,
        "verify_url": verify_url,
        "is_demo": order.is_demo,
    }


def report_data(report: Report):
    """The frozen facts of ``report`` as ``reportdata.ReportData`` (what ``pdf.render_report_pdf`` prints)."""
    from ..reportdata import ReportData, ReportItem, Signature

    d = report.data
    return ReportData(
        number=d["number"],
        check_code=d["check_code"],
        revision=d["revision"],
        replaces_number=d["replaces_number"],
        issued_on=date.fromisoformat(d["issued_on"]),
        lab_name=d["lab_name"],
        lab_address=d["lab_address"],
        lab_phone=d["lab_phone"],
        qualifications=[tuple(q) for q in d["qualifications"]],
        client_name=d["client_name"],
        client_address=d["client_address"],
        product_name=d["product_name"],
        model_spec=d["model_spec"],
        batch=d["batch"],
        quantity=d["quantity"],
        received_on=date.fromisoformat(d["received_on"]) if d["received_on"] else None,
        sample_condition=d["sample_condition"],
        test_kind=d["test_kind"],
        product_standard=d["product_standard"],
        items=[ReportItem(**i) for i in d["items"]],
        conclusion=d["conclusion"],
        remarks=d["remarks"],
        signatures=[
            Signature(role=s["role"], name=s["name"], signed_at=datetime.fromisoformat(s["signed_at"]))
            for s in d["signatures"]
        ],
        verify_url=d["verify_url"],
        is_demo=d.get("is_demo", False),
    )


def render_pdf(report: Report) -> bytes:
    from ..pdf import render_report_pdf

    return render_report_pdf(report_data(report))


@transaction.atomic
def report_issue(*, order: TestOrder, by, base_url: str = "", issued_at: datetime | None = None) -> Report:
    """Issue the report of an approved order: a number unique per lab and year, a check code, the facts
    and the PDF frozen with it. After a revision, the new report names the one it replaces, which becomes
    superseded."""
    order = _lock(order)
    _lab_staff_required(order, by, _("出具报告"))
    roles = lab_roles(by, order.lab)
    if not roles & {LabRole.Role.APPROVER, LabRole.Role.MANAGER}:
        raise PermissionDenied(_("只有批准人或实验室管理员可以出具报告。"))
    if order.status != states.APPROVED:
        if order.status in (states.TESTING, states.RESULTS_ENTERED, states.REVIEWED, states.SAMPLE_RECEIVED):
            raise IllegalTransition(_("报告须经检测、审核、批准三级签署后才能出具。"), field="status")
        states_check(order, "issue")
    signed = _signoffs(order)
    if set(signed) != {SignLevel.TEST, SignLevel.REVIEW, SignLevel.APPROVE}:
        raise IllegalTransition(_("报告须经检测、审核、批准三级签署后才能出具。"), field="status")
    issued_at = issued_at or timezone.now()
    previous = (
        Report.objects.select_for_update()
        .filter(order=order, status=Report.Status.VALID)
        .order_by("-revision")
        .first()
    )
    if previous is not None:
        root = previous
        while root.replaces_id:
            root = root.replaces
        year, seq, revision = previous.year, previous.seq, previous.revision + 1
        number = f"{root.number}-R{revision - 1}"
    else:
        year = timezone.localtime(issued_at).year
        seq = next_value(f"report:{order.lab_id}:{year}")
        revision = 1
        number = f"{report_prefix(order.lab)}-{year}-{seq:04d}"
    code = new_check_code()
    verify_url = public_base_url(base_url) + verify_path(number, code)
    report = Report(
        order=order,
        lab=order.lab,
        number=number,
        year=year,
        seq=seq,
        revision=revision,
        replaces=previous,
        check_code=code,
        conclusion=order.conclusion or Conclusion.UNDETERMINED,
        reason=order.status_reason if previous is not None else "",
        issued_at=issued_at,
        issued_by=by,
        is_demo=order.is_demo,
    )
    report.data = _snapshot(order, report, previous, verify_url)
    pdf = render_pdf(report)
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.save()
    if previous is not None:
        updated = Report.objects.filter(pk=previous.pk, status=Report.Status.VALID).update(
            status=Report.Status.SUPERSEDED
        )
        if not updated:  # pragma: no cover - guarded by the lock above
            raise IllegalTransition(_("原报告已被替代。"))
    order.issued_at = issued_at
    if not order.conclusion:
        order.conclusion = Conclusion.UNDETERMINED
    _apply(order, "issue", by, data={"report": number, "revision": revision})
    _notify(
        client_users(order),
        "testing.report_issued",
        _("检验报告 %(number)s 已出具") % {"number": number},
        _("%(product)s：%(conclusion)s")
        % {"product": order.product_name, "conclusion": order.get_conclusion_display()},
        obj=order,
        url=order_url(order),
    )
    return report


@transaction.atomic
def order_revise(*, order: TestOrder, by, reason: str) -> TestOrder:
    """Start a correction of an issued report: the order goes back to testing; the report stays valid
    until the revision is issued, which then supersedes it."""
    order = _lock(order)
    _lab_staff_required(order, by, _("修订报告"))
    roles = lab_roles(by, order.lab)
    if not roles & {LabRole.Role.APPROVER, LabRole.Role.MANAGER}:
        raise PermissionDenied(_("只有批准人或实验室管理员可以修订报告。"))
    states_check(order, "revise")
    reason = _reason(reason)
    order.round += 1
    _apply(order, "revise", by, reason=reason)
    return order
