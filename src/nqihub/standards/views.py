"""HTML pages of the standards catalog: search, a standard with its version chain, follows, ICS / CCS
browsing, the admin upload page, enterprise self-declarations and their public page.

Thin: reads through ``selectors``, writes through ``services`` / ``imports``. The catalog is for any
logged-in user; follows and declarations are scoped (a declaration outside scope is a 404); the public
page of an enterprise's declarations needs no login.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nqihub.core.bounds import page_number
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import form_data, is_htmx, scoped_or_404

from . import imports, selectors, services
from .forms import INDICATOR_ROWS, DeclarationForm, ProposalForm, StandardFilterForm, StandardImportForm
from .models import CcsCode, Declaration, IcsCode, Standard
from .search import highlight

PAGE_SIZE = 25
ERRORS_SHOWN = 200

#: The import's column keys as the upload template names them.
IMPORT_COLUMNS = {
    "code": gettext_lazy("标准号"),
    "title": gettext_lazy("标准名称"),
    "title_en": gettext_lazy("英文名称"),
    "nature": gettext_lazy("性质"),
    "status": gettext_lazy("状态"),
    "publish_date": gettext_lazy("发布日期"),
    "implement_date": gettext_lazy("实施日期"),
    "abolish_date": gettext_lazy("废止日期"),
    "replaces": gettext_lazy("代替标准"),
    "replaced_by": gettext_lazy("被代替标准"),
    "ics": "ICS",
    "ccs": "CCS",
    "issued_by": gettext_lazy("发布机构"),
    "source": gettext_lazy("来源"),
    "is_demo": gettext_lazy("示例"),
}


def _import_errors(errors) -> list[dict]:
    """Row issues (``RowIssue`` or their dicts) with the column named as in the template."""
    rows = []
    for e in errors:
        e = e if isinstance(e, dict) else e.as_dict()
        rows.append({**e, "column": IMPORT_COLUMNS.get(e.get("field", ""), e.get("field", ""))})
    return rows


class _Page:
    """What the shared pagination partial needs, for a search whose total is known up front."""

    def __init__(self, number: int, total: int, per_page: int):
        self.paginator = Paginator(range(total), per_page)
        self.number = min(max(1, number), self.paginator.num_pages)
        page = self.paginator.page(self.number)
        self.has_previous, self.has_next = page.has_previous(), page.has_next()
        self.previous_page_number = page.previous_page_number() if self.has_previous else None
        self.next_page_number = page.next_page_number() if self.has_next else None


def _page_number(request) -> int:
    return page_number(request)


# --- catalog ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def standard_list(request):
    form = StandardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    number = _page_number(request)
    result = selectors.standard_search(
        fetched_by=request.user,
        q=filters.get("q", ""),
        level=filters.get("level") or None,
        nature=filters.get("nature") or None,
        status=filters.get("status") or None,
        ics=(filters.get("ics") or "").strip() or None,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    rows = [(s, highlight(s.title, result.terms)) for s in result.items]
    context = {
        "form": form,
        "rows": rows,
        "page_obj": _Page(number, result.total, PAGE_SIZE) if result.total else None,
        "total": result.total,
        "by_number": {s.pk for s in result.by_number},
        "q": filters.get("q", ""),
        "can_import": imports.can_import(request.user),
        "can_follow": services.enterprises_of(request.user).exists(),
    }
    template = "standards/_partials/list_body.html" if is_htmx(request) else "standards/standard_list.html"
    return render(request, template, context)


@login_required
@require_GET
def standard_lookup(request):
    """``?number=GB 18401``: the named version, or the current one when no year is given."""
    number = request.GET.get("number", "").strip()
    try:
        lookup = selectors.standard_lookup(fetched_by=request.user, number=number)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("standards:list")
    if lookup.standard is None:
        messages.warning(request, _("标准目录中没有 %(code)s。") % {"code": lookup.number})
        return redirect(f"{reverse('standards:list')}?{urlencode({'q': lookup.number})}")
    if not lookup.with_year and lookup.others:
        messages.info(
            request,
            _("%(code)s 共有 %(n)d 个版本，以下为 %(found)s；其他版本见版本链。")
            % {"code": lookup.number, "n": len(lookup.others) + 1, "found": lookup.standard.canonical},
        )
    return redirect("standards:detail", pk=lookup.standard.pk)


@login_required
@require_GET
def standard_detail(request, pk: int):
    std = get_object_or_404(Standard, pk=pk)
    enterprises = list(services.enterprises_of(request.user))
    followed = bool(enterprises) and std.follows.filter(enterprise__in=enterprises).exists()
    chain = selectors.version_chain(fetched_by=request.user, standard=std)
    catalog = {s.canonical: s for s in chain}
    return render(
        request,
        "standards/standard_detail.html",
        {
            "std": std,
            "chain": chain,
            "requirements": list(std.requirements.all()),
            "can_follow": bool(enterprises),
            "followed": followed,
            "replaces": [(code, catalog.get(code)) for code in std.replaces_list()],
            "replaced_by": [(code, catalog.get(code)) for code in std.replaced_by_list()],
            "class_names": selectors.classification_names(std),
        },
    )


def _follow_action(request, pk: int, follow: bool):
    std = get_object_or_404(Standard, pk=pk)
    try:
        if follow:
            services.standard_follow(standard=std, by=request.user)
            messages.success(request, _("已关注 %(code)s，状态变化时将通知您。") % {"code": std.canonical})
        else:
            services.standard_unfollow(standard=std, by=request.user)
            messages.success(request, _("已取消关注 %(code)s。") % {"code": std.canonical})
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "403.html", {"exception": exc.message}, status=403)
    return redirect("standards:detail", pk=std.pk)


@login_required
@require_POST
def standard_follow(request, pk: int):
    return _follow_action(request, pk, True)


@login_required
@require_POST
def standard_unfollow(request, pk: int):
    return _follow_action(request, pk, False)


@login_required
@require_GET
def following(request):
    follows = selectors.follows_of(fetched_by=request.user)
    return render(
        request,
        "standards/following.html",
        {
            "follows": follows,
            "can_follow": services.enterprises_of(request.user).exists(),
        },
    )


# --- classifications ----------------------------------------------------------------------------------------


def _browse(request, model, code, kind: str):
    node = get_object_or_404(model, code=code) if code else None
    children = (
        model.objects.filter(parent=node).order_by("code")
        if node
        else model.objects.filter(parent__isnull=True)
    )
    path = []
    cur = node
    while cur is not None:
        path.insert(0, cur)
        cur = cur.parent
    standards = (
        Standard.objects.filter(**{f"{kind}__startswith": node.code}).order_by("code_without_year")[:50]
        if node
        else []
    )
    return render(
        request,
        "standards/classification.html",
        {
            "kind": kind,
            "node": node,
            "children": children,
            "path": path,
            "standards": standards,
        },
    )


@login_required
@require_GET
def ics_browse(request, code: str | None = None):
    return _browse(request, IcsCode, code, "ics")


@login_required
@require_GET
def ccs_browse(request, code: str | None = None):
    return _browse(request, CcsCode, code, "ccs")


# --- upload page -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def catalog_import(request):
    if not imports.can_import(request.user):
        return render(request, "403.html", {"exception": _("只有平台管理员可以导入标准目录。")}, status=403)
    form = StandardImportForm(form_data(request), request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
            job_id = imports.import_job_start(data=upload.read(), filename=upload.name, by=request.user)
        except imports.StandardImportRejected as exc:
            context.update(
                rejected=exc,
                errors=_import_errors(exc.errors[:ERRORS_SHOWN]),
                more_errors=max(0, len(exc.errors) - ERRORS_SHOWN),
            )
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("standards:import-status", job_id=job_id)
        return render(request, "standards/import.html", context, status=422)
    return render(request, "standards/import.html", context)


@login_required
@require_GET
def catalog_import_status(request, job_id):
    job = imports.import_job_get(job_id, fetched_by=request.user)
    if job is None:
        raise Http404(_("导入任务不存在或已过期。"))
    job["errors"] = _import_errors(job.get("errors") or [])
    job["changes"] = [
        {
            "standard": c["standard"],
            "fields": [(IMPORT_COLUMNS.get(k, k), v) for k, v in c.items() if k != "standard"],
        }
        for c in (job.get("report") or {}).get("changes", [])
    ]
    template = (
        "standards/_partials/import_progress.html" if is_htmx(request) else "standards/import_status.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_GET
def catalog_import_template(request):
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _("标准导入模板.csv"))
    return response


# --- self-declarations --------------------------------------------------------------------------------------


@login_required
@require_GET
def declaration_list(request):
    qs = selectors.declaration_list(fetched_by=request.user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "standards/declaration_list.html",
        {
            "page_obj": page_obj,
            "can_declare": services.enterprises_of(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declaration_create(request):
    enterprise = services.enterprises_of(request.user).first()
    if enterprise is None:
        return render(request, "403.html", {"exception": _("只有企业用户可以发布自我声明。")}, status=403)
    form = DeclarationForm(form_data(request), initial={"kind": Declaration.Kind.OWN})
    rows = form.indicator_rows() if request.method == "POST" else [{}] * INDICATOR_ROWS
    # The service numbers the indicators it was given (the filled rows); map them back to the form's rows.
    filled = [i for i, r in enumerate(rows) if any(r.values())]
    errors: dict = {}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.DeclarationData(
            product=d["product"],
            product_model=d["product_model"],
            kind=d["kind"],
            standard=d["standard"],
            own_code=d["own_code"],
            own_title=d["own_title"],
            category=d["category"],
            references=[line.strip() for line in d["references"].splitlines() if line.strip()],
            indicators=[services.IndicatorData(**rows[i]) for i in filled]
            if d["kind"] == Declaration.Kind.OWN
            else [],
            weaker_declared=[
                w.strip() for w in d["weaker_declared"].replace("，", ",").split(",") if w.strip()
            ],
            weaker_statement=d["weaker_statement"],
        )
        try:
            declaration = services.declaration_create(data=data, by=request.user, enterprise=enterprise)
        except ValidationFailed as exc:
            errors = exc.errors
            for name, message in exc.errors.items():
                field_name = name.split(".", 1)[0]
                if field_name == "indicators":
                    continue
                # "references.1" (the second line) belongs to the references box.
                form.add_error(field_name if field_name in form.fields else None, message)
        else:
            messages.success(request, _("自我声明已公开。"))
            return redirect("standards:declaration-detail", pk=declaration.pk)
    indicator_errors = {k: v for k, v in errors.items() if k.startswith("indicators")}
    row_errors: list[set[str]] = [set() for _ in rows]
    for key in indicator_errors:
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            row_errors[filled[int(parts[1])]].add(parts[2])
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "standards/declaration_form.html",
        {
            "form": form,
            "rows": list(zip(rows, row_errors, strict=True)),
            "enterprise": enterprise,
            "indicator_errors": indicator_errors,
        },
        status=status,
    )


@login_required
@require_GET
def declaration_detail(request, pk: int):
    declaration = scoped_or_404(selectors.declaration_get, request, pk)
    return render(request, "standards/declaration_detail.html", {"d": declaration})


@require_GET
def public_declarations(request, enterprise_id: int):
    # Public, so it must not tell who exists: an enterprise without published declarations is a 404 like
    # an id that does not exist (no name by id for anyone who walks the ids).
    declarations = list(selectors.public_declarations(enterprise_id=enterprise_id))
    if not declarations:
        raise Http404
    enterprise = declarations[0].enterprise
    return render(
        request,
        "standards/public_declarations.html",
        {"enterprise": enterprise, "declarations": declarations},
    )


# --- proposals: a missing standard proposed for the catalogue ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_list(request):
    """Propose a missing standard (anyone signed in); the proposals one may see (reviewers: all, with the
    buttons to confirm or reject the pending ones)."""
    form = ProposalForm(form_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                proposal = services.proposal_create(by=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                for name, message in exc.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("已提交 %(code)s 的收录提议，审核后将加入标准目录。") % {"code": proposal.canonical},
                )
                return redirect("standards:proposals")
        status = 400
    state = request.GET.get("state", "")[:12]
    qs = selectors.proposal_list(
        fetched_by=request.user, state=state if state in ("pending", "confirmed", "rejected") else ""
    )
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "standards/proposal_list.html",
        {"form": form, "page_obj": page_obj, "can_review": services.can_review_proposals(request.user)},
        status=status,
    )


@login_required
@require_POST
def proposal_decide(request, pk: int, decision: str):
    proposal = scoped_or_404(selectors.proposal_get, request, pk)
    try:
        if decision == "confirm":
            services.proposal_confirm(
                proposal=proposal, by=request.user, note=request.POST.get("note", "")[:2000]
            )
            messages.success(request, _("%(code)s 已收录于标准目录。") % {"code": proposal.canonical})
        else:
            services.proposal_reject(
                proposal=proposal, by=request.user, reason=request.POST.get("reason", "")[:2000]
            )
            messages.success(request, _("已不采纳 %(code)s 的收录提议。") % {"code": proposal.canonical})
    except services.PermissionDenied as exc:
        return render(request, "403.html", {"exception": exc.message}, status=403)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("standards:proposals")
    return redirect("standards:proposals")
