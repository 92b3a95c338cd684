"""Writes of cases and articles: typed, keyword-only, audited, permission-checked.

Case life cycle (one table, one function applying it)::

    draft → awaiting_consent → consented | anonymised → published

- station staff of the request's station draft from a resolved request, edit the draft and send it to the
  enterprise; a case without an enterprise skips the consent (``not_needed`` → consented);
- the enterprise's users consent (name shown) or refuse (the case is anonymised: name hidden publicly);
- a regulator whose subtree covers the case's region (or a platform admin) publishes.

Articles: regulators and platform admins create, edit (a new ``ArticleVersion`` each time) and publish.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import (
    IllegalTransition,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Industry, Membership
from nqihub.core.policy import require
from nqihub.core.scoping import scope_of
from nqihub.core.search import _jieba, segment
from nqihub.desk import states as desk_states
from nqihub.desk.models import ServiceRequest
from nqihub.desk.services import check_upload
from nqihub.directory.models import Station

from . import corpus
from .models import Article, ArticleAttachment, ArticleCategory, ArticleVersion, Case, CaseTerm

S = Case.Status
TRANSITIONS: dict[str, dict[str, str]] = {
    "submit": {S.DRAFT: S.AWAITING_CONSENT},
    "consent": {S.AWAITING_CONSENT: S.CONSENTED},
    "refuse": {S.AWAITING_CONSENT: S.ANONYMISED},
    "publish": {S.CONSENTED: S.PUBLISHED, S.ANONYMISED: S.PUBLISHED},
    "unpublish": {S.PUBLISHED: S.DRAFT},
}
RESOLVED_STATES = (desk_states.RESOLVED, desk_states.RATED, desk_states.CLOSED)
ELEMENTS = ("metrology", "standards", "certification", "testing", "quality")


def _apply(case: Case, action: str) -> str:
    target = TRANSITIONS[action].get(case.status)
    if target is None:
        raise IllegalTransition(
            _("当前状态（%(s)s）不能执行该操作。") % {"s": case.get_status_display()}, field="status"
        )
    case.status = target
    return target


# --- who may do what --------------------------------------------------------------------------------------


def is_station_staff_of(user, station_id: int | None) -> bool:
    if not station_id or not getattr(user, "is_authenticated", False):
        return False

    return Membership.objects.filter(
        user=user,
        role=Membership.Role.STATION_STAFF,
        organisation_id=Station.objects.filter(pk=station_id).values("organisation_id")[:1],
    ).exists()


def is_enterprise_user_of(user, case: Case) -> bool:
    if case.enterprise_id is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation_id=case.enterprise.organisation_id, role=Membership.Role.ENTERPRISE_USER
    ).exists()


def is_regulator_of(user, case: Case) -> bool:
    scope = scope_of(user)
    return scope.is_admin or any(case.region_id.startswith(p) for p in scope.regulator_prefixes)


def can_edit(user, case: Case) -> bool:
    return scope_of(user).is_admin or is_station_staff_of(user, case.station_id)


def is_editor(user) -> bool:
    """Article editors: regulators and platform admins."""
    return scope_of(user).is_regulator


def case_actions(user, case: Case) -> list[str]:
    actions = []
    if case.status == S.DRAFT and can_edit(user, case):
        actions += ["edit", "submit"]
    if case.status == S.AWAITING_CONSENT and is_enterprise_user_of(user, case):
        actions += ["consent", "refuse"]
    if case.status in (S.CONSENTED, S.ANONYMISED) and is_regulator_of(user, case):
        actions.append("publish")
    if case.status == S.PUBLISHED and is_regulator_of(user, case):
        actions.append("unpublish")
    return actions


# --- index ------------------------------------------------------------------------------------------------


def case_search_text(case: Case) -> str:
    industry = case.industry.name if case.industry_id else ""
    return segment(case.title, case.problem, case.solution, case.result, case.standards, industry)


def case_index_terms(case: Case) -> tuple[str, dict[str, int], int]:
    """``(search_text, term frequencies, document length)`` of a case (saved or not): the terms are the
    de-duplicated jieba terms of its fields; the frequencies come from the full search-mode cut of the title
    (counted twice), problem, solution and result."""
    text = case_search_text(case)
    uniq = text.split()
    wanted = set(uniq)
    counts = Counter(
        w
        for w in (
            w.strip().lower()
            for w in _jieba().cut_for_search(
                " ".join([case.title, case.title, case.problem, case.solution, case.result])
            )
        )
        if w in wanted
    )
    tfs = {t: min(counts.get(t, 1), 32767) for t in uniq}
    return text, tfs, max(1, sum(tfs.values()))


@transaction.atomic
def index_case(case: Case) -> None:
    """Refresh ``search_text``, ``term_count`` and the ``CaseTerm`` rows (the inverted index), and the corpus
    statistics when the case is published (its old terms leave them before the new ones are counted)."""
    corpus.uncount(case.pk)
    text, tfs, length = case_index_terms(case)
    case.search_text = text
    case.term_count = length
    Case.objects.filter(pk=case.pk).update(search_text=text, term_count=length)
    CaseTerm.objects.filter(case=case).delete()
    CaseTerm.objects.bulk_create([CaseTerm(case=case, term=t[:64], tf=tf) for t, tf in tfs.items()])
    corpus.count(case.pk)


def case_forget(case: Case) -> None:
    """Before deleting a case (admin): take it out of the corpus statistics."""
    corpus.uncount(case.pk)


# --- cases ------------------------------------------------------------------------------------------------


@dataclass
class CaseData:
    title: str
    problem: str
    solution: str
    result: str
    cost_saved: Decimal | float | int | str | None = None
    loss_avoided: Decimal | float | int | str | None = None
    industry: str | None = None
    nqi_elements: list[str] = field(default_factory=list)
    standards: str = ""


def _money(value, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({name: _("应为金额（元）。")}) from None
    if amount < 0 or not amount.is_finite():
        raise ValidationFailed({name: _("不能为负数。")})
    return amount.quantize(Decimal("0.01"))


def _validate(data: CaseData) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    for name, limit in (("title", 200), ("problem", 10000), ("solution", 10000), ("result", 10000)):
        value = (getattr(data, name) or "").strip()
        if not value:
            errors[name] = _("必填。")
        elif len(value) > limit:
            errors[name] = _("不能超过 %(n)s 个字符。") % {"n": limit}
        clean[name] = value
    for name in ("cost_saved", "loss_avoided"):
        try:
            clean[name] = _money(getattr(data, name), name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if data.industry and not Industry.objects.filter(code=data.industry).exists():
        errors["industry"] = _("未知的行业代码。")
    clean["industry_id"] = data.industry or None
    bad = [e for e in data.nqi_elements if e not in ELEMENTS]
    if bad:
        errors["nqi_elements"] = _("NQI 要素应为：%(v)s。") % {"v": "、".join(ELEMENTS)}
    clean["nqi_elements"] = (
        ("," + ",".join(dict.fromkeys(data.nqi_elements)) + ",") if data.nqi_elements else ""
    )
    clean["standards"] = "\n".join(
        _canonical(s)
        for s in (data.standards or "").replace("；", "\n").replace(";", "\n").splitlines()
        if s.strip()
    )
    if errors:
        raise ValidationFailed(errors)
    return clean


def _canonical(code: str) -> str:
    code = code.strip()
    try:
        from nqihub.standards.numbers import parse_standard_number

        return parse_standard_number(code).canonical
    except Exception:  # noqa: BLE001 - free text stays as typed
        return code


@transaction.atomic
def case_draft(*, request: ServiceRequest, data: CaseData, by) -> Case:
    """Station staff of the request's station (or an admin) draft a case from a resolved request."""
    require(
        scope_of(by).is_admin or is_station_staff_of(by, request.station_id),
        _("只有受理服务站的工作人员可以撰写案例。"),
    )
    if request.status not in RESOLVED_STATES:
        raise IllegalTransition(_("只有已办结的服务需求可以形成案例。"), field="request")
    clean = _validate(data)
    if clean["cost_saved"] is None:
        clean["cost_saved"] = request.cost_saved
    if clean["loss_avoided"] is None:
        clean["loss_avoided"] = request.loss_avoided
    if not clean["industry_id"]:
        clean["industry_id"] = request.industry_id
    case = Case.objects.create(
        request=request,
        enterprise=request.enterprise,
        region_id=request.region_id,
        station_id=request.station_id,
        drafted_by=by,
        **clean,
    )
    index_case(case)
    audit.record(by, "cases.case.drafted", case, {"request": request.number})
    return case


def case_initial(request: ServiceRequest) -> dict:
    """Form defaults from a resolved request."""
    return {
        "title": request.title,
        "problem": request.description,
        "solution": request.summary,
        "result": "",
        "cost_saved": request.cost_saved,
        "loss_avoided": request.loss_avoided,
        "industry": request.industry_id or "",
        "nqi_elements": [
            {"quality_management": "quality"}.get(c, c) for c in request.category_list if c != "other"
        ],
    }


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=case.pk)


@transaction.atomic
def case_update(*, case: Case, data: CaseData, by) -> Case:
    case = _lock(case)
    require(can_edit(by, case), _("只有服务站工作人员可以修改案例。"))
    if case.status != S.DRAFT:
        raise IllegalTransition(_("只有草稿可以修改。"), field="status")
    for name, value in _validate(data).items():
        setattr(case, name, value)
    case.save()
    index_case(case)
    audit.record(by, "cases.case.updated", case)
    return case


@transaction.atomic
def case_submit(*, case: Case, by) -> Case:
    """Send the draft to the enterprise for consent (no enterprise: straight to consented)."""
    case = _lock(case)
    require(can_edit(by, case), _("只有服务站工作人员可以提交案例。"))
    _apply(case, "submit")
    if case.enterprise_id is None:
        case.status = S.CONSENTED
        case.enterprise_consent = Case.Consent.NOT_NEEDED
    case.save(update_fields=["status", "enterprise_consent", "updated_at"])
    audit.record(by, "cases.case.submitted", case)
    if case.enterprise_id is not None:
        _notify_enterprise(case)
    return case


def _notify_enterprise(case: Case) -> None:
    try:
        from nqihub.notifications.services import notify
    except ImportError:  # pragma: no cover
        return
    from django.urls import reverse

    users = [
        m.user
        for m in Membership.objects.filter(
            organisation_id=case.enterprise.organisation_id, role=Membership.Role.ENTERPRISE_USER
        ).select_related("user")
    ]
    try:
        notify(
            users=users,
            event="cases.consent_requested",
            title=_("请确认是否同意公开典型案例：%(t)s") % {"t": case.title},
            url=reverse("cases:case-detail", args=[case.pk]),
            obj=case,
        )
    except (TypeError, ValueError):  # pragma: no cover - the case page shows the pending consent anyway
        return


@transaction.atomic
def case_consent(*, case: Case, consent: bool, by) -> Case:
    """The enterprise agrees to be named (consented) or refuses (the case is anonymised)."""
    case = _lock(case)
    require(is_enterprise_user_of(by, case), _("只有案例所属企业的用户可以确认。"))
    _apply(case, "consent" if consent else "refuse")
    case.enterprise_consent = Case.Consent.GRANTED if consent else Case.Consent.REFUSED
    case.consent_by = by
    case.consent_at = timezone.now()
    case.save(update_fields=["status", "enterprise_consent", "consent_by", "consent_at", "updated_at"])
    audit.record(by, "cases.case.consented" if consent else "cases.case.anonymised", case)
    return case


@transaction.atomic
def case_publish(*, case: Case, by) -> Case:
    case = _lock(case)
    require(is_regulator_of(by, case), _("只有案例所在地区的监管人员可以发布。"))
    _apply(case, "publish")
    case.published_by = by
    case.published_at = timezone.now()
    case.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    corpus.count(case.pk)
    audit.record(by, "cases.case.published", case, {"anonymised": case.is_anonymised})
    return case


@transaction.atomic
def case_unpublish(*, case: Case, by) -> Case:
    case = _lock(case)
    require(is_regulator_of(by, case), _("只有案例所在地区的监管人员可以撤回发布。"))
    _apply(case, "unpublish")
    case.published_at = None
    case.enterprise_consent = Case.Consent.PENDING if case.enterprise_id else Case.Consent.NOT_NEEDED
    case.save(update_fields=["status", "published_at", "enterprise_consent", "updated_at"])
    corpus.uncount(case.pk)
    audit.record(by, "cases.case.unpublished", case)
    return case


# --- articles ---------------------------------------------------------------------------------------------


@dataclass
class ArticleData:
    title: str
    body: str
    category: int | str
    summary: str = ""
    kind: str = Article.Kind.GUIDANCE
    source: str = ""


def _validate_article(data: ArticleData) -> dict:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    body = (data.body or "").strip()
    if not title:
        errors["title"] = _("必填。")
    elif len(title) > 200:
        errors["title"] = _("不能超过 %(n)s 个字符。") % {"n": 200}
    if not body:
        errors["body"] = _("必填。")
    category = (
        ArticleCategory.objects.filter(pk=data.category).first()
        if str(data.category).isdigit()
        else (ArticleCategory.objects.filter(slug=data.category).first())
    )
    if category is None:
        errors["category"] = _("未知的分类。")
    if data.kind not in Article.Kind.values:
        errors["kind"] = _("类型应为：%(v)s。") % {
            "v": "、".join(str(label) for label in Article.Kind.labels)
        }
    if len(data.summary or "") > 500:
        errors["summary"] = _("不能超过 %(n)s 个字符。") % {"n": 500}
    if errors:
        raise ValidationFailed(errors)
    return {
        "title": title,
        "body": body,
        "category": category,
        "summary": (data.summary or "").strip(),
        "kind": data.kind,
        "source": (data.source or "").strip()[:255],
    }


def article_search_text(a: Article) -> str:
    return segment(a.title, a.summary, a.body, a.category.name if a.category_id else "")


def _version(article: Article, by) -> None:
    ArticleVersion.objects.create(
        article=article,
        version=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        edited_by=by,
    )


@transaction.atomic
def article_create(*, data: ArticleData, by, publish: bool = False, is_demo: bool = False) -> Article:
    require(is_editor(by), _("只有监管人员和平台管理员可以编辑知识库。"))
    article = Article(**_validate_article(data), created_by=by, updated_by=by, is_demo=is_demo)
    if publish:
        article.is_published = True
        article.published_at = timezone.now()
    article.search_text = article_search_text(article)
    article.save()
    _version(article, by)
    audit.record(by, "cases.article.created", article)
    return article


@transaction.atomic
def article_update(*, article: Article, data: ArticleData, by) -> Article:
    require(is_editor(by), _("只有监管人员和平台管理员可以编辑知识库。"))
    article = Article.objects.select_for_update().get(pk=article.pk)
    for name, value in _validate_article(data).items():
        setattr(article, name, value)
    article.version += 1
    article.updated_by = by
    article.search_text = article_search_text(article)
    article.save()
    _version(article, by)
    audit.record(by, "cases.article.updated", article, {"version": article.version})
    return article


@transaction.atomic
def article_set_published(*, article: Article, published: bool, by) -> Article:
    require(is_editor(by), _("只有监管人员和平台管理员可以发布文章。"))
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.is_published = published
    article.published_at = timezone.now() if published else None
    article.save(update_fields=["is_published", "published_at", "updated_at"])
    audit.record(by, "cases.article.published" if published else "cases.article.unpublished", article)
    return article


@transaction.atomic
def article_attach(*, article: Article, upload, by) -> ArticleAttachment:
    require(is_editor(by), _("只有监管人员和平台管理员可以上传附件。"))

    name, _content_type = check_upload(upload)
    att = ArticleAttachment.objects.create(article=article, file=upload, name=name, uploaded_by=by)
    audit.record(by, "cases.article.attached", article, {"file": name})
    return att
