"""Service desk routes under /api/v1: requests, their transitions, work (notes, attachments, links),
rectification, and assignments. Thin: reads through ``selectors`` (outside scope → 404), writes through
``services`` (illegal transition → 409 with the reason, bad input → 422 naming the field, not allowed →
403). A POST carrying ``Idempotency-Key`` that is retried returns the first response.
"""

from __future__ import annotations

import json
from typing import Annotated

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from nqihub.core.api import (
    DETAIL_ERRORS,
    MAX_PAGE_SIZE,
    WRITE_ERRORS,
    ErrorOut,
    ValidationErrorOut,
    attrs,
    page_of,
)
from nqihub.core.bounds import Code, Id
from nqihub.core.choices import choices_text
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.files import file_response
from nqihub.core.http import get_or_404, scoped_or_404
from nqihub.core.regions import is_code
from nqihub.notifications.services import notification_action_done

from . import selectors, services, states, tracking
from .models import Assignment, Category, IdempotencyRecord, Rectification, ServiceRequest
from .schemas_api import (
    AssigneeScoreIn,
    AssignmentOut,
    CallbackIn,
    CompleteIn,
    DispatchIn,
    LinkIn,
    NoteIn,
    RateIn,
    ReasonIn,
    ReassignIn,
    RectifyIn,
    RequestContactOut,
    RequestDetailOut,
    RequestFilter,
    RequestIn,
    RequestPage,
    RerouteIn,
    ResolveIn,
    SuggestionsOut,
    TrackOut,
)

router = Router(tags=["desk"])


class TrackTooMany(DomainError):
    status = 429


IDEMPOTENCY_HEADER = "Idempotency-Key"


# --- serialisation -----------------------------------------------------------------------------------


def _actor(user) -> str | None:
    if user is None:
        return None
    return getattr(user, "display_name", "") or user.get_username()


def _summary(req: ServiceRequest) -> dict:
    return {
        "id": req.pk,
        "number": req.number,
        "status": req.status,
        "status_label": str(states.STATUS_LABELS[req.status]),
        "title": req.title,
        "categories": req.category_list,
        "industry": req.industry_id,
        "product": req.product,
        "urgency": req.urgency,
        "enterprise": {"id": req.enterprise_id, "name": req.enterprise.name},
        "region_code": req.region_id,
        "station": {"id": req.station_id, "name": req.station.name} if req.station_id else None,
        "handling_region": req.handling_region_id,
        "routing_level": req.routing_level,
        "routing_reason": req.routing_reason,
        "due": {"accept_by": req.accept_by, "respond_by": req.respond_by, "resolve_by": req.resolve_by},
        "is_overdue": req.is_overdue,
        "overdue": req.overdue_list,
        "created_at": req.created_at,
    }


def _assignment(a: Assignment) -> dict:
    return {
        "id": a.pk,
        "request_id": a.request_id,
        "request_number": a.request.number,
        "assignee_type": a.assignee_type,
        "assignee": {"id": a.assignee_id, "name": a.assignee_name},
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "note": a.note,
        "reason": a.reason,
        "result": a.result,
        "rating_score": a.rating_score,
        "rating_comment": a.rating_comment,
        "rated_at": a.rated_at,
        "created_at": a.created_at,
        "accepted_at": a.accepted_at,
        "completed_at": a.completed_at,
    }


def _money(value) -> float | None:
    return float(value) if value is not None else None


def _assignments_of(req: ServiceRequest):
    """The request's assignments: prefetched by ``selectors.request_get`` (each knows its request)."""
    if "assignments" in getattr(req, "_prefetched_objects_cache", {}):
        return req.assignments.all()
    return req.assignments.select_related("expert", "institution", "request")


def _detail(req: ServiceRequest, user) -> dict:
    data = _summary(req)
    rect = Rectification.objects.filter(request=req).first()
    data.update(
        description=req.description,
        desired_by=req.desired_by,
        channel=req.channel,
        contact_name=req.masked_contact_name,
        contact_phone=req.masked_contact_phone,
        status_reason=req.status_reason,
        resolution=None
        if not req.outcome
        else {
            "outcome": req.outcome,
            "technical_problem": req.technical_problem,
            "cost_saved": _money(req.cost_saved),
            "loss_avoided": _money(req.loss_avoided),
            "standards_drafted": req.standards_drafted,
            "certifications_obtained": req.certifications_obtained,
            "summary": req.summary,
            "resolved_at": req.resolved_at,
        },
        rating=None
        if req.rating_score is None
        else {
            "score": req.rating_score,
            "comment": req.rating_comment,
            "rated_at": req.rated_at,
        },
        rectification=None
        if rect is None
        else attrs(
            rect,
            "status",
            "score",
            "due_by",
            "is_overdue",
            "response",
            "callback_note",
            "callback_satisfied",
            "callback_at",
        ),
        assignments=[_assignment(a) for a in _assignments_of(req)],
        timeline=[
            attrs(e, "at", "kind", "message", "internal", actor=_actor(e.actor))
            for e in selectors.timeline(fetched_by=user, request=req)
        ],
        notes=[
            attrs(n, "text", "internal", "created_at", id=n.pk, author=_actor(n.author))
            for n in selectors.notes(fetched_by=user, request=req)
        ],
        attachments=[
            attrs(a, "name", "size", "content_type", "internal", "uploaded_at", id=a.pk)
            for a in selectors.attachments(fetched_by=user, request=req)
        ],
        links=[
            attrs(link, "kind", "ref", "title", "internal", id=link.pk)
            for link in selectors.links(fetched_by=user, request=req)
        ],
        actions=selectors.allowed_actions(fetched_by=user, request=req),
        track_code=req.track_code if tracking.sees_track_code(user, req) else None,
    )
    return data


def _get(request, id: Id) -> ServiceRequest:
    return scoped_or_404(selectors.request_get, request, id)


def _get_assignment(request, id: Id) -> Assignment:
    return scoped_or_404(selectors.assignment_get, request, id)


def _fresh_detail(request, pk: Id) -> dict:
    return _detail(_get(request, pk), request.user)


def _jsonable(body):
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False))


def _idempotent(request, fn):
    """Run ``fn`` → (status, body) once per (user, Idempotency-Key, route); a retry gets the stored answer.
    The record is written in the same transaction as the action, so a concurrent duplicate rolls back."""
    status, body = _idempotent_run(request, fn)
    return Status(status, body)


def _idempotent_run(request, fn):
    key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not key:
        return fn()
    if len(key) > 200:
        raise ValidationFailed({IDEMPOTENCY_HEADER: _("Idempotency-Key 不能超过200个字符。")})
    route = f"{request.method} {request.path}"[:200]
    stored = IdempotencyRecord.objects.filter(user=request.user, key=key, route=route).first()
    if stored is not None:
        return stored.status, stored.body
    try:
        with transaction.atomic():
            status, body = fn()
            body = _jsonable(body)
            IdempotencyRecord.objects.create(
                user=request.user, key=key, route=route, status=status, body=body
            )
    except IntegrityError:
        stored = IdempotencyRecord.objects.filter(user=request.user, key=key, route=route).first()
        if stored is None:
            raise
        return stored.status, stored.body
    return status, body


# --- requests ----------------------------------------------------------------------------------------


@router.post("/requests", response={201: RequestDetailOut, **WRITE_ERRORS}, summary="File a service request")
def create_request(request, payload: RequestIn):
    def run():
        data = services.RequestData(
            enterprise_id=payload.enterprise_id,
            categories=payload.categories,
            industry=payload.industry,
            product=payload.product,
            title=payload.title,
            description=payload.description,
            urgency=payload.urgency,
            desired_by=payload.desired_by,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            channel=payload.channel or None,
            own_channel="api",
        )
        req = services.request_create(data=data, by=request.user)
        return 201, _fresh_detail(request, req.pk)

    return _idempotent(request, run)


@router.get(
    "/requests/track",
    response={200: TrackOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    auth=None,
    summary="Track a request by its number and track code (public)",
)
def track_request(request, number: Annotated[str, Field(max_length=40)] = "", code: Code = ""):
    """Public: anyone holding both the number and the track code sees status and public timeline;
    a wrong number or a wrong code is the same 404. Rate-limited per client address (429)."""
    if not tracking.allow(request):
        raise TrackTooMany(tracking.limited_message())
    result = tracking.track(number, code)
    if result is None:
        return Status(404, {"detail": _("未找到该需求：请核对需求编号和查询码。")})
    return Status(200, result)


@router.get(
    "/requests",
    response={200: RequestPage, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Service requests in scope",
)
def list_requests(request, filters: Query[RequestFilter]):
    errors = {}
    if filters.status:
        bad = [s for s in filters.status.split(",") if s and s not in states.STATUS_LABELS]
        if bad:
            errors["status"] = _("状态“%(s)s”无效，应为：%(v)s。") % {
                "s": "、".join(bad),
                "v": choices_text(states.STATUS_CHOICES),
            }
    if filters.category and filters.category not in Category.values:
        errors["category"] = _("需求类别应为：%(v)s。") % {"v": choices_text(Category.choices)}
    if filters.region and not is_code(filters.region.strip()):
        errors["region"] = _("行政区划代码应为6位数字。")
    if errors:
        raise ValidationFailed(errors)
    qs = selectors.request_list(
        fetched_by=request.user,
        status=filters.status,
        category=filters.category,
        region=(filters.region or "").strip() or None,
        station=filters.station,
        enterprise=filters.enterprise,
        overdue=filters.overdue,
        q=filters.q,
    )
    return page_of(qs, filters.page, filters.page_size, _summary)


@router.get(
    "/requests/{id}",
    response={200: RequestDetailOut, **DETAIL_ERRORS},
    summary="One service request, with its timeline",
)
def get_request(request, id: Id):
    return _fresh_detail(request, id)


def _action(request, id: Id, call):
    def run():
        req = _get(request, id)
        call(req)
        try:
            return 200, _fresh_detail(request, id)
        except Http404:
            # The action took the request out of the actor's scope (a re-route): answer with what they did.
            req = ServiceRequest.objects.select_related("enterprise", "station", "region", "industry").get(
                pk=id
            )
            return 200, _detail(req, request.user)

    return _idempotent(request, run)


def _request_post(action: str, summary: str):
    """``POST /requests/{id}/<action>``: an action on one request, answered with the request as it is now."""
    return router.post(
        f"/requests/{{id}}/{action}", response={200: RequestDetailOut, **WRITE_ERRORS}, summary=summary
    )


def _service_action(request, id: Id, service, **kwargs):
    """``_action`` running ``service(request=<the request>, by=<the user>, **kwargs)``."""
    return _action(request, id, lambda req: service(request=req, by=request.user, **kwargs))


@_request_post("accept", "Accept (受理)")
def accept_request(request, id: Id):
    return _service_action(request, id, services.request_accept)


@_request_post("reject", "Reject with a reason")
def reject_request(request, id: Id, payload: ReasonIn):
    return _service_action(request, id, services.request_reject, reason=payload.reason)


@_request_post("reroute", "Re-route to another station")
def reroute_request(request, id: Id, payload: RerouteIn):
    return _service_action(
        request, id, services.request_reroute, reason=payload.reason, station_id=payload.station_id
    )


@_request_post("dispatch", "Dispatch into assignments")
def dispatch_request(request, id: Id, payload: DispatchIn):
    specs = [services.AssigneeSpec(a.assignee_type, a.assignee_id, a.note) for a in payload.assignments]
    return _service_action(request, id, services.request_dispatch, assignees=specs)


@_request_post("resolve", "Resolve with the outcome")
def resolve_request(request, id: Id, payload: ResolveIn):
    resolution = services.Resolution(
        outcome=payload.outcome,
        summary=payload.summary,
        technical_problem=payload.technical_problem,
        cost_saved=payload.cost_saved,
        loss_avoided=payload.loss_avoided,
        standards_drafted=payload.standards_drafted,
        certifications_obtained=payload.certifications_obtained,
    )
    return _service_action(request, id, services.request_resolve, resolution=resolution)


@_request_post("rate", "Rate (好差评, 1–5)")
def rate_request(request, id: Id, payload: RateIn):
    started = timezone.now()

    def rate(req):
        services.request_rate(
            request=req,
            score=payload.score,
            comment=payload.comment,
            assignees=[item.dict() for item in payload.assignees],
            by=request.user,
        )
        notification_action_done(obj=req, action="rate", before=started)

    return _action(request, id, rate)


@_request_post("withdraw", "Withdraw with a reason")
def withdraw_request(request, id: Id, payload: ReasonIn):
    return _service_action(request, id, services.request_withdraw, reason=payload.reason)


@_request_post("close", "Close")
def close_request(request, id: Id):
    return _service_action(request, id, services.request_close)


@router.get(
    "/requests/{id}/suggestions",
    response={200: SuggestionsOut, **DETAIL_ERRORS},
    summary="Ranked dispatch suggestions",
)
def request_suggestions(request, id: Id):
    req = _get(request, id)
    if not services.can_triage(request.user, req):
        raise Http404
    found = selectors.suggest_assignees(req, request.user)
    return {
        "experts": [s.as_dict() for s in found["experts"]],
        "institutions": [s.as_dict() for s in found["institutions"]],
        "parameters": found["parameters"],
    }


@_request_post("notes", "Add a note")
def add_note(request, id: Id, payload: NoteIn):
    return _service_action(request, id, services.note_add, text=payload.text, internal=payload.internal)


@_request_post("attachments", "Upload an attachment (PDF, PNG, JPG, XLSX, DOCX)")
def add_attachment(request, id: Id, file: File[UploadedFile], internal: Form[bool] = False):
    return _service_action(request, id, services.attachment_add, upload=file, internal=internal)


@router.get(
    "/requests/{id}/attachments/{attachment_id}",
    response={200: None, **DETAIL_ERRORS},
    summary="Download an attachment",
)
def get_attachment(request, id: Id, attachment_id: Id):
    req = _get(request, id)
    att = get_or_404(selectors.attachment_get, fetched_by=request.user, request=req, pk=attachment_id)
    return file_response(att.file, filename=att.name, content_type=att.content_type)


@_request_post("links", "Link another record")
def add_link(request, id: Id, payload: LinkIn):
    return _service_action(
        request,
        id,
        services.link_add,
        kind=payload.kind,
        ref=payload.ref,
        title=payload.title,
        internal=payload.internal,
    )


@_request_post("rectification/respond", "Answer a rectification (整改)")
def rectification_respond(request, id: Id, payload: RectifyIn):
    return _service_action(request, id, services.rectification_respond, response=payload.response)


@_request_post("rectification/callback", "Record the callback (回访)")
def rectification_callback(request, id: Id, payload: CallbackIn):
    return _service_action(
        request, id, services.rectification_callback, note=payload.note, satisfied=payload.satisfied
    )


# --- assignments -------------------------------------------------------------------------------------


@router.get("/assignments", response={200: list[AssignmentOut], 401: ErrorOut}, summary="My assignments")
def list_assignments(request, status: Code | None = None):
    return [
        _assignment(a)
        for a in selectors.my_assignments(fetched_by=request.user, status=status)[:MAX_PAGE_SIZE]
    ]


def _assignment_post(action: str, summary: str):
    """``POST /assignments/{id}/<action>``: an action on one assignment, answered with the assignment."""
    return router.post(
        f"/assignments/{{id}}/{action}", response={200: AssignmentOut, **WRITE_ERRORS}, summary=summary
    )


def _assignment_action(request, id: Id, call):
    def run():
        a = _get_assignment(request, id)
        result = call(a)
        result = Assignment.objects.select_related("expert", "institution", "request").get(pk=result.pk)
        return 200, _assignment(result)

    return _idempotent(request, run)


@_assignment_post("accept", "Accept an assignment")
def accept_assignment(request, id: Id):
    return _assignment_action(request, id, _settled(request, services.assignment_accept))


@_assignment_post("decline", "Decline with a reason")
def decline_assignment(request, id: Id, payload: ReasonIn):
    return _assignment_action(
        request,
        id,
        _settled(request, services.assignment_decline, reason=payload.reason),
    )


def _settled(request, service, **kwargs):
    """Run an assignment ``service``, then mark the user's 收到新的工单 notification about it read."""
    started = timezone.now()

    def call(a):
        result = service(assignment=a, by=request.user, **kwargs)
        notification_action_done(obj=a.request, action="assignment", users=[request.user], before=started)
        return result

    return call


@_assignment_post("complete", "Complete an assignment")
def complete_assignment(request, id: Id, payload: CompleteIn | None = None):
    result = payload.result if payload is not None else ""
    return _assignment_action(
        request, id, lambda a: services.assignment_complete(assignment=a, result=result, by=request.user)
    )


@_assignment_post(
    "rate", "Rate the assignee (expert or institution) of a resolved request, once (the enterprise)"
)
def rate_assignment(request, id: Id, payload: AssigneeScoreIn):
    return _assignment_action(
        request,
        id,
        lambda a: services.assignment_rate(
            assignment=a, score=payload.score, comment=payload.comment, by=request.user
        ),
    )


@router.get(
    "/requests/{id}/contact",
    response={200: list[RequestContactOut], 403: ErrorOut, **DETAIL_ERRORS},
    summary="The enterprise's contact in clear (its assignees at work, the station); each view is audited",
)
def request_contact(request, id: Id):
    return [vars(c) for c in services.contact_view(request=_get(request, id), by=request.user)]


@_assignment_post("reassign", "Reassign (station)")
def reassign_assignment(request, id: Id, payload: ReassignIn):
    to = services.AssigneeSpec(payload.assignee_type, payload.assignee_id, payload.note)
    return _assignment_action(
        request,
        id,
        lambda a: services.assignment_reassign(assignment=a, to=to, reason=payload.reason, by=request.user),
    )
