"""The API's JSON body parser: nesting bounded and the top level an object. The NinjaAPI (``nqihub.api``)
parses every body with it; a route that reads its body itself (labels' check endpoint) calls it too."""

import json

from django.utils.translation import gettext as _
from ninja.parser import Parser

#: Deepest nesting of arrays and objects a request body may have (ours need 3).
MAX_JSON_DEPTH = 32


class BodyError(ValueError):
    """A JSON body that is well-formed but not acceptable (too deep, not an object)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class JsonBodyParser(Parser):
    """JSON bodies: nesting bounded (a body nested 50,000 deep is a 422, not a RecursionError) and the
    top level an object (a PATCH sent ``[]`` is refused, not taken as "change nothing")."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise BodyError(self._too_deep(), "json_too_deep") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise BodyError(self._too_deep(), "json_too_deep")
        if not isinstance(data, dict):
            raise BodyError(_("请求体应为 JSON 对象（{…}）。"), "model_attributes_type")
        return data

    @staticmethod
    def _too_deep() -> str:
        return _("请求体嵌套层数过多（最多 %(n)d 层）。") % {"n": MAX_JSON_DEPTH}
