"""The rule engine's primitives: severities, value coercion and the ``Context`` a check kind writes its
findings to (``checker`` holds the check kinds and ``check_label``). Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from . import parsing
from .packs import pack_on

#: ``lookup(canonical_number)`` → ``{"status": "current"|"upcoming"|"abolished", "replaced_by": "…"}`` or None
#: when the number is not in the catalogue.
StandardLookup = Callable[[str], Mapping | None]

ERROR = "error"
WARNING = "warning"

_TRUE = {"true", "yes", "y", "1", "是", "婴幼儿用品", "on"}
_FALSE = {"false", "no", "n", "0", "否", "", "off"}
_TYPE_NAMES = {bool: "布尔值", int: "数字", float: "数字", list: "数组", dict: "对象", tuple: "数组"}


class _Missing:
    pass


MISSING = _Missing()


class _SafeDict(dict):
    def __missing__(self, key):
        return ""


def _fmt(template: str, ctx: Mapping) -> str:
    try:
        return template.format_map(_SafeDict(ctx))
    except (ValueError, IndexError, AttributeError):
        return template


def num(x: float) -> str:
    """``1800.0`` → ``1800``, ``0.10`` → ``0.1``."""
    return format(x, ".10g")


def round_half_up(x: float) -> int:
    return int(Decimal(str(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class Context:
    """One run of the checker: the pack, the label's raw fields, the findings so far."""

    def __init__(self, category: str, fields: Mapping, lookup: StandardLookup | None, the_pack=None):
        self.pack = the_pack or pack_on(category)
        self.category = category
        self.fields = fields
        self.lookup = lookup
        self.findings: list[dict] = []
        self.specs = {f["key"]: f for f in self.pack["fields"]}
        self.values: dict[str, object] = {}  # normalised values of fields that passed their type check
        self.state: dict[str, object] = {}  # facts checks leave for label_checks (safety letter …)
        self.complete = True  # False: an excerpt of a label, nothing is reported missing

    def default_source(self) -> str:
        return self.pack["sources"][0]["code"]

    def emit(self, field: str, spec: Mapping, code: str, **ctx) -> None:
        self.findings.append(
            {
                "field": field,
                "severity": spec.get("severity", ERROR),
                "code": code,
                "message": _fmt(spec.get("message", ""), ctx),
                "source": spec.get("source") or ctx.get("_source") or self.default_source(),
                "fix": _fmt(spec.get("fix", ""), ctx),
            }
        )

    def sub(self, check: Mapping, name: str) -> dict:
        """A check's message set for outcome ``name``, with the check's source as default."""
        spec = dict(check["messages"][name])
        spec.setdefault("source", check.get("source"))
        return spec

    def texts(self) -> str:
        """Every text value of the label, for "does the label say X anywhere"."""
        out = []
        for v in self.values.values():
            if isinstance(v, str):
                out.append(v)
        return "\n".join(out)


# --- field types ---------------------------------------------------------------------------------------


def _blank(v: object) -> bool:
    return (
        v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, list | tuple | dict) and not v)
    )


def _coerce(ftype: str, raw: object) -> tuple[object, str | None]:
    """(normalised value, None) or (MISSING, None) or (None, expected-type text) for a type error."""
    if ftype == "bool":
        if raw is None:
            return MISSING, None
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, str):
            s = parsing.norm(raw).lower()
            if s in _TRUE:
                return True, None
            if s in _FALSE:
                return False, None
        return None, "true 或 false"
    if _blank(raw):
        return MISSING, None
    if ftype == "text":
        return (parsing.norm(raw), None) if isinstance(raw, str) else (None, "文字")
    if ftype == "fibres":
        if isinstance(raw, str):
            return parsing.norm(raw), None
        if isinstance(raw, list | tuple):
            return list(raw), None
        return None, "文字或 {fibre, percent} 数组"
    if ftype == "conformity":
        if isinstance(raw, bool):
            return raw, None
        return (parsing.norm(raw), None) if isinstance(raw, str) else (None, "文字或 true/false")
    if ftype == "nutrition":
        return (
            (list(raw), None)
            if isinstance(raw, list | tuple)
            else (None, "{item, per_100, unit, nrv_percent} 数组")
        )
    return (raw, None)
