"""Work on a request: notes and links (who may add them, internal or public)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core.choices import choices_text
from nqihub.core.errors import ValidationFailed
from nqihub.core.policy import require

from .. import states
from ..models import Assignment, Link, Note, ServiceRequest
from ._common import (
    _action,
    _event,
    _lock,
    _save,
    _tell,
    can_triage,
    enterprise_users,
    is_assignee,
    is_enterprise_user,
    is_regulator_of,
    sees_internal,
)

# --- work: notes, attachments, links -----------------------------------------------------------------


def _may_work(user, req: ServiceRequest) -> bool:
    if can_triage(user, req) or is_regulator_of(user, req) or is_enterprise_user(user, req):
        return True
    return any(
        is_assignee(user, a)
        for a in req.assignments.select_related("expert", "institution").filter(
            status__in=[Assignment.Status.OFFERED, Assignment.Status.ACCEPTED, Assignment.Status.COMPLETED]
        )
    )


def _check_internal(user, req: ServiceRequest, internal: bool) -> None:
    if internal and is_enterprise_user(user, req) and not sees_internal(user, req):
        raise ValidationFailed({"internal": _("企业用户不能添加仅内部可见的内容。")})


def _mark_first_response(req: ServiceRequest, user, internal: bool) -> None:
    if internal or req.first_response_at is not None or is_enterprise_user(user, req):
        return
    req.first_response_at = timezone.now()
    _save(req, update_fields=["first_response_at", "updated_at"])


def _not_terminal(req: ServiceRequest, what: str) -> None:
    if req.status in states.TERMINAL:
        raise states.IllegalTransition(
            _("服务需求当前状态为“%(s)s”，不能再%(what)s。")
            % {"s": states.STATUS_LABELS[req.status], "what": what},
            field="status",
        )


@_action
def note_add(*, request: ServiceRequest, text: str, internal: bool = False, by) -> Note:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": _("请填写内容。")})
    if len(text) > 5000:
        raise ValidationFailed({"text": _("内容不能超过5000个字符。")})
    req = _lock(request)
    require(_may_work(by, req), _("您无权在该需求上添加备注。"))
    _check_internal(by, req, internal)
    _not_terminal(req, _("添加备注"))
    note = Note.objects.create(request=req, author=by, text=text, internal=internal)
    _mark_first_response(req, by, internal)
    _event(req, by, "note_added", text[:200], {"note": note.pk}, internal=internal)
    if not internal and not is_enterprise_user(by, req):
        _tell(
            req,
            enterprise_users(req),
            "desk.request.status_changed",
            _("服务需求 %(number)s 有新的办理进展") % {"number": req.number},
            text[:200],
        )
    return note


@_action
def link_add(
    *, request: ServiceRequest, kind: str, ref: str, title: str = "", internal: bool = False, by
) -> Link:
    ref = (ref or "").strip()
    errors = {}
    if kind not in Link.Kind.values:
        errors["kind"] = _("关联类型应为：%(v)s。") % {"v": choices_text(Link.Kind.choices)}
    if not ref:
        errors["ref"] = _("请填写关联记录的编号。")
    elif len(ref) > 100:
        errors["ref"] = _("编号不能超过100个字符。")
    if len(title or "") > 200:
        errors["title"] = _("说明不能超过200个字符。")
    if errors:
        raise ValidationFailed(errors)
    req = _lock(request)
    require(_may_work(by, req), _("您无权在该需求上添加关联。"))
    _check_internal(by, req, internal)
    if req.links.filter(kind=kind, ref=ref).exists():
        raise ValidationFailed({"ref": _("该记录已关联。")})
    link = Link.objects.create(
        request=req, kind=kind, ref=ref, title=(title or "").strip(), internal=internal, created_by=by
    )
    _event(
        req,
        by,
        "link_added",
        f"{link.get_kind_display()} {ref}",
        {"link": link.pk, "kind": kind, "ref": ref},
        internal=internal,
    )
    return link
