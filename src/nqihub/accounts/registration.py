"""Self-registration of an enterprise user (企业用户自助注册), like the 一网通办 portals:

1. ``register``: USCC (checked with python-stdnum), enterprise name and county, a user name and password,
   and a mobile number or e-mail address; the account is created *inactive* (it cannot sign in) and a
   six-digit code goes to the number or address.
2. ``verify``: the code typed back (15 minutes, 5 tries) proves the contact; the station covering the
   county and the regulators of its region are told, and the request waits for them.
3. ``confirm`` / ``refuse`` by one of them: confirmed, the enterprise is linked (or entered into the
   directory) and the account becomes its enterprise user; refused, it stays inactive with the reason.
   Every step is audited; the applicant is told on the channel they proved.

Submissions and code requests are rate-limited per client address.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from nqihub.core import audit, ratelimit
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.models import Membership, Organisation, Region
from nqihub.core.scoping import scope_of

from .models import Registration, User

log = logging.getLogger(__name__)


# --- what registration asks of the directory ------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryHooks:
    """The directory's side of registration, handed over by ``directory``'s AppConfig (accounts sits below
    directory and imports nothing of it)."""

    #: value → (cleaned code, None) when valid, else (cleaned code, reason) — ``directory.uscc.check``
    check_uscc: Callable[[str], tuple[str, str | None]]
    #: cleaned code → the directory's enterprise (region loaded), or None
    enterprise_with_uscc: Callable[[str], Any]
    #: (*, organisation, uscc, name, region) → the new enterprise
    create_enterprise: Callable[..., Any]
    #: county code → queryset of the service-area rows of the stations serving it
    station_areas_of: Callable[[str], Any]
    #: station organisation ids → queryset of the county codes those stations serve (``values("region_id")``)
    counties_served_by: Callable[[Any], Any]


_directory: DirectoryHooks | None = None


def connect_directory(hooks: DirectoryHooks) -> None:
    global _directory
    _directory = hooks


def _dir() -> DirectoryHooks:
    if _directory is None:
        raise ImproperlyConfigured("Registration needs the directory app (nqihub.directory) installed.")
    return _directory


CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)


class TooMany(DomainError):
    status = 429


# --- throttling ------------------------------------------------------------------------------------------


def allow(request, what: str, *, limit: int | None = None, window: int | None = None) -> bool:
    """Count one ``what`` by the request's real client address; False once over the limit."""
    limit = limit or int(getattr(settings, "ACCOUNTS_PUBLIC_LIMIT", 10))
    window = window or int(getattr(settings, "ACCOUNTS_PUBLIC_WINDOW", 3600))
    return ratelimit.hit(request, f"accounts.{what}", limit=limit, window=window)


def too_many_message() -> str:
    return _("操作过于频繁，请稍后再试。")


# --- codes -----------------------------------------------------------------------------------------------


def _digest(reg: Registration, code: str) -> str:
    return salted_hmac("nqihub.accounts.registration-code", f"{reg.pk}:{reg.token}:{code}").hexdigest()


def _send_code(reg: Registration) -> None:
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    reg.code_hash = _digest(reg, code)
    reg.code_sent_at = timezone.now()
    reg.code_attempts = 0
    reg.save(update_fields=["code_hash", "code_sent_at", "code_attempts"])
    minutes = int(CODE_TTL.total_seconds() // 60)
    sign = getattr(settings, "SMS_SIGN_NAME", "") or _("质量基础设施平台")
    text = _("【%(sign)s】您的注册验证码为 %(code)s，%(minutes)s 分钟内有效。如非本人操作，请忽略。") % {
        "sign": sign,
        "code": code,
        "minutes": minutes,
    }
    _deliver(reg, _("注册验证码"), text, code=code)


def _deliver(reg: Registration, subject: str, text: str, *, code: str | None = None) -> None:
    """To the number or address the applicant gave; a failure is logged, never shown as a 500."""
    try:
        if reg.channel == Registration.Channel.MOBILE:
            from nqihub.notifications import sms

            if code is not None:
                sms.send_sms(reg.mobile, template="verification", params={"code": code}, text=text)
            else:
                sms.send_sms(reg.mobile, template="notification", params={"title": subject[:30]}, text=text)
        else:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [reg.email])
    except Exception:  # noqa: BLE001 — the provider's failure must not undo the registration
        log.exception("registration %s: message not delivered", reg.pk)


# --- steps -----------------------------------------------------------------------------------------------


@dataclass
class RegistrationData:
    uscc: str
    enterprise_name: str
    region: str
    username: str
    display_name: str
    password: str
    channel: str
    mobile: str = ""
    email: str = ""


def _check(data: RegistrationData) -> dict:
    errors: dict[str, str] = {}
    code, reason = _dir().check_uscc(data.uscc)
    if reason:
        errors["uscc"] = reason
    name = (data.enterprise_name or "").strip()
    if not name:
        errors["enterprise_name"] = _("请填写企业名称（与营业执照一致）。")
    elif len(name) > 200:
        errors["enterprise_name"] = _("企业名称不能超过200个字符。")
    enterprise = _dir().enterprise_with_uscc(code) if not reason else None
    region = None
    if enterprise is not None:
        region = enterprise.region  # the directory knows where it is
    else:
        region = Region.objects.filter(code=(data.region or "").strip(), level=Region.Level.COUNTY).first()
        if region is None:
            errors["region"] = _("请选择企业所在的县（市、区）。")
    username = (data.username or "").strip()
    if not username or len(username) > 150:
        errors["username"] = _("请填写用户名（150个字符以内）。")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("该用户名已被使用，请换一个。")
    display_name = (data.display_name or "").strip()
    if not display_name or len(display_name) > 64:
        errors["display_name"] = _("请填写您的姓名（64个字符以内）。")
    try:
        validate_password(data.password or "", User(username=username))
    except DjangoValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    mobile = email = ""
    if data.channel == Registration.Channel.MOBILE:
        from nqihub.notifications import mobile as mobile_mod

        try:
            mobile = mobile_mod.normalise(data.mobile)
        except ValidationFailed as exc:
            errors["mobile"] = str(exc.message)
    elif data.channel == Registration.Channel.EMAIL:
        email = (data.email or "").strip()
        try:
            validate_email(email)
            if len(email) > 254:
                raise DjangoValidationError("long")
        except DjangoValidationError:
            errors["email"] = _("请输入有效的电子邮箱地址。")
    else:
        errors["channel"] = _("请选择验证方式：手机短信或电子邮箱。")
    if errors:
        raise ValidationFailed(errors)
    return {
        "uscc": code,
        "enterprise_name": name,
        "region": region,
        "enterprise": enterprise,
        "username": username,
        "display_name": display_name,
        "mobile": mobile,
        "email": email,
    }


@transaction.atomic
def register(*, data: RegistrationData) -> Registration:
    c = _check(data)
    user = User(username=c["username"], display_name=c["display_name"], email=c["email"], is_active=False)
    user.set_password(data.password)
    user.save()
    reg = Registration.objects.create(
        user=user,
        token=secrets.token_urlsafe(32),
        uscc=c["uscc"],
        enterprise_name=c["enterprise_name"],
        region=c["region"],
        enterprise=c["enterprise"],
        channel=data.channel,
        mobile=c["mobile"],
        email=c["email"],
    )
    audit.record(
        None,
        "accounts.registration.submitted",
        reg,
        {"uscc": reg.uscc, "region": reg.region_id, "channel": reg.channel},
        username=user.username,
    )
    _send_code(reg)
    return reg


def resend(*, registration: Registration) -> None:
    reg = Registration.objects.get(pk=registration.pk)
    if reg.status != Registration.Status.UNVERIFIED:
        raise ValidationFailed({"code": _("该申请已验证，无需再次发送验证码。")})
    if reg.code_sent_at and timezone.now() - reg.code_sent_at < RESEND_AFTER:
        raise TooMany(_("验证码已发送，请 1 分钟后再试。"))
    _send_code(reg)


def verify(*, registration: Registration, code: str) -> Registration:
    """The code typed back. A wrong try is counted (outside the transaction, so that it sticks)."""
    code = "".join((code or "").split())
    with transaction.atomic():
        reg = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=registration.pk)
        )
        if reg.status != Registration.Status.UNVERIFIED:
            return reg
        if reg.code_attempts >= MAX_ATTEMPTS:
            raise ValidationFailed({"code": _("验证码错误次数过多，请重新获取验证码。")})
        if not reg.code_sent_at or timezone.now() - reg.code_sent_at > CODE_TTL:
            raise ValidationFailed({"code": _("验证码已过期，请重新获取。")})
        good = (
            code.isdigit()
            and len(code) == CODE_LENGTH
            and constant_time_compare(reg.code_hash, _digest(reg, code))
        )
        if good:
            reg.status = Registration.Status.PENDING
            reg.verified_at = timezone.now()
            reg.code_hash = ""
            reg.save(update_fields=["status", "verified_at", "code_hash"])
            audit.record(
                None,
                "accounts.registration.verified",
                reg,
                {"channel": reg.channel},
                username=reg.user.username,
            )
            _tell_deciders(reg)
            return reg
        Registration.objects.filter(pk=reg.pk).update(code_attempts=F("code_attempts") + 1)
    raise ValidationFailed({"code": _("验证码不正确。")})


# --- who decides ----------------------------------------------------------------------------------------


def can_decide(user, reg: Registration) -> bool:
    """The regulators of the enterprise's region (its county, city or province) and the staff of a station
    whose service area covers the county; platform admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    scope = scope_of(user)
    if scope.is_admin or any(reg.region_id.startswith(p) for p in scope.regulator_prefixes):
        return True
    if Membership.Role.STATION_STAFF not in scope.roles:
        return False
    station_orgs = scope.org_ids_of_kind(Organisation.Kind.STATION)
    return (
        bool(station_orgs)
        and _dir().station_areas_of(reg.region_id).filter(station__organisation_id__in=station_orgs).exists()
    )


def pending_for(user):
    """Registrations waiting for this user's decision (newest first)."""
    pending = Registration.objects.filter(status=Registration.Status.PENDING).select_related(
        "region__parent__parent", "user"
    )
    if not getattr(user, "is_authenticated", False):
        return pending.none()
    scope = scope_of(user)
    if scope.is_admin:
        return pending
    mine = Q(pk__in=[])
    for p in scope.regulator_prefixes:
        mine |= Q(region__code__startswith=p)
    station_orgs = scope.org_ids_of_kind(Organisation.Kind.STATION)
    if Membership.Role.STATION_STAFF in scope.roles and station_orgs:
        mine |= Q(region_id__in=_dir().counties_served_by(station_orgs))
    return pending.filter(mine)


def _deciders(reg: Registration) -> list:
    station_orgs = _dir().station_areas_of(reg.region_id).values("station__organisation_id")
    staff = User.objects.filter(
        is_active=True,
        memberships__organisation_id__in=station_orgs,
        memberships__role=Membership.Role.STATION_STAFF,
    )
    prefixes = {reg.region_id, reg.region_id[:4] + "00", reg.region_id[:2] + "0000"}
    regulators = User.objects.filter(
        is_active=True,
        memberships__organisation__kind=Organisation.Kind.REGULATOR,
        memberships__organisation__region_id__in=prefixes,
    )
    return list({u.pk: u for u in [*staff, *regulators]}.values())


def _tell_deciders(reg: Registration) -> None:
    users = _deciders(reg)
    if not users:
        return

    def send():
        from django.urls import reverse

        from nqihub.notifications.services import notify

        notify(
            users=users,
            event="accounts.registration.pending",
            title=_("企业用户注册待确认：%(name)s") % {"name": reg.enterprise_name},
            body=_("统一社会信用代码 %(uscc)s，请核实后确认或退回。") % {"uscc": reg.uscc},
            url=reverse("accounts:registration-list"),
            obj=reg,
        )

    transaction.on_commit(send, robust=True)


@transaction.atomic
def confirm(*, registration: Registration, by) -> Registration:
    reg = Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=registration.pk)
    if not can_decide(by, reg):
        raise PermissionDenied(_("只有企业所在地的服务站或监管部门可以确认该注册。"))
    if reg.status != Registration.Status.PENDING:
        raise DomainError(_("该申请当前不能确认（%(s)s）。") % {"s": reg.get_status_display()})
    enterprise = reg.enterprise or _dir().enterprise_with_uscc(reg.uscc)
    if enterprise is None:
        org = Organisation.objects.create(
            kind=Organisation.Kind.ENTERPRISE, name=reg.enterprise_name, region=reg.region
        )
        enterprise = _dir().create_enterprise(
            organisation=org, uscc=reg.uscc, name=reg.enterprise_name, region=reg.region
        )
        audit.record(
            by, "directory.enterprise.created", enterprise, {"uscc": reg.uscc, "registration": reg.pk}
        )
    Membership.objects.get_or_create(
        user=reg.user, organisation_id=enterprise.organisation_id, role=Membership.Role.ENTERPRISE_USER
    )
    user = reg.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    if reg.channel == Registration.Channel.MOBILE:
        from nqihub.notifications.models import MobilePhone

        MobilePhone.objects.update_or_create(
            user=user, defaults={"number": reg.mobile, "verified_at": reg.verified_at, "code_hash": ""}
        )
    reg.status = Registration.Status.CONFIRMED
    reg.enterprise = enterprise
    reg.decided_by = by
    reg.decided_at = timezone.now()
    reg.save(update_fields=["status", "enterprise", "decided_by", "decided_at"])
    audit.record(
        by, "accounts.registration.confirmed", reg, {"user": user.username, "enterprise": enterprise.pk}
    )
    text = _("您为“%(name)s”注册的账号 %(u)s 已通过确认，现在可以登录平台。") % {
        "name": reg.enterprise_name,
        "u": user.username,
    }
    transaction.on_commit(lambda: _deliver(reg, _("注册已通过确认"), text), robust=True)
    return reg


@transaction.atomic
def refuse(*, registration: Registration, by, reason: str) -> Registration:
    reg = Registration.objects.select_for_update(of=("self",)).select_related("user").get(pk=registration.pk)
    if not can_decide(by, reg):
        raise PermissionDenied(_("只有企业所在地的服务站或监管部门可以退回该注册。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("请填写退回原因，申请人会看到。")})
    if len(reason) > 500:
        raise ValidationFailed({"reason": _("退回原因不能超过500个字符。")})
    if reg.status != Registration.Status.PENDING:
        raise DomainError(_("该申请当前不能退回（%(s)s）。") % {"s": reg.get_status_display()})
    reg.status = Registration.Status.REFUSED
    reg.reason = reason
    reg.decided_by = by
    reg.decided_at = timezone.now()
    reg.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit.record(by, "accounts.registration.refused", reg, {"reason": reason})
    text = _("您为“%(name)s”提交的注册未通过确认：%(r)s") % {"name": reg.enterprise_name, "r": reason}
    transaction.on_commit(lambda: _deliver(reg, _("注册未通过确认"), text), robust=True)
    return reg
