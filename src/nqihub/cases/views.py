"""HTML pages: the case library (public), a case page, drafting / consent / publication, the knowledge
base, and the htmx suggestion partial for the request form. Thin: reads through ``selectors``, writes
through ``services``; a case outside the user's scope is a 404 on every route."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nqihub.core.bounds import page_number
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.files import file_response
from nqihub.core.http import form_data, get_or_404, scoped_or_404
from nqihub.desk import selectors as desk_selectors
from nqihub.notifications.services import notification_action_done
from nqihub.standards.search import highlight, highlight_terms, search_standards

from . import selectors, services
from .forms import ArticleForm, AttachmentForm, CaseFilterForm, CaseForm
from .models import Article, Case
from .suggest import suggest

PAGE_SIZE = 20


def _page(request) -> int:
    return page_number(request)


def _case_or_404(request, pk: int) -> Case:
    return scoped_or_404(selectors.case_get, request, pk)


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
        {
            "form": form,
            "rows": rows,
            "count": result.count,
            "page": page,
            "has_next": page * PAGE_SIZE < result.count,
            "standards": _related_standards(data.get("q", "")) if page == 1 else [],
        },
    )


def _related_standards(q: str, limit: int = 5) -> list[dict]:
    """Cross-search: the standards matching the case-library query (by number first, then ranked)."""
    q = (q or "").strip()
    if not q:
        return []
    found = search_standards(q, limit=limit)
    words = highlight_terms(q)
    standards = list(dict.fromkeys([*found.by_number, *found.items]))[:limit]
    return [
        {"standard": s, "canonical": highlight(s.canonical, [q]), "title": highlight(s.title, words)}
        for s in standards
    ]


@require_GET
def case_detail(request, pk: int):
    case = _case_or_404(request, pk)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "actions": services.case_actions(request.user, case) if request.user.is_authenticated else [],
        },
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


def _saved(request, form, save):
    """The result of ``save()`` (a service writing the valid ``form``'s data), or None when the service
    refused: its field errors are put on the form, any other refusal shown as a message."""
    try:
        return save()
    except ValidationFailed as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, str(message))
    except DomainError as exc:
        messages.error(request, exc.message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request, request_pk: int):
    req = scoped_or_404(desk_selectors.request_get, request, request_pk)
    form = CaseForm(form_data(request), initial=services.case_initial(req))
    if request.method == "POST" and form.is_valid():
        case = _saved(
            request, form, lambda: services.case_draft(request=req, data=_data(form), by=request.user)
        )
        if case is not None:
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
        "title": case.title,
        "problem": case.problem,
        "solution": case.solution,
        "result": case.result,
        "cost_saved": case.cost_saved,
        "loss_avoided": case.loss_avoided,
        "industry": case.industry_id or "",
        "nqi_elements": case.element_list,
        "standards": case.standards,
    }
    form = CaseForm(form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        if _saved(request, form, lambda: services.case_update(case=case, data=_data(form), by=request.user)):
            messages.success(request, _("案例已更新。"))
            return redirect("cases:case-detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@login_required
@require_GET
def consent_pending(request):
    """The cases awaiting the consent of the user's enterprise, with consent / refuse buttons."""
    cases = selectors.consent_pending(fetched_by=request.user).order_by("-updated_at", "-id")
    return render(request, "cases/consent_pending.html", {"cases": cases})


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
    started = timezone.now()
    try:
        ACTIONS[action](case, request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if action in ("consent", "refuse"):
            notification_action_done(obj=case, action="consent", before=started)
        messages.success(request, _("操作成功。"))
    return redirect("cases:case-detail", pk=case.pk)


@require_GET
def article_list(request):
    q = request.GET.get("q", "")
    page = _page(request)
    result = selectors.article_search(
        fetched_by=request.user,
        q=q,
        category=request.GET.get("category") or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [
        {
            "article": h.obj,
            "matched": h.matched_terms,
            "title": highlight(h.obj.title, result.terms),
            "summary": highlight(h.obj.summary, result.terms),
        }
        for h in result.items
    ]
    return render(
        request,
        "cases/article_list.html",
        {
            "rows": rows,
            "count": result.count,
            "q": q,
            "categories": selectors.categories(),
            "category": request.GET.get("category", ""),
            "editor": request.user.is_authenticated and services.is_editor(request.user),
        },
    )


@require_GET
def article_detail(request, pk: int):
    article = scoped_or_404(selectors.article_get, request, pk)
    editor = request.user.is_authenticated and services.is_editor(request.user)
    return render(
        request,
        "cases/article_detail.html",
        {
            "article": article,
            "editor": editor,
            "versions": article.versions.select_related("edited_by") if editor else article.versions.all(),
            "attach_form": AttachmentForm() if editor else None,
        },
    )


def _require_editor(request) -> None:
    if not services.is_editor(request.user):
        raise PermissionDenied


def _article_or_404(request, pk: int) -> Article:
    return scoped_or_404(selectors.article_get, request, pk)


def _article_data(form: ArticleForm) -> services.ArticleData:
    d = form.cleaned_data
    return services.ArticleData(
        title=d["title"],
        body=d["body"],
        category=d["category"],
        summary=d.get("summary") or "",
        kind=d["kind"],
        source=d.get("source") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request):
    _require_editor(request)
    form = ArticleForm(form_data(request), initial={"kind": Article.Kind.GUIDANCE})
    if request.method == "POST" and form.is_valid():
        article = _saved(
            request, form, lambda: services.article_create(data=_article_data(form), by=request.user)
        )
        if article is not None:
            messages.success(request, _("文章已保存（未发布）。"))
            return redirect("cases:article-detail", pk=article.pk)
    return render(request, "cases/article_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, pk: int):
    article = _article_or_404(request, pk)
    _require_editor(request)
    initial = {
        "title": article.title,
        "category": str(article.category_id),
        "kind": article.kind,
        "summary": article.summary,
        "body": article.body,
        "source": article.source,
    }
    form = ArticleForm(form_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            request,
            form,
            lambda: services.article_update(article=article, data=_article_data(form), by=request.user),
        )
        if saved is not None:
            messages.success(request, _("文章已更新为第 %(v)s 版。") % {"v": saved.version})
            return redirect("cases:article-detail", pk=saved.pk)
    return render(request, "cases/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_publish(request, pk: int, action: str):
    article = _article_or_404(request, pk)
    if action not in ("publish", "unpublish"):
        raise Http404
    _require_editor(request)
    try:
        services.article_set_published(article=article, published=action == "publish", by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("文章已发布。") if action == "publish" else _("文章已撤回发布。"))
    return redirect("cases:article-detail", pk=article.pk)


@login_required
@require_POST
def article_attach(request, pk: int):
    article = _article_or_404(request, pk)
    _require_editor(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed({"file": _("请选择文件。")})
        att = services.article_attach(article=article, upload=upload, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("附件“%(name)s”已上传。") % {"name": att.name})
    return redirect("cases:article-detail", pk=article.pk)


@require_GET
def article_attachment(request, pk: int, attachment_id: int):
    """An article's attachment: for everyone once the article is published, for editors before (the
    article's own scope); private storage otherwise."""
    article = _article_or_404(request, pk)
    att = get_or_404(article.attachments.get, pk=attachment_id)
    content_type = mimetypes.guess_type(att.name)[0] or "application/octet-stream"
    return file_response(att.file, filename=att.name, content_type=content_type)


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
