"""API authentication: ``POST /api/v1/auth/token`` → bearer token; ``Authorization: Bearer <token>``.

Obtaining a token is a login: it goes through ``authenticate(request, …)`` and so through django-axes
(5 failures within 15 minutes lock the account, even for the right password), failures are audited by
the ``user_login_failed`` receiver, and the token's issue is audited. Tokens expire after
``settings.API_TOKEN_TTL_HOURS``; only their SM3 digest is stored; they end early on ``DELETE /auth/token``
(the calling token), on the token page, on a password change, a deactivation or a lock-out. A user with a confirmed second-factor
device (django-otp) must also send the current one-time code as ``otp``; a wrong code counts as a failure.
"""

from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer

from nqihub.core import audit
from nqihub.core.api import ErrorOut, ValidationErrorOut
from nqihub.core.errors import DomainError
from nqihub.core.middleware import ip_from_request
from nqihub.core.models import Membership
from nqihub.core.scoping import scope_of

from . import lockout, otp, services
from .models import ApiToken


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        if len(token) > 256:
            return None
        api_token = ApiToken.live(token, ip=ip_from_request(request))
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)
    otp: str | None = Field(None, max_length=16, description="动态口令：已绑定第二因素的账户必填")


class TokenOut(Schema):
    token: str
    expires_at: str = Field(..., description="ISO 8601；过期后须重新获取")


class Unauthorised(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class LockedOut(DomainError):
    status = 429


def _lock_message(request) -> str:
    return lockout.lockout_message(request)


def _second_factor_ok(user, code: str | None) -> bool:
    if not user_has_device(user):
        return True
    if not code:
        return False
    with transaction.atomic():
        return any(device.verify_token(code.strip()) for device in devices_for_user(user, for_verify=True))


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary="Obtain a bearer token",
)
def obtain_token(request, payload: TokenIn):
    # authenticate() goes through django-axes: a locked account is refused before the password is
    # checked, failures count toward the lock-out and are audited (core.receivers).
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's own format; AxesMiddleware would otherwise swap in its HTML page.
        request.axes_locked_out = False
        raise LockedOut(_lock_message(request))
    if user is None or not user.is_active:
        raise Unauthorised(_("用户名或密码错误。"))
    if otp.must_bind(user):
        raise Forbidden(_("监管人员和平台管理员须先在网页上绑定动态口令验证器，才能获取令牌。"), field="otp")
    if not _second_factor_ok(user, payload.otp):
        user_login_failed.send(sender=__name__, credentials={"username": payload.username}, request=request)
        if getattr(request, "axes_locked_out", False):
            request.axes_locked_out = False
            raise LockedOut(_lock_message(request))
        raise Unauthorised(_("请填写正确的动态口令（第二因素）。"), field="otp")
    # A token is a login: the same signal as the web login (axes resets the failure count, last_login,
    # the audit entry), then the issue itself is audited.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, key = ApiToken.issue(
        user, ip=ip_from_request(request), user_agent=request.headers.get("User-Agent", "")
    )
    audit.record(
        user, "accounts.api_token.issued", user, {"token_id": token.pk, "expires_at": token.expires_at}
    )
    return {"token": key, "expires_at": token.expires_at.isoformat()}


@router.delete(
    "/token",
    response={204: None, 401: ErrorOut},
    summary="End the calling token (sign out of the API)",
)
def end_token(request):
    services.token_end(token=request.api_token, by=request.user, reason=ApiToken.Ended.SIGNED_OUT)
    return Status(204, None)


# --- who am I ---------------------------------------------------------------------------------------------

me_router = Router(tags=["auth"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    kind: str = Field(..., description="机构类别：station、institution、enterprise、regulator、cooperative…")
    region: str | None = Field(None, description="机构所在地区代码")
    role: str
    role_label: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    is_admin: bool
    roles: list[str]
    memberships: list[MembershipOut]


@me_router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The caller: roles and organisations")
def me(request):
    """Who the token or session belongs to, with every role and organisation: what an API client needs to
    know what it may do. One query (the memberships with their organisations, as ``scope_of`` reads them
    for every scoped request anyway); with a cached token, no other."""
    user = request.user
    scope = scope_of(user)
    names = dict(scope.org_names)
    memberships = [
        {
            "organisation_id": org_id,
            "organisation": names.get(org_id, ""),
            "kind": kind,
            "region": region,
            "role": role,
            "role_label": str(Membership.Role(role).label) if role in Membership.Role.values else role,
        }
        for org_id, kind, region, role in sorted(scope.memberships, key=lambda m: (m[0], m[3]))
    ]
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": str(user),
        "is_admin": scope.is_admin,
        "roles": sorted({m["role"] for m in memberships}),
        "memberships": memberships,
    }
