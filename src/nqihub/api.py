"""The one NinjaAPI under /api/v1: mounts each app's router and maps domain errors."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from nqihub.accounts.api import BearerAuth
from nqihub.accounts.api import router as auth_router
from nqihub.core.api import router as core_router
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.directory.api import router as directory_router

api = NinjaAPI(
    title="NQI Hub API",
    version="1",
    description=_("质量基础设施“一站式”服务平台 REST API"),
    urls_namespace="api",
    auth=BearerAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/auth", auth_router)
api.add_router("/", core_router)
api.add_router("/", directory_router)


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {"field": _field_of(e.get("loc", [])), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(ValidationFailed)
def _validation_failed(request, exc: ValidationFailed):
    errors = [{"field": f, "message": m} for f, m in exc.errors.items()]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return api.create_response(request, {"detail": _("未登录或令牌无效")}, status=401)
