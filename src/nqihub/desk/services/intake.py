"""Intake: a new service request — the form's checks, the enterprise it is for, its number, its route and
deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from nqihub.core import numbering, policy
from nqihub.core.choices import choices_text
from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Industry, Membership
from nqihub.core.policy import require
from nqihub.core.scoping import scope_of, visible
from nqihub.core.search import segment
from nqihub.directory.models import Enterprise

from .. import deadlines
from ..models import Category, ServiceRequest
from ._common import _action, _event, _save, _tell, station_users
from .triage import compute_route

# --- numbers -----------------------------------------------------------------------------------------


def _next_number(year: int) -> str:
    """FW-2026-000123: the request counter of the year (``core.numbering``, concurrency-safe)."""
    return numbering.yearly_number("FW", year, key=f"desk.request:{year}")


# --- intake ------------------------------------------------------------------------------------------


@dataclass
class RequestData:
    categories: list[str]
    title: str
    description: str
    industry: str | None = None
    product: str = ""
    urgency: str = ServiceRequest.Urgency.NORMAL
    desired_by: date | None = None
    enterprise_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    #: online / api for an enterprise's own request; visit / walk_in when station staff file it.
    channel: str | None = None
    #: the channel of an enterprise's own request when ``channel`` is not given (api: the REST API).
    own_channel: str = ServiceRequest.Channel.ONLINE
    extra: dict = field(default_factory=dict)


def _validate(data: RequestData) -> dict:
    errors: dict[str, str] = {}
    cleaned: dict = {}
    cats = [c.strip() for c in (data.categories or []) if c and c.strip()]
    bad = [c for c in cats if c not in Category.values]
    if not cats:
        errors["categories"] = _("请至少选择一个需求类别：%(v)s。") % {"v": choices_text(Category.choices)}
    elif bad:
        errors["categories"] = _("需求类别“%(bad)s”无效，应为：%(v)s。") % {
            "bad": "、".join(bad),
            "v": choices_text(Category.choices),
        }
    cleaned["categories"] = "," + ",".join(c for c in Category.values if c in set(cats)) + "," if cats else ""
    industry = (data.industry or "").strip().upper()
    cleaned["industry"] = None
    if industry:
        cleaned["industry"] = Industry.objects.filter(code=industry).first()
        if cleaned["industry"] is None:
            errors["industry"] = _("行业代码“%(code)s”不在 GB/T 4754-2017 中。") % {"code": industry}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _("请填写标题。")
    elif len(title) > 200:
        errors["title"] = _("标题不能超过200个字符。")
    description = (data.description or "").strip()
    if not description:
        errors["description"] = _("请描述遇到的问题。")
    elif len(description) > 5000:
        errors["description"] = _("问题描述不能超过5000个字符。")
    product = (data.product or "").strip()
    if len(product) > 200:
        errors["product"] = _("产品不能超过200个字符。")
    if data.urgency not in ServiceRequest.Urgency.values:
        errors["urgency"] = _("紧急程度应为：%(v)s。") % {"v": choices_text(ServiceRequest.Urgency.choices)}
    if data.desired_by is not None and data.desired_by < timezone.localdate():
        errors["desired_by"] = _("期望完成日期不能早于今天。")
    phone = (data.contact_phone or "").strip().replace("-", "").replace(" ", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        errors["contact_phone"] = _("联系电话应为7–15位数字。")
    if len((data.contact_name or "").strip()) > 64:
        errors["contact_name"] = _("联系人不能超过64个字符。")
    if errors:
        raise ValidationFailed(errors)
    cleaned.update(
        title=title,
        description=description,
        product=product,
        urgency=data.urgency,
        desired_by=data.desired_by,
        contact_name=(data.contact_name or "").strip(),
        contact_phone=phone,
    )
    return cleaned


def request_validate(data: RequestData) -> None:
    """The intake form's checks alone (``ValidationFailed`` field by field), so that a form can show
    them together with problems found elsewhere (e.g. a refused attachment) before anything is saved."""
    _validate(data)


def _intake_enterprise(data: RequestData, by) -> tuple[Enterprise, str]:
    """The enterprise the request is for and the channel: the user's own enterprise, or (station staff)
    an enterprise in the station's service area, filed on a visit or at the window."""
    own = list(
        Enterprise.objects.filter(
            organisation__memberships__user=by,
            organisation__memberships__role=Membership.Role.ENTERPRISE_USER,
        )
        .distinct()
        .order_by("pk")
    )
    if data.enterprise_id is None:
        if len(own) == 1:
            enterprise = own[0]
        elif not own:
            raise ValidationFailed({"enterprise_id": _("请指定企业（enterprise_id）。")})
        else:
            raise ValidationFailed({"enterprise_id": _("您关联了多家企业，请指定企业（enterprise_id）。")})
    else:
        enterprise = next((e for e in own if e.pk == data.enterprise_id), None)
        if enterprise is None:
            enterprise = Enterprise.objects.filter(visible(by, Enterprise), pk=data.enterprise_id).first()
            scope = scope_of(by)
            on_behalf = scope.is_admin or bool(policy.station_orgs(scope))
            if (
                enterprise is None
                or not on_behalf
                or (not scope.is_admin and not policy.station_covers(by, enterprise.region_id))
            ):
                raise ValidationFailed({"enterprise_id": _("企业不存在，或不在您可代为提交的服务区域内。")})
    is_own = enterprise in own
    channel = data.channel
    if is_own:
        if channel not in (None, "", ServiceRequest.Channel.ONLINE, ServiceRequest.Channel.API):
            raise ValidationFailed({"channel": _("企业自行提交的需求，渠道应为 online 或 api。")})
        channel = channel or data.own_channel
    else:
        channel = channel or ServiceRequest.Channel.WALK_IN
        if channel not in (ServiceRequest.Channel.VISIT, ServiceRequest.Channel.WALK_IN):
            raise ValidationFailed(
                {"channel": _("代企业提交的需求，渠道应为 visit（走访）或 walk_in（窗口）。")}
            )
    return enterprise, channel


@_action
def request_create(*, data: RequestData, by) -> ServiceRequest:
    require(getattr(by, "is_authenticated", False), _("请先登录。"))
    cleaned = _validate(data)
    enterprise, channel = _intake_enterprise(data, by)
    industry = cleaned["industry"] or enterprise.industry
    station, platform, level, reason = compute_route(
        enterprise.region_id, industry.code if industry else None
    )
    today = timezone.localdate()
    cats = [c for c in cleaned["categories"].split(",") if c]
    req = ServiceRequest(
        number=_next_number(today.year),
        enterprise=enterprise,
        region_id=enterprise.region_id,
        categories=cleaned["categories"],
        industry=industry,
        product=cleaned["product"],
        title=cleaned["title"],
        description=cleaned["description"],
        urgency=cleaned["urgency"],
        desired_by=cleaned["desired_by"],
        contact_name=cleaned["contact_name"],
        contact_phone=cleaned["contact_phone"],
        channel=channel,
        created_by=by,
        station=station,
        handling_region=platform,
        routing_level=level,
        routing_reason=reason[:500],
        accept_by=deadlines.deadline(today, deadlines.ACCEPT_DAYS),
        respond_by=deadlines.deadline(today, deadlines.RESPOND_DAYS),
        resolve_by=deadlines.deadline(today, deadlines.resolve_days(cats)),
    )
    req.search_text = segment(req.title, req.description, req.product, enterprise.name)
    _save(req)
    _event(
        req,
        by,
        "submitted",
        _("提交服务需求（%(channel)s）") % {"channel": req.get_channel_display()},
        {"channel": channel},
    )
    _event(
        req,
        None,
        "routed",
        reason,
        {
            "station": station.pk if station else None,
            "level": level,
            "platform": platform.code if platform else None,
        },
    )
    _tell(
        req,
        lambda: station_users(req),  # looked up after the commit
        "desk.request.status_changed",
        _("新的服务需求 %(number)s：%(title)s") % {"number": req.number, "title": req.title},
        reason,
    )
    return req
