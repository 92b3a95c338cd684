"""API authentication: ``POST /api/v1/auth/token`` → bearer token; ``Authorization: Bearer <token>``."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import HttpBearer

from nqihub.core import audit
from nqihub.core.errors import DomainError

from .models import ApiToken


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


class Unauthorised(DomainError):
    status = 401


@router.post("/token", auth=None, response={200: TokenOut}, summary="Obtain a bearer token")
def obtain_token(request, payload: TokenIn):
    # authenticate() goes through django-axes: failures count toward lock-out and are audited.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        if getattr(request, "axes_locked_out", False):
            raise DomainError(_("登录失败次数过多，账户已临时锁定，请 15 分钟后再试。"))
        raise Unauthorised(_("用户名或密码错误。"))
    token, key = ApiToken.issue(user)
    audit.record(user, "accounts.api_token.issued", user)
    return {"token": key, "expires_at": token.expires_at.isoformat()}
