"""Writes of the testing app: one function per business action, each in one transaction, each checking who
may do it, each audited (``testing.order.<action>``) and, where someone should hear of it, notified after
the commit.

Who does what:

- the client side — the enterprise's own users, station staff for enterprises of their service area (from
  a service request), a cooperative's admins for its members, regulators of the region (supervision) —
  creates an order, edits it while it is a draft, submits or cancels it;
- the lab's staff (members of the lab's organisation) receive or reject the samples; people with a lab
  role (``LabRole``) enter results (检测), review (审核) and approve (批准) — three different people — and
  the approver or the lab manager issues the report and starts a revision;
- lab managers (and platform admins) assign the lab roles.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core import audit, numbering, policy
from nqihub.core.errors import (
    DomainError,
    IllegalTransition,
    PermissionDenied,  # noqa: F401 - raised here, caught by callers
    ValidationFailed,
)
from nqihub.core.models import Membership, Organisation
from nqihub.core.numbering import next_value
from nqihub.core.policy import require
from nqihub.core.scoping import scope_of
from nqihub.directory.matching import canonical_method_code, parameter_line_q, vocabulary_map
from nqihub.directory.matching import lab_covers as matching_lab_covers
from nqihub.directory.models import (
    Enterprise,
    Institution,
    Parameter,
    ScopeLine,
)
from nqihub.directory.vocabulary import normalise
from nqihub.standards.models import Requirement, Standard
from nqihub.standards.numbers import parse_standard_number
from nqihub.standards.requirements import LABELS as VERDICT_LABELS
from nqihub.standards.requirements import evaluate

from . import states
from .models import (
    Conclusion,
    LabProfile,
    LabRole,
    OrderEvent,
    OrderStatus,
    Origin,
    Report,
    Sample,
    SamplePhoto,
    SignLevel,
    SignOff,
    TestItem,
    TestKind,
    TestOrder,
    Verdict,
)

log = logging.getLogger(__name__)

PRODUCT_MAX = 200
PARAMETER_MAX = 100
METHOD_MAX = 200
REQUIREMENT_MAX = 100
UNIT_MAX = 32
RESULT_MAX = 100
TEXT_MAX = 255
REMARKS_MAX = 2000
REASON_MAX = 500
MAX_ITEMS = 200
MAX_SAMPLES = 20
PHOTO_TYPES = {"png", "jpg", "jpeg"}
#: Check codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_LENGTH = 8

#: The sign-off levels in order, the lab role each needs, and the name printed on the report.
SIGN_ROLE = {
    SignLevel.TEST: LabRole.Role.TESTER,
    SignLevel.REVIEW: LabRole.Role.REVIEWER,
    SignLevel.APPROVE: LabRole.Role.APPROVER,
}
SIGN_PRINTED = {SignLevel.TEST: "检测", SignLevel.REVIEW: "审核", SignLevel.APPROVE: "批准"}


class Immutable(DomainError):
    """The order is past the point where this may change (an issued report above all)."""

    status = 409


# --- who is who -------------------------------------------------------------------------------------------


def _member(user, org_id: int | None, role: str) -> bool:
    return policy.has_role(user, org_id, role)


def is_admin(user) -> bool:
    return scope_of(user).is_admin


def is_lab_staff(user, lab: Institution) -> bool:
    return _member(user, lab.organisation_id, Membership.Role.INSTITUTION_STAFF)


def lab_roles(user, lab: Institution) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    if not is_lab_staff(user, lab):
        return set()
    return set(LabRole.objects.filter(user=user, institution=lab).values_list("role", flat=True))


def can_manage_lab(user, lab: Institution) -> bool:
    return is_admin(user) or LabRole.Role.MANAGER in lab_roles(user, lab)


def _cooperative_member(cooperative: Organisation, enterprise: Enterprise) -> bool | None:
    """Whether the enterprise is an active member of the cooperative; None when the cooperatives app
    keeps no member list."""
    try:
        from nqihub.cooperatives.models import Member, MemberStatus
    except ImportError:  # pragma: no cover - the app is installed
        return None
    return Member.objects.filter(
        cooperative__organisation_id=cooperative.pk, enterprise=enterprise, status=MemberStatus.ACTIVE
    ).exists()


def client_origin(user, enterprise: Enterprise, cooperative: Organisation | None = None) -> str | None:
    """How ``user`` may place an order for ``enterprise`` (an ``Origin``), or None when it may not."""
    if cooperative is not None:
        if _member(user, cooperative.pk, Membership.Role.COOPERATIVE_ADMIN) or is_admin(user):
            return Origin.COOPERATIVE
        return None
    if _member(user, enterprise.organisation_id, Membership.Role.ENTERPRISE_USER):
        return Origin.ENTERPRISE
    if policy.station_covers(user, enterprise.region_id):
        return Origin.STATION
    if policy.regulates(user, enterprise.region_id) or is_admin(user):
        return Origin.REGULATOR
    return None


def is_client(user, order: TestOrder) -> bool:
    """The client side of an order: who placed it, the enterprise's users, the cooperative's admins, the
    stations serving the enterprise, the regulators of its region."""
    if not getattr(user, "is_authenticated", False):
        return False
    if order.created_by_id == user.pk or is_admin(user):
        return True
    if order.cooperative_id and _member(user, order.cooperative_id, Membership.Role.COOPERATIVE_ADMIN):
        return True
    if _member(user, order.enterprise.organisation_id, Membership.Role.ENTERPRISE_USER):
        return True
    return policy.station_covers(user, order.region_id) or policy.regulates(user, order.region_id)


# --- people to tell ----------------------------------------------------------------------------------------


def _users(**filters):
    from nqihub.accounts.models import User

    return list(User.objects.filter(is_active=True, **filters).distinct())


def client_users(order: TestOrder) -> list:
    users = _users(
        memberships__organisation_id=order.enterprise.organisation_id,
        memberships__role=Membership.Role.ENTERPRISE_USER,
    )
    if order.cooperative_id:
        users += _users(
            memberships__organisation_id=order.cooperative_id,
            memberships__role=Membership.Role.COOPERATIVE_ADMIN,
        )
    if order.service_request_id and order.service_request.station_id:
        users += _users(
            memberships__organisation_id=order.service_request.station.organisation_id,
            memberships__role=Membership.Role.STATION_STAFF,
        )
    if order.created_by_id and order.created_by.is_active:
        users.append(order.created_by)
    return users


def lab_users(order: TestOrder, role: str | None = None) -> list:
    filters = {
        "memberships__organisation_id": order.lab.organisation_id,
        "memberships__role": Membership.Role.INSTITUTION_STAFF,
    }
    if role:
        filters.update({"lab_roles__institution_id": order.lab_id, "lab_roles__role": role})
    return _users(**filters)


def order_url(order: TestOrder) -> str:
    return f"/testing/orders/{order.pk}/"


#: Set while the demo data is seeded: the demo's history tells nobody (inboxes start empty).
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("testing_quiet", default=False)


@contextmanager
def quiet():
    """Within this block, actions are recorded and audited but nobody is notified (demo seeding)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def _notify(users, event: str, title: str, body: str = "", *, obj=None, url: str = "") -> None:
    users = [u for u in users if u is not None]
    if not users or _quiet.get():
        return

    def send():
        from nqihub.notifications.services import notify

        notify(users=users, event=event, title=title, body=body, url=url, obj=obj)

    transaction.on_commit(send, robust=True)


def _record(
    order: TestOrder, by, action: str, message: str = "", data: dict | None = None, *, old: str = ""
) -> None:
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=old,
        to_status=order.status if old else "",
        message=message[:2000],
        actor=by if getattr(by, "is_authenticated", False) else None,
    )
    audit.record(by, f"testing.order.{action}", order, {"number": order.number, **(data or {})})


def _apply(order: TestOrder, action: str, by, *, reason: str = "", data: dict | None = None) -> None:
    """Move a *locked* order along the table; record, audit and notify the change."""
    old = order.status
    try:
        new = states.next_state(old, action)
    except states.IllegalTransition:
        raise IllegalTransition(
            _("委托单当前状态为“%(status)s”，不能%(action)s。")
            % {"status": OrderStatus(old).label, "action": ACTION_LABELS.get(action, action)},
            field="status",
        ) from None
    order.status = new
    if reason:
        order.status_reason = reason
    order.save()
    _record(order, by, action, reason, {"from": old, "to": new, "reason": reason, **(data or {})}, old=old)
    label = OrderStatus(new).label
    title = _("检验委托单 %(number)s：%(status)s") % {"number": order.number, "status": label}
    if new == states.SUBMITTED:
        _notify(
            lab_users(order),
            "testing.order.status_changed",
            title,
            order.product_name,
            obj=order,
            url=order_url(order),
        )
    if new in (states.RESULTS_ENTERED, states.REVIEWED):
        role = LabRole.Role.REVIEWER if new == states.RESULTS_ENTERED else LabRole.Role.APPROVER
        step = _("审核") if new == states.RESULTS_ENTERED else _("批准")
        _notify(
            lab_users(order, role),
            "testing.signoff.needed",
            _("检验委托单 %(number)s 待%(step)s") % {"number": order.number, "step": step},
            order.product_name,
            obj=order,
            url=order_url(order),
        )
    if new != states.ISSUED:
        _notify(
            client_users(order),
            "testing.order.status_changed",
            title,
            reason,
            obj=order,
            url=order_url(order),
        )


ACTION_LABELS = {
    "submit": gettext_lazy("提交"),
    "cancel": gettext_lazy("取消"),
    "receive": gettext_lazy("收样"),
    "reject": gettext_lazy("拒收"),
    "start": gettext_lazy("开始检测"),
    "complete": gettext_lazy("提交检测结果"),
    "review": gettext_lazy("审核"),
    "return": gettext_lazy("退回复检"),
    "approve": gettext_lazy("批准"),
    "issue": gettext_lazy("出具报告"),
    "revise": gettext_lazy("修订报告"),
}


def _lock(order: TestOrder | int) -> TestOrder:
    pk = order.pk if isinstance(order, TestOrder) else order
    return (
        TestOrder.objects.select_for_update(of=("self",))
        .select_related("enterprise", "lab", "cooperative", "service_request__station", "created_by")
        .get(pk=pk)
    )


def _reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({field: _("请填写原因。")})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({field: _("原因不能超过%(n)d个字符。") % {"n": REASON_MAX}})
    return reason


# --- numbers ------------------------------------------------------------------------------------------------


def _order_number(year: int) -> str:
    return numbering.yearly_number("JC", year, key=f"order:{year}")


def report_prefix(lab: Institution) -> str:
    profile = LabProfile.objects.filter(institution=lab).first()
    if profile and profile.report_prefix:
        return profile.report_prefix
    return f"L{lab.pk}"


def new_check_code() -> str:
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def normalise_check_code(code: str) -> str:
    return "".join((code or "").split()).upper()


# --- items: capability, method standard, requirement ------------------------------------------------------


def _parameter_q(parameter: str) -> Q:
    """Scope lines covering ``parameter`` — the directory's one rule (``directory.matching``)."""
    return parameter_line_q(parameter)


def lab_covers(lab: Institution, parameter: str, method_standard: str = "", product: str = "") -> bool:
    """Whether one line of the lab's capability scope covers ``parameter`` (by ``method_standard`` when one
    is given; for ``product`` when the product names a product of the vocabulary): ``directory.matching``'s
    lab-coverage rule, the same the cooperatives' plans and the capability search use."""
    return matching_lab_covers(lab, parameter, method_standard, product)


def uncovered(lab: Institution, items: list[dict], product: str = "") -> list[str]:
    return [
        item["parameter"]
        for item in items
        if not lab_covers(lab, item["parameter"], item.get("method_standard", ""), product)
    ]


def method_warning(method: str) -> str:
    """ "" when ``method`` names a current standard of the catalogue; otherwise what the lab should check."""
    method = (method or "").strip()
    if not method:
        return _("未填写检测方法标准。")
    code = canonical_method_code(method)
    try:
        parsed = parse_standard_number(code or method)
    except (ValueError, TypeError):
        return _("“%(m)s”不是可识别的标准号，请核实方法依据。") % {"m": method[:60]}
    if parsed.year is not None:
        std = Standard.objects.filter(canonical=parsed.canonical).first()
    else:
        std = (
            Standard.objects.filter(
                code_without_year=parsed.code_without_year, status=Standard.Status.CURRENT
            )
            .order_by("-year")
            .first()
            or Standard.objects.filter(code_without_year=parsed.code_without_year).order_by("-year").first()
        )
    if std is None:
        return _("方法标准 %(m)s 未收录于平台标准库，请核实其现行有效性。") % {"m": parsed.canonical}
    if std.status != Standard.Status.CURRENT:
        current = (
            Standard.objects.filter(code_without_year=std.code_without_year, status=Standard.Status.CURRENT)
            .exclude(pk=std.pk)
            .first()
        )
        if current is not None:
            return _("方法标准 %(m)s 状态为“%(s)s”，现行版本为 %(c)s。") % {
                "m": std.canonical,
                "s": std.get_status_display(),
                "c": current.canonical,
            }
        return _("方法标准 %(m)s 状态为“%(s)s”，不是现行标准。") % {
            "m": std.canonical,
            "s": std.get_status_display(),
        }
    return ""


def standard_requirement(standard: Standard | None, parameter: str) -> Requirement | None:
    """The row of the product standard's requirement table for ``parameter`` (by name or synonym)."""
    if standard is None or not parameter:
        return None
    rows = list(Requirement.objects.filter(standard=standard))
    if not rows:
        return None
    params = vocabulary_map(Parameter)
    key = normalise(parameter)
    ids = set(params.ids(parameter))
    for row in rows:
        if normalise(row.item) == key:
            return row
    for row in rows:
        if ids & set(params.ids(row.item)):
            return row
    return None


def resolve_standard(value) -> tuple[Standard | None, str]:
    """(catalogue row, text) for a product standard given as a Standard, an id or a number."""
    if value is None or value == "":
        return None, ""
    if isinstance(value, Standard):
        return value, value.canonical
    if isinstance(value, int):
        std = Standard.objects.filter(pk=value).first()
        if std is None:
            raise ValidationFailed({"product_standard": _("所选产品标准不存在。")})
        return std, std.canonical
    text = " ".join(str(value).split())
    if len(text) > PRODUCT_MAX:
        raise ValidationFailed({"product_standard": _("产品标准不能超过%(n)d个字符。") % {"n": PRODUCT_MAX}})
    std = Standard.objects.filter(canonical=text).first()
    if std is None:
        try:
            parsed = parse_standard_number(text)
        except (ValueError, TypeError):
            parsed = None
        if parsed is not None:
            std = Standard.objects.filter(canonical=parsed.canonical).first()
    return std, (std.canonical if std else text)


def _clean_item(raw: dict, *, standard: Standard | None, field: str) -> dict:
    if not isinstance(raw, dict):
        raise ValidationFailed({field: _("检测项目格式不正确。")})
    errors = {}
    parameter = " ".join(str(raw.get("parameter") or "").split())
    method = " ".join(str(raw.get("method_standard") or "").split())
    requirement = " ".join(str(raw.get("requirement") or "").split())
    unit = " ".join(str(raw.get("unit") or "").split())
    if not parameter:
        errors[f"{field}.parameter"] = _("请填写检测项目。")
    elif len(parameter) > PARAMETER_MAX:
        errors[f"{field}.parameter"] = _("检测项目不能超过%(n)d个字符。") % {"n": PARAMETER_MAX}
    if len(method) > METHOD_MAX:
        errors[f"{field}.method_standard"] = _("方法标准不能超过%(n)d个字符。") % {"n": METHOD_MAX}
    if len(requirement) > REQUIREMENT_MAX:
        errors[f"{field}.requirement"] = _("技术要求不能超过%(n)d个字符。") % {"n": REQUIREMENT_MAX}
    if len(unit) > UNIT_MAX:
        errors[f"{field}.unit"] = _("单位不能超过%(n)d个字符。") % {"n": UNIT_MAX}
    if errors:
        raise ValidationFailed(errors)
    source = ""
    row = standard_requirement(standard, parameter)
    if row is not None:
        if not requirement:
            requirement = row.requirement
            unit = unit or row.unit
            source = f"{standard.canonical} {row.item}"[:200]
        if not method and row.method:
            method = row.method[:METHOD_MAX]
    return {
        "parameter": parameter,
        "method_standard": method,
        "requirement": requirement,
        "unit": unit,
        "requirement_source": source,
    }


def _clean_sample(raw: dict, field: str) -> dict:
    if not isinstance(raw, dict):
        raise ValidationFailed({field: _("样品信息格式不正确。")})
    values = {k: " ".join(str(raw.get(k) or "").split()) for k in ("name", "model_spec", "batch", "quantity")}
    errors = {}
    if not values["name"]:
        errors[f"{field}.name"] = _("请填写样品名称。")
    for key, limit in (("name", 200), ("model_spec", 200), ("batch", 100), ("quantity", 100)):
        if len(values[key]) > limit:
            errors[f"{field}.{key}"] = _("不能超过%(n)d个字符。") % {"n": limit}
    if errors:
        raise ValidationFailed(errors)
    return values


# --- creating and editing an order ----------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    by,
    lab: Institution,
    enterprise: Enterprise,
    product_name: str,
    items: list[dict],
    cooperative: Organisation | None = None,
    service_request=None,
    **extra,
) -> TestOrder:
    """A new order (a draft, or submitted at once with ``submit=True``).

    ``extra``: ``samples`` (list of dicts: name, model_spec, batch, quantity; default one sample named as
    the product), ``product_standard`` (a Standard, its id or its number), ``test_kind``, ``remarks``,
    ``client_address``, ``submit``, ``is_demo``. Items without a requirement take it from the product
    standard's requirement table where it has a row for the parameter. The lab must cover every item.
    """
    unknown = set(extra) - {
        "samples",
        "product_standard",
        "test_kind",
        "remarks",
        "client_address",
        "submit",
        "is_demo",
    }
    if unknown:
        raise TypeError(f"unknown arguments: {sorted(unknown)}")
    if cooperative is not None and cooperative.kind != Organisation.Kind.COOPERATIVE:
        raise ValidationFailed({"cooperative": _("所选组织不是质量合作社。")})
    origin = client_origin(by, enterprise, cooperative)
    require(origin is not None, _("您无权为该企业委托检测。"))
    errors: dict[str, str] = {}
    if cooperative is not None and _cooperative_member(cooperative, enterprise) is False:
        errors["enterprise"] = _("%(e)s 不是 %(c)s 的在社成员。") % {
            "e": enterprise.name,
            "c": cooperative.name,
        }
    if lab is None or lab.kind != Institution.Kind.TESTING:
        errors["lab"] = _("请选择一家检验检测机构。")
    product_name = " ".join((product_name or "").split())
    if not product_name:
        errors["product_name"] = _("请填写样品/产品名称。")
    elif len(product_name) > PRODUCT_MAX:
        errors["product_name"] = _("产品名称不能超过%(n)d个字符。") % {"n": PRODUCT_MAX}
    test_kind = extra.get("test_kind") or TestKind.COMMISSIONED
    if test_kind not in TestKind.values:
        errors["test_kind"] = _("检验类别应为：%(v)s。") % {
            "v": "、".join(f"{v}（{label}）" for v, label in TestKind.choices)
        }
    remarks = (extra.get("remarks") or "").strip()
    if len(remarks) > REMARKS_MAX:
        errors["remarks"] = _("备注不能超过%(n)d个字符。") % {"n": REMARKS_MAX}
    address = " ".join((extra.get("client_address") or enterprise.address or "").split())[:TEXT_MAX]
    if errors:
        raise ValidationFailed(errors)
    standard, standard_text = resolve_standard(extra.get("product_standard"))
    if not isinstance(items, list | tuple) or not items:
        raise ValidationFailed({"items": _("请至少添加一个检测项目。")})
    if len(items) > MAX_ITEMS:
        raise ValidationFailed({"items": _("检测项目不能超过%(n)d个。") % {"n": MAX_ITEMS}})
    cleaned = [_clean_item(raw, standard=standard, field=f"items.{i}") for i, raw in enumerate(items)]
    seen: set[str] = set()
    for i, item in enumerate(cleaned):
        key = normalise(item["parameter"]) + "|" + normalise(item["method_standard"])
        if key in seen:
            raise ValidationFailed(
                {f"items.{i}.parameter": _("检测项目“%(p)s”重复。") % {"p": item["parameter"]}}
            )
        seen.add(key)
    missing = uncovered(lab, cleaned, product_name)
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。请选择能力覆盖全部项目的机构。")
                % {"lab": lab.name, "items": "、".join(missing)}
            }
        )
    raw_samples = extra.get("samples")
    if raw_samples is None:
        raw_samples = [{"name": product_name}]
    if not isinstance(raw_samples, list | tuple) or len(raw_samples) > MAX_SAMPLES:
        raise ValidationFailed({"samples": _("样品最多%(n)d个。") % {"n": MAX_SAMPLES}})
    samples = [_clean_sample(raw, f"samples.{i}") for i, raw in enumerate(raw_samples)]
    if service_request is not None:
        if service_request.enterprise_id != enterprise.pk:
            raise ValidationFailed({"service_request": _("服务需求的企业与委托企业不一致。")})
    order = TestOrder.objects.create(
        number=_order_number(timezone.localdate().year),
        enterprise=enterprise,
        region_id=enterprise.region_id,
        lab=lab,
        cooperative=cooperative,
        service_request=service_request,
        origin=origin,
        test_kind=test_kind,
        product_name=product_name,
        product_standard=standard,
        product_standard_text=standard_text,
        client_address=address,
        remarks=remarks,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        is_demo=bool(extra.get("is_demo")),
    )
    for values in samples:
        Sample.objects.create(order=order, **values)
    for seq, item in enumerate(cleaned, start=1):
        TestItem.objects.create(
            order=order, seq=seq, method_warning=method_warning(item["method_standard"]), **item
        )
    _record(
        order,
        by,
        "created",
        _("创建委托单"),
        {
            "enterprise": enterprise.pk,
            "lab": lab.pk,
            "cooperative": getattr(cooperative, "pk", None),
            "service_request": getattr(service_request, "pk", None),
            "items": len(cleaned),
        },
    )
    if service_request is not None:
        from nqihub.desk.models import Link
        from nqihub.desk.services import link_add

        link_add(
            request=service_request,
            kind=Link.Kind.TEST_ORDER,
            ref=order.number,
            title=f"{product_name} · {lab.name}"[:200],
            by=by,
        )
    if extra.get("submit"):
        order_submit(order=order, by=by)
        order.refresh_from_db()
    return order


def _client_edit(order: TestOrder, by) -> None:
    require(is_client(by, order), _("您无权修改该委托单。"))
    if order.status == states.ISSUED:
        raise Immutable(_("报告已出具，委托单不能再修改；如需更正请由实验室修订报告。"))
    if order.status not in states.CLIENT_EDITABLE:
        raise Immutable(
            _("委托单已提交（当前“%(s)s”），不能再修改。") % {"s": OrderStatus(order.status).label}
        )


def _may_edit_items(order: TestOrder, by) -> None:
    """Items and samples: the client while a draft, the lab's staff while it has the samples."""
    if order.status == states.ISSUED:
        raise Immutable(_("报告已出具，不能修改；如需更正请修订报告。"))
    if order.status in states.CLIENT_EDITABLE and is_client(by, order):
        return
    if order.status in states.LAB_EDITABLE and is_lab_staff(by, order.lab):
        return
    if is_client(by, order) or is_lab_staff(by, order.lab):
        raise Immutable(_("委托单当前为“%(s)s”，不能修改。") % {"s": OrderStatus(order.status).label})
    raise PermissionDenied(_("您无权修改该委托单。"))


@transaction.atomic
def sample_add(
    *, order: TestOrder, by, name: str, model_spec: str = "", batch: str = "", quantity: str = ""
) -> Sample:
    order = _lock(order)
    _may_edit_items(order, by)
    try:
        values = _clean_sample(
            {"name": name, "model_spec": model_spec, "batch": batch, "quantity": quantity}, "sample"
        )
    except ValidationFailed as exc:
        raise ValidationFailed(_errors_for_item(exc.errors)) from None
    if order.samples.count() >= MAX_SAMPLES:
        raise ValidationFailed({"name": _("样品最多%(n)d个。") % {"n": MAX_SAMPLES}})
    sample = Sample.objects.create(order=order, **values)
    _record(order, by, "sample_added", values["name"], {"sample": sample.pk})
    return sample


@transaction.atomic
def sample_remove(*, sample: Sample, by) -> None:
    order = _lock(sample.order_id)
    _may_edit_items(order, by)
    if order.samples.count() <= 1:
        raise ValidationFailed({"sample": _("委托单至少要有一个样品。")})
    _record(order, by, "sample_removed", sample.name, {"sample": sample.pk})
    sample.delete()


@transaction.atomic
def photo_add(*, sample: Sample, upload, by) -> SamplePhoto:
    from nqihub.desk.services import check_upload

    name, content_type = check_upload(upload)
    ext = name.rsplit(".", 1)[-1].lower()
    if ext not in PHOTO_TYPES:
        raise ValidationFailed({"file": _("样品照片只接受 JPG、PNG 图片。")})
    order = _lock(sample.order_id)
    if order.status in states.FINAL or order.status == states.ISSUED:
        raise Immutable(_("委托单当前为“%(s)s”，不能再上传照片。") % {"s": OrderStatus(order.status).label})
    require(is_client(by, order) or is_lab_staff(by, order.lab), _("您无权为该样品上传照片。"))
    photo = SamplePhoto(sample=sample, name=name, size=upload.size, content_type=content_type, uploaded_by=by)
    photo.file.save(name, upload, save=False)
    photo.save()
    _record(order, by, "photo_added", name, {"sample": sample.pk, "photo": photo.pk})
    return photo


def _next_seq(order: TestOrder) -> int:
    last = order.items.order_by("-seq").values_list("seq", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def item_add(
    *, order: TestOrder, by, parameter: str, method_standard: str = "", requirement: str = "", unit: str = ""
) -> TestItem:
    order = _lock(order)
    _may_edit_items(order, by)
    try:
        cleaned = _clean_item(
            {
                "parameter": parameter,
                "method_standard": method_standard,
                "requirement": requirement,
                "unit": unit,
            },
            standard=order.product_standard,
            field="item",
        )
    except ValidationFailed as exc:
        raise ValidationFailed(_errors_for_item(exc.errors)) from None
    if order.items.count() >= MAX_ITEMS:
        raise ValidationFailed({"parameter": _("检测项目不能超过%(n)d个。") % {"n": MAX_ITEMS}})
    if not lab_covers(order.lab, cleaned["parameter"], cleaned["method_standard"], order.product_name):
        raise ValidationFailed(
            {
                "parameter": _("%(lab)s 的能力范围不包括“%(p)s”%(m)s。")
                % {
                    "lab": order.lab.name,
                    "p": cleaned["parameter"],
                    "m": _("（方法 %(m)s）") % {"m": cleaned["method_standard"]}
                    if cleaned["method_standard"]
                    else "",
                }
            }
        )
    key = (normalise(cleaned["parameter"]), normalise(cleaned["method_standard"]))
    for p, m in order.items.values_list("parameter", "method_standard"):
        if (normalise(p), normalise(m)) == key:
            raise ValidationFailed(
                {"parameter": _("检测项目“%(p)s”已在委托单中。") % {"p": cleaned["parameter"]}}
            )
    item = TestItem.objects.create(
        order=order,
        seq=_next_seq(order),
        method_warning=method_warning(cleaned["method_standard"]),
        **cleaned,
    )
    _record(order, by, "item_added", f"{item.seq}. {item.parameter}", {"item": item.pk})
    return item


def _errors_for_item(errors: dict) -> dict:
    return {k.split(".", 1)[-1]: v for k, v in errors.items()}


@transaction.atomic
def item_update(
    *,
    item: TestItem,
    by,
    method_standard: str | None = None,
    requirement: str | None = None,
    unit: str | None = None,
) -> TestItem:
    order = _lock(item.order_id)
    _may_edit_items(order, by)
    item = TestItem.objects.select_for_update().get(pk=item.pk)
    values = {
        "parameter": item.parameter,
        "method_standard": item.method_standard if method_standard is None else method_standard,
        "requirement": item.requirement if requirement is None else requirement,
        "unit": item.unit if unit is None else unit,
    }
    try:
        cleaned = _clean_item(values, standard=None, field="item")
    except ValidationFailed as exc:
        raise ValidationFailed(_errors_for_item(exc.errors)) from None
    if cleaned["method_standard"] != item.method_standard and not lab_covers(
        order.lab, item.parameter, cleaned["method_standard"], order.product_name
    ):
        raise ValidationFailed(
            {
                "method_standard": _("%(lab)s 的能力范围不包括以 %(m)s 检测“%(p)s”。")
                % {"lab": order.lab.name, "m": cleaned["method_standard"], "p": item.parameter}
            }
        )
    changed = {}
    for key in ("method_standard", "requirement", "unit"):
        if getattr(item, key) != cleaned[key]:
            changed[key] = cleaned[key]
            setattr(item, key, cleaned[key])
    if not changed:
        return item
    if "method_standard" in changed:
        item.method_warning = method_warning(item.method_standard)
    if "requirement" in changed:
        item.requirement_source = ""
    _judge_item(item)
    item.save()
    _judge_order(order)
    _record(order, by, "item_updated", f"{item.seq}. {item.parameter}", {"item": item.pk, **changed})
    return item


@transaction.atomic
def item_remove(*, item: TestItem, by) -> None:
    order = _lock(item.order_id)
    _may_edit_items(order, by)
    if order.items.count() <= 1:
        raise ValidationFailed({"item": _("委托单至少要有一个检测项目。")})
    _record(order, by, "item_removed", f"{item.seq}. {item.parameter}", {"item": item.pk})
    item.delete()
    _judge_order(order)


@transaction.atomic
def items_from_standard(*, order: TestOrder, by) -> tuple[list[TestItem], list[str]]:
    """Add the product standard's requirement rows the order lacks and the lab covers. Returns (added,
    parameters the lab cannot test)."""
    order = _lock(order)
    _may_edit_items(order, by)
    if order.product_standard_id is None:
        raise ValidationFailed({"product_standard": _("委托单未指定平台标准库中的产品标准。")})
    rows = list(Requirement.objects.filter(standard_id=order.product_standard_id))
    if not rows:
        raise ValidationFailed(
            {
                "product_standard": _("标准 %(s)s 在平台中没有技术要求表。")
                % {"s": order.product_standard.canonical}
            }
        )
    present = {normalise(p) for p in order.items.values_list("parameter", flat=True)}
    added, skipped = [], []
    seq = _next_seq(order)
    for row in rows:
        if normalise(row.item) in present:
            continue
        method = row.method[:METHOD_MAX]
        if not lab_covers(order.lab, row.item, method, order.product_name):
            if method and lab_covers(order.lab, row.item, "", order.product_name):
                method = ""
            else:
                skipped.append(row.item)
                continue
        if not method:
            line = ScopeLine.objects.filter(institution=order.lab).filter(_parameter_q(row.item)).first()
            method = line.method_standard if line else ""
        item = TestItem.objects.create(
            order=order,
            seq=seq,
            parameter=row.item,
            method_standard=method,
            method_warning=method_warning(method),
            requirement=row.requirement,
            unit=row.unit,
            requirement_source=f"{order.product_standard.canonical} {row.item}"[:200],
        )
        present.add(normalise(row.item))
        added.append(item)
        seq += 1
    _record(order, by, "items_from_standard", "", {"added": len(added), "skipped": skipped})
    return added, skipped


# --- judging ------------------------------------------------------------------------------------------------


def _judge_item(item: TestItem) -> None:
    if not item.result:
        item.verdict = ""
        item.verdict_reason = ""
        return
    if not item.requirement:
        item.verdict = Verdict.NOT_JUDGED
        item.verdict_reason = _("未规定技术要求，仅报告实测值。")
        return
    verdict = evaluate(item.requirement, item.result, item.unit or None)
    item.verdict = verdict.verdict
    item.verdict_reason = verdict.reason[:TEXT_MAX]


def conclusion_of(verdicts: list[str]) -> str:
    """Any item failed → fail; every item passed → pass; otherwise (some not judged or missing) →
    undetermined. "" when there are no items."""
    if not verdicts:
        return ""
    if Verdict.FAIL in verdicts:
        return Conclusion.FAIL
    if all(v == Verdict.PASS for v in verdicts):
        return Conclusion.PASS
    return Conclusion.UNDETERMINED


def _judge_order(order: TestOrder) -> None:
    """The order's conclusion from its items' verdicts; blank while results are missing (unless an item
    has already failed)."""
    verdicts = list(order.items.values_list("verdict", flat=True))
    if verdicts and all(verdicts):
        conclusion = conclusion_of(verdicts)
    else:
        conclusion = Conclusion.FAIL if Verdict.FAIL in verdicts else ""
    if order.conclusion != conclusion:
        order.conclusion = conclusion
        order.save(update_fields=["conclusion", "updated_at"])


def conclusion_text(order: TestOrder, items: list[TestItem]) -> str:
    basis = order.product_standard_label
    failed = [i.parameter for i in items if i.verdict == Verdict.FAIL]
    if order.conclusion == Conclusion.PASS:
        if basis:
            return _("经检验，所检项目符合 %(b)s 的要求，判定为合格。") % {"b": basis}
        return _("经检验，所检项目均符合要求，判定为合格。")
    if order.conclusion == Conclusion.FAIL:
        return _("经检验，%(items)s 不符合要求，判定为不合格。") % {"items": "、".join(failed)}
    return _("经检验，部分项目未作判定，结论为不判定，详见检验结果。")


# --- the lab's steps ----------------------------------------------------------------------------------------


def _lab_staff_required(order: TestOrder, by, what: str) -> None:
    require(
        is_lab_staff(by, order.lab),
        _("只有 %(lab)s 的人员可以%(what)s。") % {"lab": order.lab.name, "what": what},
    )


def _role_required(order: TestOrder, by, role: str) -> None:
    if role not in lab_roles(by, order.lab):
        raise PermissionDenied(
            _("您在 %(lab)s 没有“%(role)s”角色。") % {"lab": order.lab.name, "role": LabRole.Role(role).label}
        )


@transaction.atomic
def order_submit(*, order: TestOrder, by) -> TestOrder:
    order = _lock(order)
    require(is_client(by, order), _("您无权提交该委托单。"))
    if not order.items.exists():
        raise ValidationFailed({"items": _("请至少添加一个检测项目。")})
    if not order.samples.exists():
        raise ValidationFailed({"samples": _("请至少添加一个样品。")})
    missing = uncovered(
        order.lab, list(order.items.values("parameter", "method_standard")), order.product_name
    )
    if missing:
        raise ValidationFailed(
            {
                "lab": _("%(lab)s 的能力范围不包括：%(items)s。")
                % {"lab": order.lab.name, "items": "、".join(missing)}
            }
        )
    order.submitted_at = timezone.now()
    _apply(order, "submit", by)
    return order


@transaction.atomic
def order_cancel(*, order: TestOrder, by, reason: str) -> TestOrder:
    order = _lock(order)
    reason = _reason(reason)
    client_may = order.status in (states.DRAFT, states.SUBMITTED) and is_client(by, order)
    lab_may = order.status not in (states.DRAFT,) and is_lab_staff(by, order.lab)
    if not (client_may or lab_may):
        if order.status in (states.DRAFT, states.SUBMITTED) or not (
            is_client(by, order) or is_lab_staff(by, order.lab)
        ):
            raise PermissionDenied(_("您无权取消该委托单。"))
        if order.status == states.ISSUED:
            raise Immutable(_("报告已出具，不能取消委托单。"))
        raise IllegalTransition(_("实验室已收样，取消须由实验室办理。"), field="status")
    _apply(order, "cancel", by, reason=reason)
    return order


@transaction.atomic
def order_receive(*, order: TestOrder, by, received_on: date | None = None, condition: str = "") -> TestOrder:
    """The lab accepts the samples (收样): the date and the condition they arrived in."""
    order = _lock(order)
    _lab_staff_required(order, by, _("收样"))
    received_on = received_on or timezone.localdate()
    condition = " ".join((condition or "").split())
    errors = {}
    if received_on > timezone.localdate():
        errors["received_on"] = _("收样日期不能晚于今天。")
    if not condition:
        errors["condition"] = _("请填写样品状态（如：包装完好、冷藏）。")
    elif len(condition) > TEXT_MAX:
        errors["condition"] = _("样品状态不能超过%(n)d个字符。") % {"n": TEXT_MAX}
    if errors:
        raise ValidationFailed(errors)
    order.received_at = timezone.now()
    _apply(order, "receive", by, data={"received_on": received_on, "condition": condition})
    order.samples.update(received_on=received_on, condition=condition)
    return order


@transaction.atomic
def order_reject(*, order: TestOrder, by, reason: str) -> TestOrder:
    """The lab refuses the samples (拒收)."""
    order = _lock(order)
    _lab_staff_required(order, by, _("拒收样品"))
    _apply(order, "reject", by, reason=_reason(reason))
    return order


@transaction.atomic
def order_start(*, order: TestOrder, by) -> TestOrder:
    order = _lock(order)
    _lab_staff_required(order, by, _("开始检测"))
    _role_required(order, by, LabRole.Role.TESTER)
    _apply(order, "start", by)
    return order


@transaction.atomic
def results_enter(*, order: TestOrder, by, results: dict) -> TestOrder:
    """Enter results ``{item id or seq: text}`` (a blank text clears one). All or nothing: one bad value
    and nothing is saved. Starts the testing when the samples were only received."""
    order = _lock(order)
    _lab_staff_required(order, by, _("录入检测结果"))
    _role_required(order, by, LabRole.Role.TESTER)
    if order.status == states.ISSUED:
        raise Immutable(_("报告已出具，检测结果不能修改；如需更正请修订报告。"))
    if order.status not in states.LAB_EDITABLE:
        raise IllegalTransition(
            _("委托单当前为“%(s)s”，不能录入结果。") % {"s": OrderStatus(order.status).label}, field="status"
        )
    if not isinstance(results, dict) or not results:
        raise ValidationFailed({"results": _("请至少填写一个检测结果。")})
    items = {i.pk: i for i in order.items.select_for_update()}
    by_seq = {i.seq: i for i in items.values()}
    errors: dict[str, str] = {}
    changes: list[tuple[TestItem, str]] = []
    for key, value in results.items():
        item = None
        if isinstance(key, str) and key.startswith("seq:") and key[4:].isdigit():
            item = by_seq.get(int(key[4:]))
        elif str(key).isdigit():
            item = items.get(int(key))
        if item is None:
            errors[f"results.{key}"] = _("委托单中没有这个检测项目。")
            continue
        text = " ".join(str(value if value is not None else "").split())
        if len(text) > RESULT_MAX:
            errors[f"results.{key}"] = _("“%(p)s”的结果不能超过%(n)d个字符。") % {
                "p": item.parameter,
                "n": RESULT_MAX,
            }
            continue
        changes.append((item, text))
    if errors:
        raise ValidationFailed(errors)
    if order.status == states.SAMPLE_RECEIVED:
        _apply(order, "start", by)
    now = timezone.now()
    changed = {}
    for item, text in changes:
        if item.result == text:
            continue
        item.result = text
        item.tested_by = by if text else None
        item.tested_at = now if text else None
        _judge_item(item)
        item.save()
        changed[item.seq] = text
    _judge_order(order)
    if changed:
        _record(
            order, by, "results_entered", _("录入 %(n)d 项结果") % {"n": len(changed)}, {"results": changed}
        )
    return order


def results_upload(*, order: TestOrder, by, fileobj) -> TestOrder:
    """Results from the XLSX workbook (``results_xlsx.results_template_xlsx``): every row checked first
    (``ValidationFailed`` per row), then all saved together."""
    from nqihub.core import imports

    from .results_xlsx import _read, parse_results_xlsx

    if not is_lab_staff(by, order.lab):
        raise PermissionDenied(_("只有 %(lab)s 的人员可以录入检测结果。") % {"lab": order.lab.name})
    data = _read(fileobj)
    # Every row checked first, as every import does: a bad file is answered at once and recorded nowhere.
    parse_results_xlsx(data, list(order.items.order_by("seq").values_list("seq", "parameter")))
    # Recorded as an import job like every import, and run here: the lab sees the outcome at once.
    imports.run_now(
        "testing.results",
        by=by,
        data=data,
        filename=getattr(fileobj, "name", "") or "results.xlsx",
        scope={"order_id": order.pk},
        scope_label=str(order)[:200],
    )
    order.refresh_from_db()
    return order


def _signoffs(order: TestOrder) -> dict[str, object]:
    return {s.level: s for s in order.signoffs.filter(round=order.round).select_related("user")}


def _sign(order: TestOrder, by, level: str) -> None:
    _role_required(order, by, SIGN_ROLE[level])
    signed = _signoffs(order)
    for other in signed.values():
        if other.user_id == by.pk:
            raise DomainError(
                _("您已在本报告签署“%(level)s”，检测、审核、批准须由三位不同人员签署。")
                % {"level": SignLevel(other.level).label},
                field="signoff",
            )
    SignOff.objects.create(
        order=order,
        round=order.round,
        level=level,
        user_id=by.pk,
        name=str(by)[:150],
        signed_at=timezone.now(),
    )


@transaction.atomic
def unjudged_items(order: TestOrder) -> list[str]:
    """Items with a result the engine could not judge (``seq. parameter: result``): the tester is warned
    before signing, since the report's conclusion becomes 不判定 for them."""
    return [
        f"{seq}. {parameter}：{result}"
        for seq, parameter, result in order.items.exclude(result="")
        .filter(verdict=Verdict.NOT_JUDGED)
        .order_by("seq")
        .values_list("seq", "parameter", "result")
    ]


def order_complete(*, order: TestOrder, by) -> TestOrder:
    """The tester signs (检测): every item has a result."""
    order = _lock(order)
    _lab_staff_required(order, by, _("签署检测"))
    missing = [f"{s}. {p}" for s, p in order.items.filter(result="").values_list("seq", "parameter")]
    if order.status == states.TESTING and missing:
        raise ValidationFailed(
            {"results": _("以下项目还没有结果：%(items)s。") % {"items": "、".join(missing)}}
        )
    if order.status != states.TESTING:
        states_check(order, "complete")
    _sign(order, by, SignLevel.TEST)
    _apply(order, "complete", by)
    return order


def states_check(order: TestOrder, action: str) -> None:
    try:
        states.next_state(order.status, action)
    except states.IllegalTransition:
        raise IllegalTransition(
            _("委托单当前状态为“%(status)s”，不能%(action)s。")
            % {"status": OrderStatus(order.status).label, "action": ACTION_LABELS.get(action, action)},
            field="status",
        ) from None


@transaction.atomic
def order_review(*, order: TestOrder, by) -> TestOrder:
    order = _lock(order)
    _lab_staff_required(order, by, _("审核"))
    states_check(order, "review")
    _sign(order, by, SignLevel.REVIEW)
    _apply(order, "review", by)
    return order


@transaction.atomic
def order_approve(*, order: TestOrder, by) -> TestOrder:
    order = _lock(order)
    _lab_staff_required(order, by, _("批准"))
    states_check(order, "approve")
    _sign(order, by, SignLevel.APPROVE)
    _apply(order, "approve", by)
    return order


@transaction.atomic
def order_return(*, order: TestOrder, by, items: list, reason: str) -> TestOrder:
    """The reviewer (or the approver) returns items for retest: their results are cleared, the
    sign-offs of this round are void, the tester enters results again."""
    order = _lock(order)
    _lab_staff_required(order, by, _("退回复检"))
    states_check(order, "return")
    role = LabRole.Role.REVIEWER if order.status == states.RESULTS_ENTERED else LabRole.Role.APPROVER
    _role_required(order, by, role)
    reason = _reason(reason)
    ids = []
    for value in items or []:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationFailed({"items": _("检测项目编号无效：%(v)s。") % {"v": value}}) from None
    chosen = list(order.items.filter(pk__in=ids))
    if not chosen or len(chosen) != len(set(ids)):
        raise ValidationFailed({"items": _("请选择本委托单中需要复检的项目。")})
    for item in chosen:
        item.result = ""
        item.verdict = ""
        item.verdict_reason = ""
        item.tested_by = None
        item.tested_at = None
        item.retest_reason = reason[:TEXT_MAX]
        item.retest_count += 1
        item.save()
    order.round += 1
    _judge_order(order)
    _apply(order, "return", by, reason=reason, data={"items": [f"{i.seq}. {i.parameter}" for i in chosen]})
    _notify(
        lab_users(order, LabRole.Role.TESTER),
        "testing.order.status_changed",
        _("检验委托单 %(number)s 有项目退回复检") % {"number": order.number},
        reason,
        obj=order,
        url=order_url(order),
    )
    return order


# --- the report ---------------------------------------------------------------------------------------------


def verify_path(number: str, code: str) -> str:
    from urllib.parse import urlencode

    return "/testing/verify/?" + urlencode({"number": number, "code": code})


def public_base_url(base_url: str = "") -> str:
    """Where the public verification page lives: ``settings.PUBLIC_BASE_URL`` when set (what a QR code
    printed on paper must point to), else the base URL of the request that issues the report."""
    configured = getattr(settings, "PUBLIC_BASE_URL", "") or ""
    return (configured or base_url or "http://127.0.0.1:8000").rstrip("/")


def _qualifications(lab: Institution) -> list[list[str]]:
    short = {"cma": "CMA", "cnas": "CNAS", "cal": _("计量授权"), "cb": "CNCA"}
    return [[str(short.get(q.kind, q.get_kind_display())), q.number] for q in lab.qualifications.all()]


def _snapshot(order: TestOrder, report: Report, replaces: Report | None, verify_url: str) -> dict:
    items = list(order.items.order_by("seq"))
    sample = order.samples.order_by("id").first()
    signed = _signoffs(order)
    signatures = [
        {
            "role": SIGN_PRINTED[level],
            "name": signed[level].name,
            "signed_at": signed[level].signed_at.isoformat(),
        }
        for level in (SignLevel.TEST, SignLevel.REVIEW, SignLevel.APPROVE)
        if level in signed
    ]
    return {
        "number": report.number,
        "check_code": report.check_code,
        "revision": report.revision,
        "replaces_number": replaces.number if replaces else "",
        "issued_on": timezone.localtime(report.issued_at).date().isoformat(),
        "lab_name": order.lab.name,
        "lab_address": order.lab.address,
        "lab_phone": order.lab.contact_phone,
        "qualifications": _qualifications(order.lab),
        "client_name": order.enterprise.name,
        "client_address": order.client_address,
        "product_name": order.product_name,
        "model_spec": sample.model_spec if sample else "",
        "batch": sample.batch if sample else "",
        "quantity": sample.quantity if sample else "",
        "received_on": sample.received_on.isoformat() if sample and sample.received_on else None,
        "sample_condition": sample.condition if sample else "",
        "test_kind": str(order.get_test_kind_display()),
        "product_standard": order.product_standard_label,
        "items": [
            {
                "seq": i.seq,
                "parameter": i.parameter,
                "method_standard": i.method_standard,
                "requirement": i.requirement,
                "unit": i.unit,
                "result": i.result,
                "verdict": VERDICT_LABELS.get(i.verdict, "不判定"),
            }
            for i in items
        ],
        "conclusion": conclusion_text(order, items),
        "conclusion_code": order.conclusion,
        "remarks": (
            _("本报告代替 %(n)s，原报告作废。修订原因：%(r)s") % {"n": replaces.number, "r": report.reason}
            if replaces
            else order.remarks
        ),
        "signatures": signatures,
        "verify_url": verify_url,
        "is_demo": order.is_demo,
    }


def report_data(report: Report):
    """The frozen facts of ``report`` as ``reportdata.ReportData`` (what ``pdf.render_report_pdf`` prints)."""
    from .reportdata import ReportData, ReportItem, Signature

    d = report.data
    return ReportData(
        number=d["number"],
        check_code=d["check_code"],
        revision=d["revision"],
        replaces_number=d["replaces_number"],
        issued_on=date.fromisoformat(d["issued_on"]),
        lab_name=d["lab_name"],
        lab_address=d["lab_address"],
        lab_phone=d["lab_phone"],
        qualifications=[tuple(q) for q in d["qualifications"]],
        client_name=d["client_name"],
        client_address=d["client_address"],
        product_name=d["product_name"],
        model_spec=d["model_spec"],
        batch=d["batch"],
        quantity=d["quantity"],
        received_on=date.fromisoformat(d["received_on"]) if d["received_on"] else None,
        sample_condition=d["sample_condition"],
        test_kind=d["test_kind"],
        product_standard=d["product_standard"],
        items=[ReportItem(**i) for i in d["items"]],
        conclusion=d["conclusion"],
        remarks=d["remarks"],
        signatures=[
            Signature(role=s["role"], name=s["name"], signed_at=datetime.fromisoformat(s["signed_at"]))
            for s in d["signatures"]
        ],
        verify_url=d["verify_url"],
        is_demo=d.get("is_demo", False),
    )


def render_pdf(report: Report) -> bytes:
    from .pdf import render_report_pdf

    return render_report_pdf(report_data(report))


@transaction.atomic
def report_issue(*, order: TestOrder, by, base_url: str = "", issued_at: datetime | None = None) -> Report:
    """Issue the report of an approved order: a number unique per lab and year, a check code, the facts
    and the PDF frozen with it. After a revision, the new report names the one it replaces, which becomes
    superseded."""
    order = _lock(order)
    _lab_staff_required(order, by, _("出具报告"))
    roles = lab_roles(by, order.lab)
    if not roles & {LabRole.Role.APPROVER, LabRole.Role.MANAGER}:
        raise PermissionDenied(_("只有批准人或实验室管理员可以出具报告。"))
    if order.status != states.APPROVED:
        if order.status in (states.TESTING, states.RESULTS_ENTERED, states.REVIEWED, states.SAMPLE_RECEIVED):
            raise IllegalTransition(_("报告须经检测、审核、批准三级签署后才能出具。"), field="status")
        states_check(order, "issue")
    signed = _signoffs(order)
    if set(signed) != {SignLevel.TEST, SignLevel.REVIEW, SignLevel.APPROVE}:
        raise IllegalTransition(_("报告须经检测、审核、批准三级签署后才能出具。"), field="status")
    issued_at = issued_at or timezone.now()
    previous = (
        Report.objects.select_for_update()
        .filter(order=order, status=Report.Status.VALID)
        .order_by("-revision")
        .first()
    )
    if previous is not None:
        root = previous
        while root.replaces_id:
            root = root.replaces
        year, seq, revision = previous.year, previous.seq, previous.revision + 1
        number = f"{root.number}-R{revision - 1}"
    else:
        year = timezone.localtime(issued_at).year
        seq = next_value(f"report:{order.lab_id}:{year}")
        revision = 1
        number = f"{report_prefix(order.lab)}-{year}-{seq:04d}"
    code = new_check_code()
    verify_url = public_base_url(base_url) + verify_path(number, code)
    report = Report(
        order=order,
        lab=order.lab,
        number=number,
        year=year,
        seq=seq,
        revision=revision,
        replaces=previous,
        check_code=code,
        conclusion=order.conclusion or Conclusion.UNDETERMINED,
        reason=order.status_reason if previous is not None else "",
        issued_at=issued_at,
        issued_by=by,
        is_demo=order.is_demo,
    )
    report.data = _snapshot(order, report, previous, verify_url)
    pdf = render_pdf(report)
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.save()
    if previous is not None:
        updated = Report.objects.filter(pk=previous.pk, status=Report.Status.VALID).update(
            status=Report.Status.SUPERSEDED
        )
        if not updated:  # pragma: no cover - guarded by the lock above
            raise IllegalTransition(_("原报告已被替代。"))
    order.issued_at = issued_at
    if not order.conclusion:
        order.conclusion = Conclusion.UNDETERMINED
    _apply(order, "issue", by, data={"report": number, "revision": revision})
    _notify(
        client_users(order),
        "testing.report_issued",
        _("检验报告 %(number)s 已出具") % {"number": number},
        _("%(product)s：%(conclusion)s")
        % {"product": order.product_name, "conclusion": order.get_conclusion_display()},
        obj=order,
        url=order_url(order),
    )
    return report


@transaction.atomic
def order_revise(*, order: TestOrder, by, reason: str) -> TestOrder:
    """Start a correction of an issued report: the order goes back to testing; the report stays valid
    until the revision is issued, which then supersedes it."""
    order = _lock(order)
    _lab_staff_required(order, by, _("修订报告"))
    roles = lab_roles(by, order.lab)
    if not roles & {LabRole.Role.APPROVER, LabRole.Role.MANAGER}:
        raise PermissionDenied(_("只有批准人或实验室管理员可以修订报告。"))
    states_check(order, "revise")
    reason = _reason(reason)
    order.round += 1
    _apply(order, "revise", by, reason=reason)
    return order


# --- lab settings ---------------------------------------------------------------------------------------------


@transaction.atomic
def lab_role_set(*, lab: Institution, user, role: str, granted: bool, by) -> None:
    require(can_manage_lab(by, lab), _("只有实验室管理员或平台管理员可以设置签署角色。"))
    if role not in LabRole.Role.values:
        raise ValidationFailed(
            {
                "role": _("角色应为：%(v)s。")
                % {"v": "、".join(f"{v}（{label}）" for v, label in LabRole.Role.choices)}
            }
        )
    if granted and not is_lab_staff(user, lab):
        raise ValidationFailed({"user": _("%(u)s 不是 %(lab)s 的人员。") % {"u": user, "lab": lab.name}})
    if granted:
        _obj, created = LabRole.objects.get_or_create(user=user, institution=lab, role=role)
        changed = created
    else:
        if role == LabRole.Role.MANAGER and user.pk == by.pk and not is_admin(by):
            raise ValidationFailed({"role": _("不能取消自己的实验室管理员角色。")})
        changed = bool(LabRole.objects.filter(user=user, institution=lab, role=role).delete()[0])
    if changed:
        audit.record(
            by,
            "testing.lab_role.granted" if granted else "testing.lab_role.revoked",
            lab,
            {"user": user.get_username(), "role": role},
        )


@transaction.atomic
def lab_prefix_set(*, lab: Institution, prefix: str, by) -> LabProfile:
    require(can_manage_lab(by, lab), _("只有实验室管理员或平台管理员可以修改报告编号前缀。"))
    prefix = "".join((prefix or "").split())
    if not prefix:
        raise ValidationFailed({"report_prefix": _("请填写报告编号前缀。")})
    if len(prefix) > 16 or "-" in prefix or "/" in prefix:
        raise ValidationFailed({"report_prefix": _("前缀最多16个字符，不能含“-”或“/”。")})
    clash = LabProfile.objects.filter(report_prefix=prefix).exclude(institution=lab)
    if clash.exists():
        raise ValidationFailed({"report_prefix": _("前缀“%(p)s”已被其他实验室使用。") % {"p": prefix}})
    profile, _created = LabProfile.objects.update_or_create(
        institution=lab, defaults={"report_prefix": prefix}
    )
    audit.record(by, "testing.lab.prefix_set", lab, {"report_prefix": prefix})
    return profile


# --- public verification ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    genuine: bool
    reason: str = ""
    report: Report | None = None


def verify(number: str, code: str) -> VerifyResult:
    """The genuine report with this number and check code, or why not (unknown number and wrong code
    say the same, so that a number cannot be confirmed without its code)."""
    number = " ".join((number or "").split())[:64]
    code = normalise_check_code(code)[:16]
    if not number or not code:
        return VerifyResult(False, _("请输入报告编号和防伪校验码。"))
    report = (
        Report.objects.select_related("order__enterprise", "lab", "replaced_by").filter(number=number).first()
    )
    if report is None or not secrets.compare_digest(report.check_code, code):
        return VerifyResult(
            False, _("查无此报告：报告编号或防伪校验码不正确，该报告不是本平台出具的有效报告。")
        )
    return VerifyResult(True, "", report)


__all__ = [
    "IllegalTransition",
    "Immutable",
    "PermissionDenied",
    "conclusion_of",
    "item_add",
    "item_remove",
    "item_update",
    "items_from_standard",
    "lab_covers",
    "lab_prefix_set",
    "lab_role_set",
    "method_warning",
    "order_approve",
    "order_cancel",
    "order_complete",
    "order_create",
    "order_receive",
    "order_reject",
    "order_return",
    "order_review",
    "order_revise",
    "order_start",
    "order_submit",
    "photo_add",
    "report_data",
    "report_issue",
    "results_enter",
    "results_upload",
    "sample_add",
    "verify",
]
