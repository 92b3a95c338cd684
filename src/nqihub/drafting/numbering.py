"""The enterprise standard's own number: ``Q/`` + enterprise code + sequence (+ ``S`` for a food safety
enterprise standard where the province numbers them so) + ``-`` + year.

Read with ``standards.numbers.parse_standard_number`` (the platform's one parser), then checked for what an
enterprise standard needs. Pure: no models, no settings (the caller passes the province list).

Decisions:

* A number that does not parse, is not an enterprise number (``Q/``) or has no year is refused (422): the
  document's cover and the self-declaration need all three.
* Food (GB/T 4754 divisions 13 农副食品加工业, 14 食品制造业, 15 酒、饮料和精制茶制造业): provinces that put ``S``
  after the sequence of a 食品安全企业标准 (``Q/LPG0001S-2017``, a Sichuan 成都 food maker's standard) are listed in
  :data:`FOOD_S_PROVINCES`; there a food standard without ``S`` gets a warning, elsewhere nothing. ``S`` on a
  non-food standard gets a warning everywhere. The list holds only the provinces seen numbering so; the
  ``DRAFTING_FOOD_S_PROVINCES`` setting replaces it (two-digit GB/T 2260 province codes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from nqihub.standards.numbers import ENTERPRISE, parse_standard_number

#: Provinces (GB/T 2260, two digits) where a food safety enterprise standard's sequence ends with "S".
FOOD_S_PROVINCES: tuple[str, ...] = ("51",)

#: GB/T 4754-2017 divisions of food makers.
FOOD_DIVISIONS = frozenset({"13", "14", "15"})


def is_food_industry(industry_code: str | None) -> bool:
    return bool(industry_code) and industry_code[:2] in FOOD_DIVISIONS


@dataclass
class NumberCheck:
    canonical: str = ""
    #: The enterprise code (``HXKJ``) and the sequence (``0001`` / ``0001S``), for the cover.
    prefix: str = ""
    sequence: str = ""
    year: int | None = None
    error: str = ""
    #: (code, message, fix) of every warning.
    warnings: list[tuple[str, str, str]] = field(default_factory=list)


def check_number(
    text: str, *, food: bool = False, province: str = "", food_s_provinces=FOOD_S_PROVINCES
) -> NumberCheck:
    """Parse and check an enterprise standard number; ``error`` is set when it cannot be used at all."""
    text = (text or "").strip()
    if not text:
        return NumberCheck(error=_("请填写企业标准编号（如 Q/ABC 0001-2026）。"))
    try:
        parsed = parse_standard_number(text)
    except ValueError as exc:
        return NumberCheck(error=str(exc))
    result = NumberCheck(parsed.canonical, parsed.prefix, parsed.sequence, parsed.year)
    if parsed.level != ENTERPRISE:
        result.error = _(
            "企业标准编号应以 Q/ 开头（Q/ + 企业代号 + 顺序号 - 年代号，如 Q/ABC 0001-2026），收到 %(code)s。"
        ) % {"code": parsed.canonical}
        return result
    if parsed.year is None:
        result.error = _("企业标准编号缺少年代号（发布年份），如 %(code)s-2026。") % {
            "code": parsed.canonical
        }
        return result
    has_s = parsed.sequence.upper().endswith("S")
    if food and not has_s and province[:2] in set(food_s_provinces):
        fixed = f"{parsed.prefix} {parsed.sequence}S-{parsed.year}"
        result.warnings.append(
            (
                "number_food_suffix",
                _("本省食品安全企业标准编号在顺序号后加“S”，%(code)s 没有。") % {"code": parsed.canonical},
                _("改为 %(fixed)s，并按本省食品安全企业标准备案的规定核实。") % {"fixed": fixed},
            )
        )
    if has_s and not food:
        result.warnings.append(
            (
                "number_suffix_not_food",
                _("顺序号后的“S”用于食品安全企业标准，%(code)s 不是食品。") % {"code": parsed.canonical},
                _("非食品的企业标准编号去掉“S”。"),
            )
        )
    return result
