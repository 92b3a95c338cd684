"""HTML pages of enterprise-standard drafting: the list, the form (with the indicator table editor and the
findings refreshed by htmx as it is typed), the detail (status and actions, review comments per clause,
versions and their differences, the document preview) and the DOCX / PDF downloads.

Thin: reads through ``selectors`` (outside scope → 404), writes through ``services``.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import scoped_or_404
from nqihub.core.scoping import visible
from nqihub.directory.models import Enterprise, Expert

from . import diff as diffing
from . import policy, selectors, services, states
from .api import DOCX, file_name
from .docx_render import render_docx
from .models import EnterpriseStandard
from .pdf_render import render_pdf
from .validation import STRING_FIELDS, DraftData

PAGE_SIZE = 25
#: The optional texts of clauses 6 and 7 (blank: the document's usual wording).
RULE_FIELDS = [
    ("batch_rule", gettext_lazy("6.1 组批")),
    ("sampling", gettext_lazy("6.2 抽样")),
    ("marking", gettext_lazy("7.1 标志")),
    ("packaging", gettext_lazy("7.2 包装")),
    ("transport", gettext_lazy("7.3 运输")),
    ("storage", gettext_lazy("7.4 贮存")),
]
BLANK_INDICATOR_ROWS = 3


def _get(request, pk: int) -> EnterpriseStandard:
    return scoped_or_404(selectors.draft_get, request, pk)


def _rows(post, prefix: str, fields: tuple[str, ...]) -> list[dict]:
    """Rows of a table editor (``ind-3-item`` …) in their order on the page; empty rows dropped."""
    indices = sorted(
        {int(k.split("-")[1]) for k in post if k.startswith(prefix + "-") and k.split("-")[1].isdigit()}
    )
    rows = []
    for n in indices:
        row = {f: post.get(f"{prefix}-{n}-{f}", "") for f in fields}
        if any(isinstance(v, str) and v.strip() for v in row.values()):
            rows.append(row)
    return rows


def _date(value: str, errors: dict, key: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[key] = _("日期格式应为 YYYY-MM-DD。")
        return None


def _data_from_post(post) -> tuple[DraftData, dict]:
    errors: dict = {}
    indicators = _rows(post, "ind", ("item", "requirement", "unit", "method", "grade", "factory"))
    for row in indicators:
        row["factory"] = row["factory"] == "on"
    enterprise = post.get("enterprise", "").strip()
    data = DraftData(
        **{f: post.get(f, "") for f in STRING_FIELDS},
        references=[line.strip() for line in post.get("references", "").splitlines() if line.strip()],
        terms=_rows(post, "term", ("term", "english", "definition")),
        indicators=indicators,
        annexes=[
            {**a, "normative": a["normative"] == "normative"}
            for a in _rows(post, "annex", ("title", "normative", "content"))
            if a["title"].strip() or a["content"].strip()
        ],
        publish_date=_date(post.get("publish_date", ""), errors, "publish_date"),
        implement_date=_date(post.get("implement_date", ""), errors, "implement_date"),
        enterprise=int(enterprise) if enterprise.isdigit() else None,
    )
    return data, errors


def _enterprises(user):
    """The enterprises the user may draft for (the form's choice)."""
    qs = Enterprise.objects.filter(visible(user, Enterprise)).order_by("name")[:200]
    return [e for e in qs if policy.acts_for_enterprise(user, e)]


def _form_context(data: DraftData, errors: dict, findings: list[dict]) -> dict:
    indicators = list(data.indicators) + [{"factory": True}] * max(
        0, BLANK_INDICATOR_ROWS - len(data.indicators)
    )
    bad_rows: dict[int, set[str]] = {}
    for key in errors:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "indicators" and parts[1].isdigit():
            bad_rows.setdefault(int(parts[1]), set()).add(parts[2])
    return {
        "data": data,
        "errors": errors,
        "findings": findings,
        "references_text": "\n".join(data.references),
        "indicator_rows": [(n, row, bad_rows.get(n, set())) for n, row in enumerate(indicators)],
        "term_rows": list(enumerate(list(data.terms) + [{}])),
        "annex_rows": list(enumerate(list(data.annexes) + [{}])),
        "error_count": sum(1 for f in findings if f["severity"] == "error"),
        "warning_count": sum(1 for f in findings if f["severity"] == "warning"),
        "rule_fields": [(name, label, getattr(data, name)) for name, label in RULE_FIELDS],
    }


@login_required
@require_GET
def draft_list(request):
    status = request.GET.get("status", "")
    status = status if status in states.STATUS_LABELS else ""
    q = request.GET.get("q", "").strip()[:100]
    qs = selectors.draft_list(fetched_by=request.user, status=status or None, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "drafting/list.html",
        {
            "page_obj": page,
            "status": status,
            "q": q,
            "statuses": states.STATUS_CHOICES,
            "can_create": bool(_enterprises(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_form(request, pk: int | None = None):
    draft = _get(request, pk) if pk is not None else None
    if draft is not None and (
        not policy.allowed(request.user, policy.EDIT, draft) or draft.status not in states.EDITABLE
    ):
        messages.error(
            request, _("该草案当前不能修改（%(s)s）。") % {"s": states.STATUS_LABELS[draft.status]}
        )
        return redirect("drafting:detail", pk=draft.pk)
    enterprises = _enterprises(request.user) if draft is None else [draft.enterprise]
    if not enterprises:
        return render(
            request,
            "403.html",
            {"exception": _("只有企业用户或其服务站工作人员可以起草企业标准。")},
            status=403,
        )
    errors: dict = {}
    findings: list[dict] = []
    if request.method == "POST":
        data, errors = _data_from_post(request.POST)
        if draft is None and data.enterprise is None and len(enterprises) == 1:
            data.enterprise = enterprises[0].pk
        if not errors:
            try:
                if draft is None:
                    draft = services.draft_create(data=data, by=request.user)
                    messages.success(request, _("草案已保存（第 1 版）。"))
                else:
                    draft = services.draft_update(draft=draft, data=data, by=request.user)
                    messages.success(request, _("草案已保存（第 %(v)d 版）。") % {"v": draft.version})
                return redirect("drafting:detail", pk=draft.pk)
            except ValidationFailed as exc:
                errors = exc.errors
            except DomainError as exc:
                errors = {exc.field or "status": exc.message}
        if draft is not None or data.enterprise:
            ent = (
                draft.enterprise
                if draft is not None
                else next((e for e in enterprises if e.pk == data.enterprise), None)
            )
            if ent is not None and not errors:
                findings = services.preview_findings(data=data, by=request.user, enterprise=ent)[1]
    elif draft is not None:
        data = services.data_from(services.snapshot(draft))
        findings = services.findings_of(draft)
    else:
        data = DraftData(
            number="", title="", product="", enterprise=enterprises[0].pk if len(enterprises) == 1 else None
        )
    context = _form_context(data, errors, findings)
    context.update(draft=draft, enterprises=enterprises)
    return render(request, "drafting/form.html", context, status=422 if errors else 200)


@login_required
@require_POST
def draft_check(request):
    """htmx: the findings (and field errors) of the form as it is typed; nothing is saved."""
    data, errors = _data_from_post(request.POST)
    draft_id = request.POST.get("draft", "")
    enterprise = None
    if draft_id.isdigit():
        enterprise = _get(request, int(draft_id)).enterprise
    elif data.enterprise is None:
        own = _enterprises(request.user)
        enterprise = own[0] if len(own) == 1 else None
    findings: list[dict] = []
    if not errors:
        errors, findings = services.preview_findings(data=data, by=request.user, enterprise=enterprise)
    context = _form_context(data, errors, findings)
    context["oob"] = True  # also refresh the counts in the form's sticky bar
    return render(request, "drafting/_partials/findings.html", context)


@login_required
@require_GET
def draft_detail(request, pk: int):
    draft = _get(request, pk)
    document = selectors.document_of(draft)
    versions = list(draft.versions.select_related("created_by"))
    numbers = [v.number for v in versions]

    def pick(name, default):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and int(value) in numbers else default

    to_v = pick("to", draft.version)
    from_v = pick("from", max(1, to_v - 1))
    by_number = {v.number: v.content for v in versions}
    changes = diffing.diff(by_number[from_v], by_number[to_v]) if from_v != to_v else []
    outline = dict(document.outline())
    comments = list(draft.comments.select_related("author"))
    user = request.user
    can_edit = policy.allowed(user, policy.EDIT, draft)
    can_review = policy.allowed(user, policy.REVIEW, draft)
    experts = []
    if can_edit and draft.status in (states.DRAFT, states.CHANGES_REQUESTED) and not draft.service_request_id:
        experts = list(
            Expert.objects.filter(visible(user, Expert), nqi_elements__contains=",standards,").order_by(
                "name"
            )[:50]
        )
    findings = services.findings_of(draft)
    return render(
        request,
        "drafting/detail.html",
        {
            "draft": draft,
            "doc": document,
            "findings": findings,
            "error_count": sum(1 for f in findings if f["severity"] == "error"),
            "warning_count": sum(1 for f in findings if f["severity"] == "warning"),
            "versions": versions,
            "from_v": from_v,
            "to_v": to_v,
            "changes": [{**c, "clause_label": outline.get(c["clause"], c["clause"])} for c in changes],
            "comments": [(c, outline.get(c.clause, c.clause)) for c in comments],
            "outline": document.outline(),
            "can_edit": can_edit and draft.status in states.EDITABLE,
            "can_request_review": can_edit and draft.status in (states.DRAFT, states.CHANGES_REQUESTED),
            "can_review": can_review and draft.status == states.IN_REVIEW,
            "can_comment": policy.allowed(user, policy.COMMENT, draft) and draft.status != states.DECLARED,
            "can_declare": can_edit and draft.status == states.APPROVED,
            "experts": experts,
            "public_url": services.public_url(draft) if draft.declaration_id else "",
            "statuses": states.STATUS_CHOICES,
        },
    )


def _act(request, pk: int, action, success: str):
    draft = _get(request, pk)
    try:
        action(draft)
    except DomainError as exc:
        messages.error(
            request,
            exc.message
            if not isinstance(exc, ValidationFailed)
            else "；".join(map(str, exc.errors.values())),
        )
    else:
        messages.success(request, success)
    return redirect("drafting:detail", pk=pk)


@login_required
@require_POST
def review_request(request, pk: int):
    expert = request.POST.get("expert", "")
    return _act(
        request,
        pk,
        lambda d: services.review_request(
            draft=d,
            by=request.user,
            note=request.POST.get("note", ""),
            expert_id=int(expert) if expert.isdigit() else None,
        ),
        _("已提请专家审查。"),
    )


@login_required
@require_POST
def comment_add(request, pk: int):
    return _act(
        request,
        pk,
        lambda d: services.comment_add(
            draft=d, clause=request.POST.get("clause", ""), text=request.POST.get("text", ""), by=request.user
        ),
        _("意见已提交。"),
    )


@login_required
@require_POST
def review_decide(request, pk: int):
    decision = request.POST.get("decision", "")
    return _act(
        request,
        pk,
        lambda d: services.review_decide(
            draft=d, decision=decision, note=request.POST.get("note", ""), by=request.user
        ),
        _("已退回修改。") if decision == "request_changes" else _("审查通过。"),
    )


@login_required
@require_POST
def declare(request, pk: int):
    return _act(
        request, pk, lambda d: services.draft_declare(draft=d, by=request.user), _("已自我声明公开。")
    )


@login_required
@require_GET
def document_docx(request, pk: int):
    draft = _get(request, pk)
    response = HttpResponse(render_docx(selectors.document_of(draft)), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{file_name(draft, "docx")}"'
    return response


@login_required
@require_GET
def document_pdf(request, pk: int):
    draft = _get(request, pk)
    response = HttpResponse(render_pdf(selectors.document_of(draft)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{file_name(draft, "pdf")}"'
    return response
