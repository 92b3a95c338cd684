"""The draft's input, cleaned field by field: ``clean(data, enterprise)`` → the content dict that is saved,
versioned, checked and laid out, or ``ValidationFailed`` naming every bad field (``indicators.2.item``).

Bad input is refused (422): missing title/product, a number that is not an enterprise number with a year,
a reference or method that is not a standard number, over-long text. Everything about the *content*
(weaker limits, unknown references …) is a finding, never a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.standards.numbers import parse_standard_number

from .numbering import check_number

MAX_INDICATORS = 200
MAX_REFERENCES = 100
MAX_TERMS = 50
MAX_ANNEXES = 10
#: The free texts of the document (5000 characters at most each).
TEXT_FIELDS = (
    "scope",
    "batch_rule",
    "sampling",
    "marking",
    "packaging",
    "transport",
    "storage",
    "weaker_statement",
)
#: Every field of the content that is a single line or a text (not a list, not a date).
STRING_FIELDS = ("number", "title", "product", "grade", "drafters", *TEXT_FIELDS)
#: Every field of the content, in the order a version keeps them.
CONTENT_FIELDS = (*STRING_FIELDS, "references", "terms", "annexes", "publish_date", "implement_date")
MAX_TEXT = 5000


@dataclass
class DraftData:
    number: str
    title: str
    product: str
    grade: str = ""
    scope: str = ""
    references: list[str] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    #: ``{item, requirement, unit, method, grade, factory}``
    indicators: list[dict] = field(default_factory=list)
    batch_rule: str = ""
    sampling: str = ""
    marking: str = ""
    packaging: str = ""
    transport: str = ""
    storage: str = ""
    annexes: list[dict] = field(default_factory=list)
    drafters: str = ""
    publish_date: date | None = None
    implement_date: date | None = None
    weaker_statement: str = ""
    enterprise: int | None = None


def effective_grade(indicator: dict, content: dict) -> str:
    """An indicator's grade, else the product's (upper case): the grade its limits are held to."""
    return ((indicator.get("grade") or "").strip() or (content.get("grade") or "").strip()).upper()


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _length(errors: dict, key: str, value: str, limit: int, label: str) -> None:
    if len(value) > limit:
        errors[key] = _("%(label)s不能超过%(n)d个字符。") % {"label": label, "n": limit}


def _standard_number(errors: dict, key: str, text: str) -> str:
    try:
        return parse_standard_number(text).canonical
    except ValueError as exc:
        errors[key] = str(exc)
        return text


def clean(data: DraftData) -> dict:
    """The content of ``data``; ``ValidationFailed`` naming every bad field."""
    content, errors = clean_lenient(data)
    if errors:
        raise ValidationFailed(errors)
    return content


def clean_lenient(data: DraftData) -> tuple[dict, dict]:
    """(content, errors): what could be cleaned and what could not, for checking a form as it is typed.
    Error keys use the positions in ``content`` (empty rows of the table editor are dropped first)."""
    errors: dict[str, str] = {}
    content: dict = {}
    number = check_number(data.number)
    if number.error:
        errors["number"] = number.error
    content["number"] = number.canonical or _text(data.number)
    for key, label, limit in (("title", _("标准名称"), 200), ("product", _("产品名称"), 200)):
        value = _text(getattr(data, key))
        if not value:
            errors[key] = _("请填写%(label)s。") % {"label": label}
        _length(errors, key, value, limit, label)
        content[key] = value
    for key in TEXT_FIELDS:
        value = _text(getattr(data, key))
        _length(errors, key, value, MAX_TEXT, _("该项"))
        content[key] = value
    content["grade"] = _text(data.grade)
    _length(errors, "grade", content["grade"], 32, _("产品等级/类别"))
    content["drafters"] = _text(data.drafters)
    _length(errors, "drafters", content["drafters"], 200, _("主要起草人"))

    refs: list[str] = []
    if len(data.references or []) > MAX_REFERENCES:
        errors["references"] = _("规范性引用文件不能超过%(n)d项。") % {"n": MAX_REFERENCES}
    for text in (data.references or [])[:MAX_REFERENCES]:
        text = _text(text)
        if not text:
            continue
        i = len(refs)
        code = _standard_number(errors, f"references.{i}", text)
        if code in refs:
            errors.pop(f"references.{i}", None)
        else:
            refs.append(code)
    content["references"] = refs

    terms = []
    for t in (data.terms or [])[:MAX_TERMS]:
        t = t if isinstance(t, dict) else {}
        term, definition = _text(t.get("term")), _text(t.get("definition"))
        if not term and not definition:
            continue
        i = len(terms)
        if not term:
            errors[f"terms.{i}.term"] = _("第 %(n)d 个术语缺少术语名称。") % {"n": i + 1}
        if not definition:
            errors[f"terms.{i}.definition"] = _("术语“%(t)s”缺少定义。") % {"t": term}
        _length(errors, f"terms.{i}.term", term, 100, _("术语"))
        _length(errors, f"terms.{i}.definition", definition, 1000, _("定义"))
        terms.append({"term": term, "english": _text(t.get("english"))[:200], "definition": definition})
    content["terms"] = terms

    indicators = []
    if len(data.indicators or []) > MAX_INDICATORS:
        errors["indicators"] = _("技术指标不能超过%(n)d项。") % {"n": MAX_INDICATORS}
    for ind in (data.indicators or [])[:MAX_INDICATORS]:
        ind = ind if isinstance(ind, dict) else {}
        row = {k: _text(ind.get(k)) for k in ("item", "requirement", "unit", "method", "grade")}
        row["factory"] = ind.get("factory", True) is not False
        if not any(row[k] for k in ("item", "requirement", "unit", "method")):
            continue  # an empty row of the table editor
        i = len(indicators)
        if not row["item"]:
            errors[f"indicators.{i}.item"] = _("第 %(n)d 项指标缺少项目名称。") % {"n": i + 1}
        if not row["requirement"]:
            errors[f"indicators.{i}.requirement"] = _("第 %(n)d 项指标缺少要求。") % {"n": i + 1}
        for key, label, limit in (
            ("item", _("项目"), 100),
            ("requirement", _("要求"), 100),
            ("unit", _("单位"), 32),
            ("grade", _("等级"), 32),
            ("method", _("试验方法"), 120),
        ):
            _length(errors, f"indicators.{i}.{key}", row[key], limit, label)
        if row["method"]:
            row["method"] = _standard_number(errors, f"indicators.{i}.method", row["method"])
        indicators.append(row)
    content["indicators"] = indicators

    annexes = []
    for a in (data.annexes or [])[:MAX_ANNEXES]:
        a = a if isinstance(a, dict) else {}
        title, body = _text(a.get("title")), _text(a.get("content"))
        if not title and not body:
            continue
        i = len(annexes)
        if not title:
            errors[f"annexes.{i}.title"] = _("第 %(n)d 个附录缺少标题。") % {"n": i + 1}
        _length(errors, f"annexes.{i}.content", body, MAX_TEXT, _("附录内容"))
        annexes.append({"title": title, "normative": bool(a.get("normative")), "content": body})
    content["annexes"] = annexes

    content["publish_date"] = data.publish_date.isoformat() if data.publish_date else ""
    content["implement_date"] = data.implement_date.isoformat() if data.implement_date else ""
    if data.publish_date and data.implement_date and data.implement_date < data.publish_date:
        errors["implement_date"] = _("实施日期不能早于发布日期。")
    return content, errors
