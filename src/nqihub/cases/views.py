"""HTML pages: the case library (public), a case page, drafting / consent / publication, the knowledge
base, and the htmx suggestion partial for the request form. Thin: reads through ``selectors``, writes
through ``services``; a case outside the user's scope is a 404 on every route."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.desk import selectors as desk_selectors
from nqihub.desk.models import ServiceRequest
from nqihub.standards.search import highlight

from . import selectors, services
from .forms import CaseFilterForm, CaseForm
from .models import Article, Case
from .suggest import suggest

PAGE_SIZE = 20


def _page(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _case_or_404(request, pk: int) -> Case:
    try:
        return selectors.case_get(fetched_by=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


@require_GET
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = _page(request)
    result = selectors.case_search(
        fetched_by=request.user,
        q=data.get("q", ""),
        industry=data.get("industry") or None,
        element=data.get("element") or None,
        region=data.get("region") or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [
        {
            "case": h.obj,
            "score": h.score,
            "matched": h.matched_terms,
            "title": highlight(h.obj.title, result.terms),
            "problem": highlight(h.obj.problem[:160], result.terms),
        }
        for h in result.items
    ]
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "rows": rows, "count": result.count, "page": page, "has_next": page * PAGE_SIZE < result.count},
    )


@require_GET
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    return render(
        request,
        "cases/case_detail.html",
        {"case": case, "actions": services.case_actions(request.user, case) if request.user.is_authenticated else []},
    )


def _data(form: CaseForm) -> services.CaseData:
    d = form.cleaned_data
    return services.CaseData(
        title=d["title"],
        problem=d["problem"],
        solution=d["solution"],
        result=d["result"],
        cost_saved=d.get("cost_saved"),
        loss_avoided=d.get("loss_avoided"),
        industry=d.get("industry") or None,
        nqi_elements=list(d.get("nqi_elements") or []),
        standards=d.get("standards") or "",
    )


def _form_errors(form, exc: ValidationFailed) -> None:
    for name, message in exc.errors.items():
        form.add_error(name if name in form.fields else None, str(message))


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request, request_pk: int):
    try:
        req = desk_selectors.request_get(fetched_by=request.user, pk=request_pk)
    except ServiceRequest.DoesNotExist:
        raise Http404 from None
    form = CaseForm(request.POST or None, initial=services.case_initial(req))
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_draft(request=req, data=_data(form), by=request.user)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("案例草稿已保存。"))
            return redirect("cases:case-detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "service_request": req})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case = _case_or_404(request, pk)
    if not services.can_edit(request.user, case):
        raise Http404
    initial = {
        "title": case.title, "problem": case.problem, "solution": case.solution, "result": case.result,
        "cost_saved": case.cost_saved, "loss_avoided": case.loss_avoided, "industry": case.industry_id or "",
        "nqi_elements": case.element_list, "standards": case.standards,
    }
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, data=_data(form), by=request.user)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("案例已更新。"))
            return redirect("cases:case-detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


ACTIONS = {
    "submit": lambda case, by: services.case_submit(case=case, by=by),
    "consent": lambda case, by: services.case_consent(case=case, consent=True, by=by),
    "refuse": lambda case, by: services.case_consent(case=case, consent=False, by=by),
    "publish": lambda case, by: services.case_publish(case=case, by=by),
    "unpublish": lambda case, by: services.case_unpublish(case=case, by=by),
}


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    case = _case_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](case, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("操作成功。"))
    return redirect("cases:case-detail", pk=case.pk)


@require_GET
def article_list(request):
    q = request.GET.get("q", "")
    page = _page(request)
    result = selectors.article_search(
        fetched_by=request.user, q=q, category=request.GET.get("category") or None, limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [
        {"article": h.obj, "matched": h.matched_terms, "title": highlight(h.obj.title, result.terms),
         "summary": highlight(h.obj.summary, result.terms)}
        for h in result.items
    ]
    return render(
        request, "cases/article_list.html",
        {"rows": rows, "count": result.count, "q": q, "categories": selectors.categories(),
         "category": request.GET.get("category", "")},
    )


@require_GET
def article_detail(request, pk: int):
    try:
        article = selectors.article_get(fetched_by=request.user, pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None
    return render(request, "cases/article_detail.html", {"article": article})


@require_GET
def suggest_partial(request):
    """htmx: the top published cases and articles for ``text`` (experts for logged-in users)."""
    text = (request.GET.get("text") or "")[:5000]
    result = {"cases": [], "articles": [], "experts": [], "terms": []}
    if text.strip():
        result = suggest(text, fetched_by=request.user if request.user.is_authenticated else None)
        if not request.user.is_authenticated:
            result["experts"] = []
    return render(request, "cases/_partials/suggestions.html", {"result": result})
