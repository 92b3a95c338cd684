"""The items of an order: whether the lab covers them, whether the method standard is current, the product
standard's requirement for them, and the cleaning of item and sample input."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from nqihub.core.errors import ValidationFailed
from nqihub.directory.matching import canonical_method_code, parameter_line_q, vocabulary_map
from nqihub.directory.matching import lab_covers as matching_lab_covers
from nqihub.directory.models import Institution, Parameter
from nqihub.directory.vocabulary import normalise
from nqihub.standards.models import Requirement, Standard
from nqihub.standards.numbers import parse_standard_number

from .base import METHOD_MAX, PARAMETER_MAX, PRODUCT_MAX, REQUIREMENT_MAX, UNIT_MAX


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
    # A requirement given with its basis (a cooperative's own, stricter limit) keeps the basis.
    source = " ".join(str(raw.get("requirement_source") or "").split())[:200] if requirement else ""
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


def _errors_for_item(errors: dict) -> dict:
    return {k.split(".", 1)[-1]: v for k, v in errors.items()}


def _clean_one(clean, raw: dict, **kwargs) -> dict:
    """``clean`` (``_clean_item``, ``_clean_sample``) of one row added or changed on its own: its errors
    keyed by the bare field names, as the small forms of the order page name them."""
    try:
        return clean(raw, **kwargs)
    except ValidationFailed as exc:
        raise ValidationFailed(_errors_for_item(exc.errors)) from None
