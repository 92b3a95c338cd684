"""The one NinjaAPI under /api/v1: mounts each app's router and maps errors to one body format.

- 422 ``{"detail": [{"field": "uscc", "message": "…"}, …]}``: pydantic's own validation errors (missing or
  mistyped input) and the domain's ``ValidationFailed``; ``field`` names the input as the caller sent it.
- 401/403/404/409/429 ``{"detail": "…"}`` (plus ``"field"`` when a domain error names one).
- Records outside the caller's scope are 404, like records that do not exist.

The docs page (/api/v1/docs) uses the Swagger UI files shipped in ``ninja/static/ninja/`` (``ninja`` is in
INSTALLED_APPS, so ninja renders its local template, not the CDN one) and has the online validator badge
turned off: nothing is fetched from outside the intranet.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from nqihub.accounts.api import BearerAuth, me_router
from nqihub.accounts.api import router as auth_router
from nqihub.cases.api import router as cases_router
from nqihub.certification.api import router as certification_router
from nqihub.cooperatives.api import router as cooperatives_router
from nqihub.core.api import ValidationErrorOut  # noqa: F401  (its schema is referenced by every 422)
from nqihub.core.api import router as core_router
from nqihub.core.errors import DomainError, ValidationFailed
from nqihub.core.jsonbody import MAX_JSON_DEPTH, BodyError, JsonBodyParser  # noqa: F401  (re-exported)
from nqihub.core.middleware import is_out_of_range, out_of_range_message, record_denial
from nqihub.desk.api import router as desk_router
from nqihub.directory.api import router as directory_router
from nqihub.drafting.api import router as drafting_router
from nqihub.labels.api import router as labels_router
from nqihub.metrology.api import router as metrology_router
from nqihub.notifications.api import router as notifications_router
from nqihub.standards.api import router as standards_router
from nqihub.stats.api import router as stats_router
from nqihub.testing.api import router as testing_router


class _Renderer(JSONRenderer):
    # Chinese text as UTF-8 rather than escaped code points (the content type says charset=utf-8).
    json_dumps_params = {"ensure_ascii": False}


class _Api(NinjaAPI):
    """Documents, on every operation, the answers the handlers below give to any route: 422 when it takes
    input (every parameter and body is validated), 401 when it needs a token, 404 when its path names a
    record. A route need not repeat them; the document then says what the API really does."""

    #: The document per (language, arguments), built once per process: routes do not change while it
    #: runs, and building it took 2.7 s (issue 18).
    _openapi_cache: dict = {}

    def get_openapi_schema(self, *args, **kwargs):
        key = (get_language(), repr(args), repr(sorted(kwargs.items())))
        cached = self._openapi_cache.get(key)
        if cached is None:
            cached = self._openapi_cache[key] = self._build_openapi_schema(*args, **kwargs)
        return cached

    def _build_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for op in operations.values():
                responses = op.setdefault("responses", {})
                codes = {str(code) for code in responses}
                parameters = op.get("parameters", [])
                if (parameters or "requestBody" in op) and "422" not in codes:
                    responses[422] = _json_response(_("输入有误（逐项说明）"), "ValidationErrorOut")
                if op.get("security") and {} not in op["security"] and "401" not in codes:
                    responses[401] = _json_response(_("未登录或令牌无效/已过期"), "ErrorOut")
                if any(p.get("in") == "path" for p in parameters) and "404" not in codes:
                    responses[404] = _json_response(_("未找到，或不在您的可见范围内"), "ErrorOut")
        return schema


def _json_response(description: str, component: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


api = _Api(
    title="NQI Hub API",
    version="1",
    description=gettext_lazy(
        "质量基础设施“一站式”服务平台 REST API。先 POST /api/v1/auth/token 取得令牌，再以 Authorization: Bearer <令牌> 调用其余接口。"
    ),
    urls_namespace="api",
    auth=BearerAuth(),
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=_Renderer(),
    parser=JsonBodyParser(),
)
api.add_router("/auth", auth_router)
api.add_router("/", me_router)
api.add_router("/", core_router)
api.add_router("/", directory_router)
api.add_router("/", desk_router)
api.add_router("/", standards_router)
api.add_router("/", metrology_router)
api.add_router("/", certification_router)
api.add_router("/", cases_router)
api.add_router("/", testing_router)
api.add_router("/", cooperatives_router)
api.add_router("/", labels_router)
api.add_router("/", stats_router)
api.add_router("/", drafting_router)
api.add_router("/notifications", notifications_router)

#: Where a value came from, as ninja puts it first in ``loc``; not part of the field's name.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_of(loc) -> str:
    """The input's name from a pydantic ``loc``, as the caller sent it.

    ninja puts the source first (``query``, ``path``, ``body`` …); query and path parameters follow
    flat (``("query", "page_size")`` → ``page_size``), while a body schema is nested under the view's
    parameter name, which is the view's, not the caller's: ``("body", "payload", "name")`` → ``name``,
    ``("body", "payload")`` (no body at all) → ``body``. Nested items keep their path: ``lines.0.product``.
    """
    parts = [str(p) for p in loc]
    source = parts.pop(0) if parts and parts[0] in _SOURCES else None
    if source == "body" and parts:
        parts.pop(0)
    return ".".join(parts) or source or "request"


#: Chinese messages for the pydantic error types callers meet; other types keep pydantic's own message.
#: ``type`` is passed on as well, for clients that branch on it.
_MESSAGES = {
    "missing": gettext_lazy("必填。"),
    "string_type": gettext_lazy("应为字符串。"),
    "int_type": gettext_lazy("应为整数。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "int_from_float": gettext_lazy("应为整数。"),
    "float_type": gettext_lazy("应为数字。"),
    "float_parsing": gettext_lazy("应为数字。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "bool_parsing": gettext_lazy("应为 true 或 false。"),
    "greater_than_equal": gettext_lazy("不能小于 %(ge)s。"),
    "less_than_equal": gettext_lazy("不能大于 %(le)s。"),
    "string_too_long": gettext_lazy("不能超过 %(max_length)s 个字符。"),
    "string_too_short": gettext_lazy("至少 %(min_length)s 个字符。"),
    "model_attributes_type": gettext_lazy("请求体应为 JSON 对象。"),
    "dict_type": gettext_lazy("应为 JSON 对象。"),
    "list_type": gettext_lazy("应为数组。"),
    "json_invalid": gettext_lazy("不是有效的 JSON。"),
    "date_format": gettext_lazy("应为 YYYY-MM-DD 格式的日期。"),
    "date_parsing": gettext_lazy("应为 YYYY-MM-DD 格式的日期。"),
    "date_from_datetime_parsing": gettext_lazy("应为 YYYY-MM-DD 格式的日期。"),
    "decimal_parsing": gettext_lazy("应为数字。"),
    "too_long": gettext_lazy("最多 %(max_length)s 项。"),
}


def _message_of(error: dict) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    try:
        return str(template) % (error.get("ctx") or {})
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {"field": _field_of(e.get("loc", [])), "message": _message_of(e), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if exc.status_code == 400 and isinstance(exc.__cause__, BodyError):
        detail = [{"field": "body", "message": exc.__cause__.message, "type": exc.__cause__.kind}]
        return api.create_response(request, {"detail": detail}, status=422)
    if exc.status_code == 403:
        record_denial(request, str(exc.message))
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja could not parse the body (not JSON, not UTF-8): an input error like any other.
        detail = [{"field": "body", "message": _("请求体不是有效的 JSON。"), "type": "json_invalid"}]
        return api.create_response(request, {"detail": detail}, status=422)
    return api.create_response(request, {"detail": str(exc.message)}, status=exc.status_code)


@api.exception_handler(ValidationFailed)
def _validation_failed(request, exc: ValidationFailed):
    errors = [{"field": f, "message": str(m)} for f, m in exc.errors.items()]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    if exc.status == 403:
        record_denial(request, str(exc.message))
    body = {"detail": str(exc.message)}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("未找到，或不在您的可见范围内。")}, status=404)


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request, exc):
    # A scoped selector's ``.get()`` outside the caller's scope: the same answer as "no such record".
    return _not_found(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return api.create_response(request, {"detail": _("未登录或令牌无效/已过期。")}, status=401)


def _input_error(request, field: str, message: str, kind: str):
    return api.create_response(
        request, {"detail": [{"field": field, "message": message, "type": kind}]}, status=422
    )


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request, exc):
    # e.g. "Content-Type: multipart/form-data" without a boundary, read when a failed login is counted.
    return _input_error(
        request,
        "body",
        _("请求体格式错误：multipart/form-data 缺少或有错误的 boundary；本接口接受 JSON。"),
        "multipart",
    )


@api.exception_handler(OverflowError)
def _overflow(request, exc):
    if not is_out_of_range(exc):
        raise exc
    return _input_error(request, "request", out_of_range_message(), "out_of_range")


@api.exception_handler(DataError)
def _data_error(request, exc):
    if not is_out_of_range(exc):
        raise exc
    return _input_error(request, "request", out_of_range_message(), "out_of_range")


def not_found(request, *args, **kwargs):
    """Any /api/ path no route matches: the API's own 404, in JSON (not the site's HTML page)."""
    return api.create_response(request, {"detail": _("接口不存在。")}, status=404)
