"""Writes of the drafting app. Each checks who may do it (``policy``), runs in one transaction, locks the
draft, checks the transition (``states``), writes the audit entry and notifies after the commit.

A draft is saved as a new ``Version`` whenever its content changes; its findings (``checks``) are computed
on every write and returned with it. Review goes through the service desk: asking for review files a
service request (category 标准) linked to the draft, which the station dispatches to an expert as usual.
Approval leads to the self-declaration through ``standards.services.declaration_create``.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from nqihub.core import audit
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.models import Membership
from nqihub.core.scoping import visible
from nqihub.desk import services as desk
from nqihub.desk import states as desk_states
from nqihub.desk.models import Category, Link
from nqihub.directory.models import Enterprise
from nqihub.standards import services as standards_services

from . import checks, policy, states
from .document import build_document
from .models import Comment, EnterpriseStandard, Indicator, Version
from .validation import CONTENT_FIELDS, DraftData, clean, clean_lenient, effective_grade

EVENT = "drafting.draft.status_changed"
INDICATOR_FIELDS = ("item", "requirement", "unit", "method", "grade", "factory")


class DeclarationRefused(DomainError):
    status = 409


# --- content -------------------------------------------------------------------------------------------


def snapshot(draft: EnterpriseStandard) -> dict:
    """The draft's content as a plain dict (what a ``Version`` keeps and the document is built from)."""
    content = {}
    for key in CONTENT_FIELDS:
        value = getattr(draft, key)
        content[key] = value.isoformat() if isinstance(value, date) else value
        if value is None:
            content[key] = ""
    content["indicators"] = [{k: getattr(i, k) for k in INDICATOR_FIELDS} for i in draft.indicators.all()]
    return content


def data_from(content: dict, **changes) -> DraftData:
    """A ``DraftData`` from a content dict, with ``changes`` applied (PATCH)."""
    values = {**content, **changes}

    def as_date(v):
        if isinstance(v, date) or v is None:
            return v
        return date.fromisoformat(v) if v else None

    return DraftData(
        number=values.get("number", ""),
        title=values.get("title", ""),
        product=values.get("product", ""),
        grade=values.get("grade", ""),
        scope=values.get("scope", ""),
        references=list(values.get("references") or []),
        terms=list(values.get("terms") or []),
        indicators=list(values.get("indicators") or []),
        batch_rule=values.get("batch_rule", ""),
        sampling=values.get("sampling", ""),
        marking=values.get("marking", ""),
        packaging=values.get("packaging", ""),
        transport=values.get("transport", ""),
        storage=values.get("storage", ""),
        annexes=list(values.get("annexes") or []),
        drafters=values.get("drafters", ""),
        publish_date=as_date(values.get("publish_date")),
        implement_date=as_date(values.get("implement_date")),
        weaker_statement=values.get("weaker_statement", ""),
        enterprise=values.get("enterprise"),
    )


def findings_of(draft: EnterpriseStandard, content: dict | None = None) -> list[dict]:
    return checks.check_content(
        content if content is not None else snapshot(draft), enterprise=draft.enterprise
    )


def preview_findings(*, data: DraftData, by, enterprise: Enterprise | None = None) -> tuple[dict, list[dict]]:
    """Check unsaved input (the form, as it is typed): (field errors, findings of what is valid). Writes
    nothing."""
    try:
        enterprise = enterprise or draft_enterprise(by, data.enterprise)
    except DomainError as exc:
        return {exc.field or "enterprise": exc.message}, []
    content, errors = clean_lenient(data)
    return errors, checks.check_content(content, enterprise=enterprise, invalid=set(errors))


def draft_enterprise(user, enterprise_id: int | None) -> Enterprise:
    """The enterprise a new draft is for: the one named (which the user must act for) or the user's own."""
    if enterprise_id is None:
        own = Enterprise.objects.filter(
            organisation__memberships__user=user,
            organisation__memberships__role=Membership.Role.ENTERPRISE_USER,
        ).distinct()
        first = list(own[:2])
        if len(first) == 1:
            return first[0]
        raise ValidationFailed({"enterprise": _("请指定企业（enterprise）。")})
    enterprise = Enterprise.objects.filter(visible(user, Enterprise), pk=enterprise_id).first()
    if enterprise is None or not policy.acts_for_enterprise(user, enterprise):
        raise ValidationFailed({"enterprise": _("企业不存在，或您不能为该企业起草标准。")})
    return enterprise


def _write_content(draft: EnterpriseStandard, content: dict) -> None:
    for key in CONTENT_FIELDS:
        value = content[key]
        if key in ("publish_date", "implement_date"):
            value = date.fromisoformat(value) if value else None
        setattr(draft, key, value)
    draft.save()
    draft.indicators.all().delete()
    Indicator.objects.bulk_create(
        [
            Indicator(draft=draft, position=n, **{k: ind[k] for k in INDICATOR_FIELDS})
            for n, ind in enumerate(content["indicators"])
        ]
    )


def _users(organisation_id, role) -> list:
    return desk._users_of(organisation_id, role)


def _notify(draft: EnterpriseStandard, users, title: str, body: str = "") -> None:
    from nqihub.notifications.services import notify

    users = [u for u in users if u is not None]
    if users:
        notify(users=users, event=EVENT, title=title, body=body, url=draft_url(draft), obj=draft)


def draft_url(draft: EnterpriseStandard) -> str:
    return reverse("drafting:detail", args=[draft.pk])


def _enterprise_users(draft) -> list:
    return _users(draft.enterprise.organisation_id, Membership.Role.ENTERPRISE_USER)


def _expert_users(draft) -> list:
    if not draft.service_request_id:
        return []
    return [
        a.expert.user
        for a in draft.service_request.assignments.select_related("expert__user").filter(
            status__in=policy.LIVE_ASSIGNMENTS, expert__user__isnull=False
        )
    ]


def _lock(draft: EnterpriseStandard) -> EnterpriseStandard:
    return (
        EnterpriseStandard.objects.select_for_update(of=("self",))
        .select_related("enterprise", "service_request")
        .get(pk=draft.pk)
    )


# --- create and edit -----------------------------------------------------------------------------------


@transaction.atomic
def draft_create(*, data: DraftData, by) -> EnterpriseStandard:
    if not getattr(by, "is_authenticated", False):
        raise policy.PermissionDenied(_("请先登录。"))
    enterprise = draft_enterprise(by, data.enterprise)
    content = clean(data)
    draft = EnterpriseStandard(enterprise=enterprise, created_by=by, is_demo=enterprise.is_demo)
    _write_content(draft, content)
    Version.objects.create(draft=draft, number=1, content=content, created_by=by, note=_("创建"))
    audit.record(
        by, "drafting.draft.created", draft, {"enterprise_id": enterprise.pk, "number": draft.number}
    )
    return draft


@transaction.atomic
def draft_update(*, draft: EnterpriseStandard, data: DraftData, by, note: str = "") -> EnterpriseStandard:
    """Save edited content as a new version (nothing happens when nothing changed)."""
    draft = _lock(draft)
    policy.require(by, policy.EDIT, draft)
    if draft.status not in states.EDITABLE:
        raise states.IllegalTransition(
            _("草案当前状态为“%(s)s”，不能修改。") % {"s": states.STATUS_LABELS[draft.status]}, field="status"
        )
    content = clean(data)
    before = snapshot(draft)
    if content == before:
        return draft
    _write_content(draft, content)
    draft.version += 1
    draft.save(update_fields=["version", "updated_at"])
    Version.objects.create(draft=draft, number=draft.version, content=content, created_by=by, note=note[:200])
    audit.record(by, "drafting.draft.edited", draft, {"version": draft.version})
    return draft


# --- review --------------------------------------------------------------------------------------------


def _apply(draft: EnterpriseStandard, action: str, by, data: dict | None = None) -> None:
    old = draft.status
    draft.status = states.next_state(old, action)
    draft.save(update_fields=["status", "updated_at"])
    audit.record(by, f"drafting.draft.{action}", draft, {"from": old, "to": draft.status, **(data or {})})


@transaction.atomic
def review_request(*, draft: EnterpriseStandard, by, note: str = "", expert_id: int | None = None):
    """The enterprise (or its station) asks for expert review: the first time a service request (标准) is
    filed and linked to the draft; later (after changes were requested) the request gets a note and the
    assigned expert is told — or, when that request was closed meanwhile, a new one is filed. Station staff may name the expert: the request is then accepted and
    dispatched at once."""
    draft = _lock(draft)
    policy.require(by, policy.EDIT, draft)
    states.next_state(draft.status, "request_review")  # refuse before any write
    note = (note or "").strip()[:2000]
    if draft.service_request_id is None or draft.service_request.status in desk_states.TERMINAL:
        req = desk.request_create(
            data=desk.RequestData(
                categories=[Category.STANDARDS],
                title=(_("企业标准审查：%(t)s") % {"t": draft.title})[:200],
                description=note
                or _("请专家审查企业标准草案《%(t)s》（%(n)s），产品：%(p)s。")
                % {"t": draft.title, "n": draft.number, "p": draft.product},
                product=draft.product,
                enterprise_id=draft.enterprise_id,
                channel=None if policy.is_enterprise_user(by, draft.enterprise) else "visit",
            ),
            by=by,
        )
        desk.link_add(
            request=req,
            kind=Link.Kind.STANDARD,
            ref=draft.number[:100],
            title=(_("企业标准草案《%(t)s》 %(url)s") % {"t": draft.title, "url": draft_url(draft)})[:200],
            by=by,
        )
        draft.service_request = req
        draft.save(update_fields=["service_request", "updated_at"])
        if expert_id is not None:
            if not desk.can_triage(by, req):
                raise ValidationFailed({"expert": _("只有受理该需求的服务站工作人员可以指定专家。")})
            desk.request_accept(request=req, by=by)
            desk.request_dispatch(
                request=req,
                assignees=[desk.AssigneeSpec(assignee_type="expert", assignee_id=expert_id, note=note)],
                by=by,
            )
    else:
        desk.note_add(
            request=draft.service_request,
            text=_("草案已修改（第 %(v)d 版），请复审。%(note)s") % {"v": draft.version, "note": note},
            by=by,
        )
        _notify(
            draft,
            _expert_users(draft),
            _("企业标准草案《%(t)s》已修改，请复审") % {"t": draft.title},
            note,
        )
    _apply(draft, "request_review", by, {"version": draft.version, "request": draft.service_request_id})
    return draft


def _outline_keys(draft: EnterpriseStandard) -> dict[str, str]:
    return dict(build_document(snapshot(draft), enterprise=draft.enterprise.name).outline())


@transaction.atomic
def comment_add(*, draft: EnterpriseStandard, clause: str, text: str, by) -> Comment:
    text = (text or "").strip()
    clause = (clause or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("请填写意见。")
    elif len(text) > 5000:
        errors["text"] = _("意见不能超过5000个字符。")
    draft = _lock(draft)
    outline = _outline_keys(draft)
    if clause and clause not in outline:
        errors["clause"] = _("条款“%(c)s”不在本草案中，可选：%(v)s。") % {
            "c": clause,
            "v": "、".join(outline),
        }
    if errors:
        raise ValidationFailed(errors)
    policy.require(by, policy.COMMENT, draft)
    if draft.status == states.DECLARED:
        raise states.IllegalTransition(_("已自我声明公开的标准不能再提意见。"), field="status")
    comment = Comment.objects.create(draft=draft, version=draft.version, clause=clause, text=text, author=by)
    audit.record(by, "drafting.draft.commented", draft, {"clause": clause, "version": draft.version})
    if policy.is_assigned_expert(by, draft):
        _notify(
            draft,
            _enterprise_users(draft),
            _("专家对企业标准草案《%(t)s》%(c)s提出意见") % {"t": draft.title, "c": outline.get(clause, "")},
            text[:200],
        )
    else:
        _notify(
            draft, _expert_users(draft), _("企业标准草案《%(t)s》有新的意见") % {"t": draft.title}, text[:200]
        )
    return comment


@transaction.atomic
def review_decide(*, draft: EnterpriseStandard, decision: str, by, note: str = "") -> EnterpriseStandard:
    """The assigned expert requests changes (a note is required) or approves."""
    if decision not in ("request_changes", "approve"):
        raise ValidationFailed(
            {"decision": _("审查结论应为 request_changes（退回修改）或 approve（通过）。")}
        )
    note = (note or "").strip()
    if decision == "request_changes" and not note:
        raise ValidationFailed({"note": _("退回修改请写明修改意见。")})
    if len(note) > 5000:
        raise ValidationFailed({"note": _("意见不能超过5000个字符。")})
    draft = _lock(draft)
    policy.require(by, policy.REVIEW, draft)
    states.next_state(draft.status, decision)
    kind = Comment.Kind.CHANGES_REQUESTED if decision == "request_changes" else Comment.Kind.APPROVED
    Comment.objects.create(
        draft=draft,
        version=draft.version,
        kind=kind,
        text=note or str(states.ACTION_LABELS[decision]),
        author=by,
    )
    _apply(draft, decision, by, {"version": draft.version})
    if draft.service_request_id:
        desk.note_add(
            request=draft.service_request,
            text=_("专家审查企业标准草案（第 %(v)d 版）：%(d)s。%(note)s")
            % {"v": draft.version, "d": states.ACTION_LABELS[decision], "note": note},
            by=by,
        )
    _notify(
        draft,
        _enterprise_users(draft),
        _("企业标准草案《%(t)s》：%(s)s") % {"t": draft.title, "s": states.STATUS_LABELS[draft.status]},
        note,
    )
    return draft


# --- declaration ---------------------------------------------------------------------------------------


def _declaration_category(content: dict) -> str:
    grades = {effective_grade(i, content) for i in content["indicators"]} - {""}
    if len(grades) > 1:
        raise DeclarationRefused(
            _("指标的等级不一致（%(g)s）：一项自我声明只能对应一个产品等级/类别。")
            % {"g": "、".join(sorted(grades))},
            field="indicators",
        )
    return grades.pop() if grades else ""


@transaction.atomic
def draft_declare(*, draft: EnterpriseStandard, by):
    """Publish the approved draft as the enterprise's self-declaration (企业标准自我声明公开). Refused while
    an indicator is weaker than a mandatory limit — the message names both values."""
    draft = _lock(draft)
    policy.require(by, policy.EDIT, draft)
    content = snapshot(draft)
    findings = checks.check_content(content, enterprise=draft.enterprise)
    blocking = [f for f in findings if f["severity"] == checks.ERROR]
    if blocking:
        raise DeclarationRefused(
            _("不能自我声明：%(m)s") % {"m": "；".join(f["message"] for f in blocking)},
            field=blocking[0]["field"],
        )
    states.next_state(draft.status, "declare")
    catalogued = []
    for ref in content["references"]:
        info = checks.standard_status(ref)
        if info is not None and info.get("title"):
            catalogued.append(info["canonical"])
    weaker = [f for f in findings if f["code"] == "weaker_than_recommended"]
    indices = {int(f["field"].split(".")[1]) for f in weaker}
    data = standards_services.DeclarationData(
        product=draft.product,
        kind="own",
        own_code=draft.number,
        own_title=draft.title,
        category=_declaration_category(content),
        references=catalogued,
        indicators=[
            standards_services.IndicatorData(i["item"], i["requirement"], i["unit"], i["method"])
            for i in content["indicators"]
        ],
        weaker_declared=[content["indicators"][n]["item"] for n in sorted(indices)],
        weaker_statement=draft.weaker_statement,
    )
    try:
        declaration = standards_services.declaration_create(data=data, by=by, enterprise=draft.enterprise)
    except ValidationFailed as exc:
        raise DeclarationRefused(
            _("不能自我声明：%(m)s") % {"m": "；".join(str(m) for m in exc.errors.values())}, field="status"
        ) from exc
    draft.declaration = declaration
    draft.save(update_fields=["declaration", "updated_at"])
    _apply(draft, "declare", by, {"declaration": declaration.pk})
    if draft.service_request_id:
        desk.link_add(
            request=draft.service_request,
            kind=Link.Kind.STANDARD,
            ref=(_("自我声明 %(n)s") % {"n": draft.number})[:100],
            title=public_url(draft)[:200],
            by=by,
        )
    _notify(
        draft,
        [*_enterprise_users(draft), *_expert_users(draft)],
        _("企业标准《%(t)s》%(n)s 已自我声明公开") % {"t": draft.title, "n": draft.number},
    )
    return draft


def public_url(draft: EnterpriseStandard) -> str:
    return reverse("standards:public-declarations", args=[draft.enterprise_id])
