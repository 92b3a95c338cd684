"""HTML pages of the one-stop service desk (一站式服务): the consoles per role, intake, and the request
page with its actions, work and timeline.

Thin: reads through ``selectors`` (a request outside the user's scope is a 404, for pages and actions
alike), writes through ``services``. A ``ValidationFailed`` is shown on the form field by field; any other
``DomainError`` (an illegal transition, an action this user may not take) is shown as a message on the
request page and nothing changes.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.http import form_data, is_htmx, scoped_or_404
from nqihub.core.models import Membership, Organisation
from nqihub.core.scoping import scope_of
from nqihub.directory import selectors as directory_selectors
from nqihub.notifications.services import notification_action_done

from . import selectors, services, states, tracking
from .forms import (
    AttachmentForm,
    CallbackForm,
    CompleteForm,
    LinkForm,
    NoteForm,
    RateForm,
    ReasonForm,
    ReassignForm,
    RectifyForm,
    RequestFilterForm,
    RequestForm,
    RerouteForm,
    ResolveForm,
    tri_state,
)
from .models import Assignment, Category, ServiceRequest

PAGE_SIZE = 25
CHOICES_LIMIT = 300


# --- helpers -------------------------------------------------------------------------------------------


def _get_request(request, pk: int) -> ServiceRequest:
    return scoped_or_404(selectors.request_get, request, pk)


def _detail_url(req_or_pk, anchor: str = "") -> str:
    pk = req_or_pk.pk if isinstance(req_or_pk, ServiceRequest) else req_or_pk
    url = reverse("desk:request-detail", args=[pk])
    return f"{url}#{anchor}" if anchor else url


def _after_action(request, pk: int, anchor: str = ""):
    """Back to the request page, or to the list when the action took the request out of the user's
    scope (a re-route to another station)."""
    try:
        selectors.request_get(fetched_by=request.user, pk=pk)
    except ServiceRequest.DoesNotExist:
        return redirect("desk:request-list")
    return redirect(_detail_url(pk, anchor))


class Roles:
    """What the user does at the desk; one person may hold several roles."""

    def __init__(self, user):
        scope = scope_of(user)
        self.scope = scope
        self.admin = scope.is_admin
        self.enterprise = Membership.Role.ENTERPRISE_USER in scope.roles
        self.station = Membership.Role.STATION_STAFF in scope.roles
        self.assignee = bool({Membership.Role.EXPERT, Membership.Role.INSTITUTION_STAFF} & scope.roles)
        self.regulator = scope.is_regulator

    @property
    def can_file(self) -> bool:
        return self.enterprise or self.station or self.admin


# --- lists ---------------------------------------------------------------------------------------------


def _tabs(user, roles: Roles) -> list[dict]:
    """The tabs of the request console, in the order of the user's roles; the first is the default."""
    tabs: list[dict] = []
    if roles.enterprise:
        tabs += [
            {"key": "mine", "label": _("我的诉求")},
            {"key": "to_rate", "label": _("待评价")},
        ]
    if roles.station:
        tabs += [
            {"key": "new", "label": _("待受理")},
            {"key": "overdue", "label": _("已超期")},
            {"key": "handled", "label": _("我处理的")},
            {"key": "all", "label": _("全部")},
        ]
    if roles.assignee:
        tabs += [{"key": "assignments", "label": _("我的工单"), "url": reverse("desk:assignment-list")}]
    if roles.regulator:
        tabs += [
            {"key": "region", "label": _("辖区诉求")},
            {"key": "overdue", "label": _("超期")},
        ]
    if roles.assignee and not (roles.enterprise or roles.station or roles.regulator):
        tabs += [{"key": "all", "label": _("相关诉求")}]
    seen, unique = set(), []
    for tab in tabs:
        if tab["key"] not in seen:
            seen.add(tab["key"])
            unique.append(tab)
    if not unique:
        unique = [{"key": "all", "label": _("全部")}]
    return unique


def _tab_queryset(user, tab: str, filters: dict):
    own_enterprise_orgs = scope_of(user).org_ids_of_kind(Organisation.Kind.ENTERPRISE)
    if tab == "handled":
        return selectors.request_list(fetched_by=user, handled_by=user, **filters)
    if tab == "overdue":
        filters = {**filters, "overdue": True}
        qs = selectors.request_list(fetched_by=user, **filters)
        return qs.filter(status__in=states.OPEN) if not filters.get("status") else qs
    if tab == "new":
        qs = selectors.request_list(
            fetched_by=user, **{**filters, "status": filters.get("status") or "submitted"}
        )
        return qs
    qs = selectors.request_list(fetched_by=user, **filters)
    if tab == "mine":
        qs = qs.filter(enterprise__organisation_id__in=own_enterprise_orgs)
    elif tab == "to_rate":
        qs = qs.filter(enterprise__organisation_id__in=own_enterprise_orgs, status=states.RESOLVED)
    return qs


def _station_choices(user) -> list[tuple[int, str]]:
    return [
        (s.pk, s.name)
        for s in directory_selectors.station_list(fetched_by=user).order_by("name")[:CHOICES_LIMIT]
    ]


@login_required
def request_list(request):
    user = request.user
    roles = Roles(user)
    tabs = _tabs(user, roles)
    keys = [t["key"] for t in tabs if "url" not in t]
    tab = request.GET.get("tab") or (keys[0] if keys else "all")
    if tab not in keys:
        tab = keys[0] if keys else "all"
    form = RequestFilterForm(
        request.GET or None, station_choices=_station_choices(user) if roles.regulator else None
    )
    qs = _tab_queryset(user, tab, form.filters())
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for tab_item in tabs:
        tab_item["active"] = tab_item["key"] == tab and "url" not in tab_item
    context = {
        "tabs": tabs,
        "tab": tab,
        "form": form,
        "page_obj": page_obj,
        "can_file": roles.can_file,
        "show_enterprise": not roles.enterprise or roles.station or roles.regulator,
        "today": timezone.localdate(),
    }
    if is_htmx(request) and request.headers.get("HX-Target") == "list-body":
        return render(request, "desk/_partials/request_list_body.html", context)
    return render(request, "desk/request_list.html", context)


ASSIGNMENT_TABS = [
    ("open", gettext_lazy("待办"), [Assignment.Status.OFFERED, Assignment.Status.ACCEPTED]),
    ("completed", gettext_lazy("已完成"), [Assignment.Status.COMPLETED]),
    ("all", gettext_lazy("全部"), None),
]


@login_required
def assignment_list(request):
    tab = request.GET.get("tab") or "open"
    tabs = [{"key": k, "label": label, "active": k == tab} for k, label, _s in ASSIGNMENT_TABS]
    statuses = next((s for k, _label, s in ASSIGNMENT_TABS if k == tab), None)
    qs = selectors.my_assignments(fetched_by=request.user).select_related(
        "request__enterprise", "request__station"
    )
    if statuses:
        qs = qs.filter(status__in=statuses)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/assignment_list.html",
        {"tabs": tabs, "tab": tab, "page_obj": page_obj, "today": timezone.localdate()},
    )


# --- intake --------------------------------------------------------------------------------------------


def _enterprise_label(e) -> str:
    parts = [e.name, e.region.name if e.region_id else ""]
    if e.industry_id:
        parts.append(f"{e.industry_id} {e.industry.name}")
    return " · ".join(p for p in parts if p)


def _request_data(cleaned: dict, *, enterprise_id, channel) -> services.RequestData:
    return services.RequestData(
        categories=cleaned.get("categories") or [],
        title=cleaned.get("title") or "",
        description=cleaned.get("description") or "",
        industry=(cleaned.get("industry") or "").strip() or None,
        product=cleaned.get("product") or "",
        urgency=cleaned.get("urgency") or ServiceRequest.Urgency.NORMAL,
        desired_by=cleaned.get("desired_by"),
        enterprise_id=enterprise_id,
        contact_name=cleaned.get("contact_name") or "",
        contact_phone=cleaned.get("contact_phone") or "",
        channel=channel,
    )


ERROR_ALIASES = {"enterprise_id": "enterprise", "file": "attachments"}


@login_required
def request_create(request):
    user = request.user
    roles = Roles(user)
    if not roles.can_file:
        raise Forbidden(_("只有企业用户或质量服务站工作人员可以提交服务需求。"))
    enterprises = list(selectors.intake_enterprises(fetched_by=user))
    own_orgs = set(roles.scope.org_ids_of_kind(Organisation.Kind.ENTERPRISE))
    own = [e for e in enterprises if e.organisation_id in own_orgs]
    on_behalf = roles.station or roles.admin
    single = own[0] if len(own) == 1 and not on_behalf else None
    if single is None and not enterprises:
        raise Forbidden(_("您的服务区域内没有可代为提交的企业。"))
    initial = {}
    if single is not None:
        initial["industry"] = single.industry_id or ""
    # Prefill from a link such as the CCC guidance's "申请认证帮助" (?categories=certification&product=…).
    if request.method == "GET":
        known = {value for value, _label in Category.choices}
        picked = [c for c in request.GET.getlist("categories") if c in known]
        if picked:
            initial["categories"] = picked
        if request.GET.get("product"):
            initial["product"] = request.GET["product"].strip()[:200]
    max_mb = services.attachment_max_bytes() // (1024 * 1024)
    form = RequestForm(
        form_data(request),
        request.FILES or None,
        initial=initial,
        enterprise_choices=None
        if single is not None
        else [(e.pk, _enterprise_label(e)) for e in enterprises],
        on_behalf=on_behalf,
        max_mb=max_mb,
    )
    if request.method == "POST":
        valid = form.is_valid()
        cleaned = form.cleaned_data
        enterprise_id = single.pk if single is not None else cleaned.get("enterprise")
        channel = None
        if on_behalf and enterprise_id is not None and enterprise_id not in {e.pk for e in own}:
            channel = cleaned.get("channel") or ServiceRequest.Channel.VISIT
        data = _request_data(cleaned, enterprise_id=enterprise_id, channel=channel)
        uploads = list(cleaned.get("attachments") or [])
        errors: dict[str, str] = {}
        try:
            services.request_validate(data)
        except ValidationFailed as exc:
            errors.update({k: v for k, v in exc.errors.items() if k not in form.errors})
        for upload in uploads:
            try:
                services.check_upload(upload)
            except ValidationFailed as exc:
                form.add_error("attachments", exc.errors.get("file") or exc.message)
        if errors:
            form.add_service_errors(errors, ERROR_ALIASES)
        if valid and not form.errors:
            try:
                with transaction.atomic():
                    req = services.request_create(data=data, by=user)
                    for upload in uploads:
                        services.attachment_add(request=req, upload=upload, by=user)
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors, ERROR_ALIASES)
            except services.PermissionDenied as exc:
                raise Forbidden(exc.message) from exc
            else:
                messages.success(
                    request,
                    _(
                        "服务需求 %(number)s 已提交，查询码 %(code)s（凭编号和查询码无需登录即可查询进度）。%(reason)s"
                    )
                    % {"number": req.number, "code": req.track_code, "reason": req.routing_reason},
                )
                return redirect("desk:request-detail", req.pk)
    return render(
        request,
        "desk/request_form.html",
        {
            "form": form,
            "single": single,
            "on_behalf": on_behalf,
            "files_dropped": request.method == "POST" and bool(request.FILES),
        },
    )


# --- the request page ----------------------------------------------------------------------------------


def _deadlines(req: ServiceRequest, today: date) -> list[dict]:
    overdue = set(req.overdue_list)
    is_open = req.status in states.OPEN
    accept_done = req.status != states.SUBMITTED
    rows = [
        {
            "label": _("受理时限"),
            "due": req.accept_by,
            "done_at": req.accepted_at,
            "done": accept_done,
            "overdue": "accept" in overdue or (not accept_done and today > req.accept_by),
        },
        {
            "label": _("首次响应时限"),
            "due": req.respond_by,
            "done_at": req.first_response_at,
            "done": req.first_response_at is not None or not is_open,
            "overdue": "respond" in overdue
            or (is_open and req.first_response_at is None and today > req.respond_by),
        },
        {
            "label": _("办结时限"),
            "due": req.resolve_by,
            "done_at": req.resolved_at,
            "done": req.resolved_at is not None or not is_open,
            "overdue": "resolve" in overdue or (is_open and today > req.resolve_by),
        },
    ]
    return rows


def _suggestions(req: ServiceRequest, user, taken: set) -> dict:
    found = selectors.suggest_assignees(req, user)
    for s in found["experts"] + found["institutions"]:
        s.key = f"{s.assignee_type}:{s.assignee_id}"
        s.note_name = f"note_{s.assignee_type}_{s.assignee_id}"
        s.taken = s.key in taken
    return found


def _other_assignees(req: ServiceRequest, user) -> list[tuple[str, str]]:
    """Experts and institutions of the request's province not in the suggestions, for a manual pick."""
    province = req.region_id[:2] + "0000"
    experts = directory_selectors.expert_list(fetched_by=user, region=province).order_by("name")
    institutions = directory_selectors.institution_list(fetched_by=user, region=province).order_by("name")
    return [(f"expert:{e.pk}", _("专家：%(name)s") % {"name": e.name}) for e in experts[:CHOICES_LIMIT]] + [
        (f"institution:{i.pk}", _("机构：%(name)s") % {"name": i.name}) for i in institutions[:CHOICES_LIMIT]
    ]


REASSIGNABLE = (Assignment.Status.OFFERED, Assignment.Status.ACCEPTED, Assignment.Status.DECLINED)


def _can_reassign(req: ServiceRequest, a: Assignment, *, triage: bool, handed_on: set) -> bool:
    """Mirrors ``services.assignment_reassign``: station staff of the routed station (or admins), while
    the request is dispatched or in progress, for an offered, accepted or declined assignment; a declined
    one already handed on to someone else is not offered again."""
    if not triage or req.status not in (states.DISPATCHED, states.IN_PROGRESS):
        return False
    if a.status == Assignment.Status.DECLINED and a.pk in handed_on:
        return False
    return a.status in REASSIGNABLE


def _reassign_choices(suggestions: dict, other: list[tuple[str, str]], taken: set) -> list:
    """Grouped ``<select>`` choices: the ranked suggestions first (with their score), then the others of
    the province; assignees with an open assignment on the request are left out."""
    groups = []
    seen = set(taken)
    for label, rows in (
        (_("推荐专家"), suggestions["experts"]),
        (_("推荐技术机构"), suggestions["institutions"]),
    ):
        items = []
        for s in rows:
            key = f"{s.assignee_type}:{s.assignee_id}"
            if key in seen:
                continue
            seen.add(key)
            items.append((key, _("%(name)s（得分 %(score).1f）") % {"name": s.name, "score": s.score}))
        if items:
            groups.append((label, items))
    rest = [(key, label) for key, label in other if key not in seen]
    if rest:
        groups.append((_("其他承办方"), rest))
    return groups


def _without(choices: list, key: str) -> list:
    return [(label, [(k, v) for k, v in items if k != key]) for label, items in choices]


def _detail_context(request, req: ServiceRequest, *, bound: dict | None = None, open_panel: str = "") -> dict:
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    actions = selectors.allowed_actions(fetched_by=user, request=req)
    triage = services.can_triage(user, req)
    is_enterprise = services.is_enterprise_user(user, req)
    regulator = services.is_regulator_of(user, req)
    sees_internal = services.sees_internal(user, req)
    assignments = list(req.assignments.all())
    taken = {
        f"{a.assignee_type}:{a.assignee_id}"
        for a in assignments
        if a.status in (Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
    }
    dispatchable = "dispatch" in actions
    handed_on = (
        {e.data.get("from_assignment") for e in req.events.filter(kind="assignment_reassigned").only("data")}
        if triage and any(a.status == Assignment.Status.DECLINED for a in assignments)
        else set()
    )
    reassignable = any(_can_reassign(req, a, triage=triage, handed_on=handed_on) for a in assignments)
    suggestions = _suggestions(req, user, taken) if dispatchable or reassignable else None
    other_assignees = _other_assignees(req, user) if dispatchable or reassignable else []
    reassign_choices = _reassign_choices(suggestions, other_assignees, taken) if reassignable else []
    rows = []
    for a in assignments:
        mine = services.is_assignee(user, a)
        can_reassign = _can_reassign(req, a, triage=triage, handed_on=handed_on)
        own_key = f"{a.assignee_type}:{a.assignee_id}"
        rows.append(
            {
                "a": a,
                "mine": mine,
                "can_accept": mine and a.status == Assignment.Status.OFFERED,
                "can_decline": mine and a.status == Assignment.Status.OFFERED,
                "can_complete": mine and a.status == Assignment.Status.ACCEPTED,
                "decline_form": bound.get(f"decline-{a.pk}") or ReasonForm(prefix=f"decline-{a.pk}"),
                "complete_form": bound.get(f"complete-{a.pk}") or CompleteForm(prefix=f"complete-{a.pk}"),
                "can_reassign": can_reassign,
                "reassign_form": (
                    bound.get(f"reassign-{a.pk}")
                    or ReassignForm(
                        prefix=f"reassign-{a.pk}", assignee_choices=_without(reassign_choices, own_key)
                    )
                )
                if can_reassign
                else None,
            }
        )
    rect = getattr(req, "rectification", None)
    terminal = req.status in states.TERMINAL
    forms = {
        "reject": bound.get("reject") or ReasonForm(prefix="reject"),
        "withdraw": bound.get("withdraw") or ReasonForm(prefix="withdraw"),
        "reroute": bound.get("reroute")
        or (
            RerouteForm(prefix="reroute", station_choices=_reroute_choices(user, req))
            if "reroute" in actions
            else None
        ),
        "resolve": bound.get("resolve") or ResolveForm(prefix="resolve"),
        "rate": bound.get("rate")
        or RateForm(prefix="rate", assignments=services.ratable(req) if "rate" in actions else ()),
        "note": bound.get("note") or NoteForm(prefix="note"),
        "attachment": bound.get("attachment") or AttachmentForm(prefix="attachment"),
        "link": bound.get("link") or LinkForm(prefix="link"),
        "rectify": bound.get("rectify") or RectifyForm(prefix="rectify"),
        "callback": bound.get("callback") or CallbackForm(prefix="callback"),
    }
    can_mark_internal = not is_enterprise or sees_internal
    if not can_mark_internal:
        for name in ("note", "attachment", "link"):
            forms[name].fields.pop("internal", None)
    return {
        "req": req,
        "actions": actions,
        "action_labels": states.ACTION_LABELS,
        "forms": forms,
        "open_panel": open_panel,
        "dispatch_errors": bound.get("dispatch_errors", []),
        "dispatch_posted": bound.get("dispatch_posted", {}),
        "suggestions": suggestions if dispatchable else None,
        "other_assignees": other_assignees if dispatchable else [],
        "assignment_rows": rows,
        "notes": list(selectors.notes(fetched_by=user, request=req)),
        "attachments": list(selectors.attachments(fetched_by=user, request=req)),
        "links": list(selectors.links(fetched_by=user, request=req)),
        "timeline": list(selectors.timeline(fetched_by=user, request=req)),
        "deadlines": _deadlines(req, today),
        "rect": rect,
        "can_rectify": rect is not None and triage and rect.status == rect.Status.OPEN,
        "can_callback": rect is not None and (triage or regulator) and rect.status == rect.Status.ANSWERED,
        "can_work": not terminal,
        "can_mark_internal": can_mark_internal,
        "show_contact": triage or is_enterprise,
        "can_view_contact": not (triage or is_enterprise) and services.sees_contact(user, req),
        "sees_internal": sees_internal,
        "is_enterprise": is_enterprise,
        "show_track_code": _sees_track_code(user, req),
        "today": today,
        "max_mb": services.attachment_max_bytes() // (1024 * 1024),
    }


def _sees_track_code(user, req: ServiceRequest) -> bool:
    return tracking.sees_track_code(user, req)


def _reroute_choices(user, req: ServiceRequest) -> list[tuple[int, str]]:
    return [(pk, name) for pk, name in _station_choices(user) if pk != req.station_id]


def _render_detail(request, req: ServiceRequest, **kwargs):
    return render(request, "desk/request_detail.html", _detail_context(request, req, **kwargs))


@login_required
def request_detail(request, pk: int):
    return _render_detail(request, _get_request(request, pk))


# --- request actions -----------------------------------------------------------------------------------

SUCCESS = {
    "accept": gettext_lazy("已受理。"),
    "reject": gettext_lazy("已退回。"),
    "reroute": gettext_lazy("已改派。"),
    "dispatch": gettext_lazy("已派单。"),
    "resolve": gettext_lazy("已办结，已请企业评价。"),
    "rate": gettext_lazy("感谢您的评价。"),
    "withdraw": gettext_lazy("已撤回。"),
    "close": gettext_lazy("已关闭。"),
}


def _dispatch_specs(post) -> tuple[list[services.AssigneeSpec], dict]:
    chosen = list(post.getlist("assignee"))
    other = (post.get("other") or "").strip()
    if other and other not in chosen:
        chosen.append(other)
    specs = []
    for value in chosen:
        kind, _sep, ident = value.partition(":")
        if (
            kind not in (Assignment.AssigneeType.EXPERT, Assignment.AssigneeType.INSTITUTION)
            or not ident.isdigit()
        ):
            continue
        note = post.get(f"note_{kind}_{ident}") or (post.get("other_note") if value == other else "") or ""
        specs.append(services.AssigneeSpec(kind, int(ident), note.strip()))
    posted = {"chosen": set(chosen), "notes": {k: v for k, v in post.items() if k.startswith("note_")}}
    posted["other"], posted["other_note"] = other, post.get("other_note", "")
    return specs, posted


def _run_form_action(request, req, action: str, form, call, *, anchor: str = "actions"):
    """Validate ``form``, run ``call(cleaned)``; field errors go back on the form, domain errors become
    a message on the request page."""
    if form is not None and not form.is_valid():
        return _render_detail(request, req, bound={action: form}, open_panel=action)
    try:
        call(form.cleaned_data if form is not None else {})
    except ValidationFailed as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect(_detail_url(req, anchor))
        form.add_service_errors(exc.errors)
        return _render_detail(request, req, bound={action: form}, open_panel=action)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(req, anchor))
    return None


@login_required
@require_POST
def request_action(request, pk: int, action: str):
    if action not in SUCCESS:
        raise Http404
    req = _get_request(request, pk)
    user = request.user
    post = request.POST
    if action == "dispatch":
        specs, posted = _dispatch_specs(post)
        try:
            services.request_dispatch(request=req, assignees=specs, by=user)
        except ValidationFailed as exc:
            return _render_detail(
                request,
                req,
                bound={"dispatch_errors": list(exc.errors.values()), "dispatch_posted": posted},
                open_panel="dispatch",
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(_detail_url(req, "actions"))
        messages.success(request, SUCCESS[action])
        return _after_action(request, pk, "assignments")

    calls = {
        "accept": (None, lambda c: services.request_accept(request=req, by=user)),
        "close": (None, lambda c: services.request_close(request=req, by=user)),
        "reject": (
            ReasonForm(post, prefix="reject"),
            lambda c: services.request_reject(request=req, reason=c["reason"], by=user),
        ),
        "withdraw": (
            ReasonForm(post, prefix="withdraw"),
            lambda c: services.request_withdraw(request=req, reason=c["reason"], by=user),
        ),
        "reroute": (
            RerouteForm(post, prefix="reroute", station_choices=_reroute_choices(user, req)),
            lambda c: services.request_reroute(
                request=req, reason=c["reason"], station_id=c.get("station_id"), by=user
            ),
        ),
        "resolve": (
            ResolveForm(post, prefix="resolve"),
            lambda c: services.request_resolve(
                request=req,
                resolution=services.Resolution(
                    outcome=c.get("outcome") or "",
                    summary=c.get("summary") or "",
                    technical_problem=tri_state(c.get("technical_problem")),
                    cost_saved=(c.get("cost_saved") or "").replace(",", "").strip() or None,
                    loss_avoided=(c.get("loss_avoided") or "").replace(",", "").strip() or None,
                    standards_drafted=c.get("standards_drafted") or 0,
                    certifications_obtained=c.get("certifications_obtained") or 0,
                ),
                by=user,
            ),
        ),
        "rate": (
            rate_form := RateForm(post, prefix="rate", assignments=services.ratable(req)),
            lambda c: services.request_rate(
                request=req,
                score=c["score"],
                comment=c.get("comment", ""),
                assignees=rate_form.assignee_ratings(),
                by=user,
            ),
        ),
    }
    form, call = calls[action]
    started = timezone.now()
    response = _run_form_action(request, req, action, form, call)
    if response is not None:
        return response
    if action == "rate":
        notification_action_done(obj=req, action="rate", before=started)
    messages.success(request, SUCCESS[action])
    return _after_action(request, pk, "rectification" if action == "rate" else "")


# --- assignments ---------------------------------------------------------------------------------------

ASSIGNMENT_SUCCESS = {
    "accept": gettext_lazy("已接单。"),
    "decline": gettext_lazy("已拒单。"),
    "complete": gettext_lazy("工单已完成。"),
}


def _assignment_and_request(request, pk: int) -> tuple[Assignment, ServiceRequest]:
    """An assignment of a request in the user's scope, and that request; else 404."""
    assignment = scoped_or_404(selectors.assignment_get, request, pk)
    return assignment, _get_request(request, assignment.request_id)


@login_required
@require_POST
def assignment_action(request, pk: int, action: str):
    if action not in ASSIGNMENT_SUCCESS:
        raise Http404
    assignment, req = _assignment_and_request(request, pk)
    user = request.user
    key = f"{action}-{assignment.pk}"
    calls = {
        "accept": (None, lambda c: services.assignment_accept(assignment=assignment, by=user)),
        "decline": (
            ReasonForm(request.POST, prefix=key),
            lambda c: services.assignment_decline(assignment=assignment, reason=c["reason"], by=user),
        ),
        "complete": (
            CompleteForm(request.POST, prefix=key),
            lambda c: services.assignment_complete(
                assignment=assignment, result=c.get("result", ""), by=user
            ),
        ),
    }
    form, call = calls[action]
    started = timezone.now()
    response = _run_form_action(request, req, key, form, call, anchor="assignments")
    if response is not None:
        return response
    if action in ("accept", "decline"):
        notification_action_done(obj=req, action="assignment", users=[user], before=started)
    messages.success(request, ASSIGNMENT_SUCCESS[action])
    return _after_action(request, req.pk, "assignments")


def _assignment_choices(request, req: ServiceRequest, a: Assignment) -> list:
    assignments = list(req.assignments.all())
    taken = {
        f"{x.assignee_type}:{x.assignee_id}"
        for x in assignments
        if x.status in (Assignment.Status.OFFERED, Assignment.Status.ACCEPTED)
    }
    choices = _reassign_choices(
        _suggestions(req, request.user, taken), _other_assignees(req, request.user), taken
    )
    return _without(choices, f"{a.assignee_type}:{a.assignee_id}")


@login_required
@require_POST
def assignment_reassign(request, pk: int):
    """The station takes an assignment back (or after a decline) and gives it to another expert or
    institution, with a reason. Outside the user's scope: 404; a user who sees the request but does not
    handle it at the station: 403."""
    assignment, req = _assignment_and_request(request, pk)
    user = request.user
    if not services.can_triage(user, req):
        raise Forbidden(_("只有受理该需求的服务站（或平台）工作人员可以改派工单。"))
    key = f"reassign-{assignment.pk}"
    form = ReassignForm(
        request.POST, prefix=key, assignee_choices=_assignment_choices(request, req, assignment)
    )

    def call(cleaned):
        kind, ident = form.spec()
        to = services.AssigneeSpec(kind, ident, (cleaned.get("note") or "").strip())
        try:
            services.assignment_reassign(assignment=assignment, to=to, reason=cleaned["reason"], by=user)
        except ValidationFailed as exc:
            aliases = {"assignee_id": "to", "assignee_type": "to"}
            raise ValidationFailed({aliases.get(k, k): v for k, v in exc.errors.items()}) from exc

    response = _run_form_action(request, req, key, form, call, anchor="assignments")
    if response is not None:
        return response
    messages.success(request, _("工单已改派。"))
    return _after_action(request, req.pk, "assignments")
