"""The rule engine: ``check_label(category, fields)`` → every finding at once.

The rules live in the category's rule pack (``data/rules/<category>.json``, see :mod:`nqihub.labels.packs`);
this module only knows *kinds* of checks (``min_length``, ``standard``, ``fibre_content``, ``nutrition`` …) and
applies the parameters, messages and sources the pack gives. Pure except for the default standard lookup,
which reads the standards catalogue; pass ``standard_status`` to run without a database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date

from nqihub.standards.numbers import parse_standard_number

from . import parsing
from .packs import fibre_names, nutrients, pack_on
from .rulebase import (
    _TYPE_NAMES,
    ERROR,
    MISSING,
    WARNING,
    Context,
    StandardLookup,
    _blank,
    _coerce,
    num,
    round_half_up,
)

# --- check kinds ---------------------------------------------------------------------------------------


def _simple(c: Context, key: str, check: Mapping, value) -> None:
    c.emit(key, check, check.get("code", check["kind"]), value=value)


def k_min_length(c, key, check, value):
    if isinstance(value, str) and len(value) < int(check["n"]):
        _simple(c, key, check, value)


def k_forbidden_pattern(c, key, check, value):
    flags = re.IGNORECASE if "i" in check.get("flags", "") else 0
    if isinstance(value, str) and re.search(check["pattern"], value, flags):
        _simple(c, key, check, value)


def k_one_of(c, key, check, value):
    if isinstance(value, str) and not any(v in value for v in check["values"]):
        _simple(c, key, check, value)


def k_contact(c, key, check, value):
    if not parsing.looks_like_contact(value):
        _simple(c, key, check, value)


def k_date(c, key, check, value):
    if not parsing.looks_like_date(value):
        _simple(c, key, check, value)


def k_duration(c, key, check, value):
    if not parsing.looks_like_duration(value) and not parsing.looks_like_date(value):
        _simple(c, key, check, value)


def k_lead_word(c, key, check, value):
    if isinstance(value, str) and value.strip():
        _simple(c, key, check, value)


def alcohol_percent(value: object) -> float | None:
    """``53% vol`` → 53.0; ``高度白酒（50%以上）`` → 50.0; None without a percentage."""
    if not isinstance(value, str):
        return None
    m = re.search(r"(\d+(?:\.\d+)?)\s*%", parsing.norm(value))
    return float(m.group(1)) if m else None


def k_alcohol(c, key, check, value):
    if isinstance(value, str) and not re.search(r"\d\s*%\s*vol", parsing.norm(value), re.I):
        _simple(c, key, check, value)


def k_conformity(c, key, check, value):
    if value is False or (
        isinstance(value, str) and value.strip().lower() in {"无", "否", "没有", "false", "no", "不合格"}
    ):
        c.emit(key, c.sub(check, "false"), "conformity_false", value=value)
    elif isinstance(value, str) and "合格" not in value:
        c.emit(key, c.sub(check, "unclear"), "conformity_unclear", value=value)


_NEXT_NUMBER = re.compile(r"\s*[、,，;；]\s*|\s+(?=(?:[A-Z]{1,4}\s*(?:/\s*[A-Z])?\s*\d|Q\s*/|DBS?\s*\d))")


def standard_numbers(value: str) -> list:
    """The standard numbers written in one field (``GB/T 20977、GB 2760``), parsed; ``ValueError`` naming
    why when a part is not a standard number."""
    try:
        return [parse_standard_number(value)]
    except ValueError as whole:
        text = parsing.norm(value).upper()
        # amendment sheets ("/XG1-2009", "（含第1号修改单）") belong to the standard; brackets separate numbers
        text = re.sub(r"\s*/?\s*XG\s*\d+\s*-\s*\d{2,4}", "", text)
        text = re.sub(r"\((?:含)?第?\s*\d*\s*号?修改单[^)]*\)", "", text)
        text = text.replace("(", "、").replace(")", "、")
        parts = [p for p in _NEXT_NUMBER.split(text) if p and p.strip()]
        if not parts or (len(parts) == 1 and parts[0] == parsing.norm(value).upper()):
            raise whole from None
        out = []
        for part in parts:
            try:
                out.append(parse_standard_number(part))
            except ValueError:
                raise whole from None
        return out


def k_standard(c, key, check, value):
    try:
        parsed_all = standard_numbers(value)
    except ValueError as exc:
        c.emit(key, c.sub(check, "invalid"), "standard_invalid", value=value, reason=str(exc))
        return
    excluded = set()
    for code in check.get("not_product_standards", []):
        try:
            excluded.add(parse_standard_number(code).code_without_year)
        except ValueError:
            continue
    products = [p for p in parsed_all if p.code_without_year not in excluded]
    if not products:
        c.emit(
            key,
            c.sub(check, "not_product"),
            "standard_not_product",
            value=value,
            number=parsed_all[0].canonical,
        )
        return
    for parsed in products:
        _standard_status(c, key, check, value, parsed.canonical)


def _standard_status(c, key, check, value, number):
    info = c.lookup(number) if c.lookup is not None else None
    if not info:
        c.emit(key, c.sub(check, "unknown"), "standard_unknown", value=value, number=number)
        return
    status = info.get("status")
    if status == "abolished":
        by = info.get("replaced_by") or ""
        c.emit(
            key,
            c.sub(check, "abolished"),
            "standard_abolished",
            value=value,
            number=number,
            replacement=f"，已被 {by} 代替" if by else "",
            replacement_fix=f"（{by}）" if by else "",
        )
    elif status == "upcoming":
        c.emit(key, c.sub(check, "upcoming"), "standard_upcoming", value=value, number=number)


def k_safety_category(c, key, check, value):
    letters = sorted(set(re.findall(r"(?<![A-Z])([ABC])(?![A-Z])", value.upper())))
    if not letters:
        c.emit(key, c.sub(check, "invalid"), "safety_invalid", value=value)
    elif len(letters) > 1:
        c.emit(key, c.sub(check, "ambiguous"), "safety_ambiguous", value=value)
    else:
        c.state["safety_letter"] = letters[0]


def k_care(c, key, check, value):
    positions = []
    for name, words in check["groups"]:
        hits = [value.find(w) for w in words if w in value]
        if hits:
            positions.append((min(hits), name))
    names = [n for _, n in positions]
    if check["groups"][0][0] not in names:
        c.emit(key, c.sub(check, "no_washing"), "care_no_washing", value=value)
    in_text = [n for _, n in sorted(positions)]
    if in_text != names:
        c.emit(key, c.sub(check, "order"), "care_order", value=value, found="、".join(in_text))


def k_fibre_content(c, key, check, value):
    names = fibre_names()
    parts: list[tuple[str, list[tuple[str, float | None]], str]] = []
    if isinstance(value, str):
        for part in parsing.parse_fibres(value):
            parts.append((part.name, [(e.fibre, e.percent) for e in part.entries], part.leftover))
    else:
        entries = []
        for i, item in enumerate(value, 1):
            fibre = item.get("fibre") if isinstance(item, Mapping) else None
            pct_raw = item.get("percent") if isinstance(item, Mapping) else None
            pct = parsing.number(pct_raw)
            if not isinstance(fibre, str) or not fibre.strip() or (pct_raw is not None and pct is None):
                c.emit(key, c.sub(check, "item_malformed"), "fibre_item_malformed", index=i)
                continue
            entries.append((parsing.norm(fibre), pct))
        parts.append(("", entries, ""))
        if not entries:
            return
    if not any(entries for _, entries, _ in parts):
        c.emit(key, c.sub(check, "unparsed"), "fibre_unparsed", value=value)
        return
    for part, entries, leftover in parts:
        if leftover:
            c.emit(key, c.sub(check, "leftover"), "fibre_leftover", value=leftover)
        total = 0.0
        complete = True
        for fibre, pct in entries:
            if fibre[:1] in "纯全" and len(fibre) > 1:
                if len(entries) > 1 and "pure_blend" in check["messages"]:
                    c.emit(key, c.sub(check, "pure_blend"), "fibre_pure_in_blend", fibre=fibre)
                fibre = fibre[1:]
                if pct is None and len(entries) == 1:
                    pct = 100.0
            base = _descriptor_free(fibre, names)
            wrong = names.wrong.get(base.upper())
            if _DOWN.match(base) or base in ("其他", "其他纤维", "其它纤维", "其它"):
                if pct is None:
                    complete = False
                    continue  # down and feather fillers are labelled by kind (含绒量 states the share)
            elif wrong is not None:
                c.emit(key, c.sub(check, "trade_name"), "fibre_trade_name", fibre=fibre, generic=wrong)
            elif base not in names.generic and f"{base}纤维" not in names.generic:
                c.emit(key, c.sub(check, "unknown_fibre"), "fibre_unknown", fibre=fibre)
            if pct is None:
                complete = False
                c.emit(key, c.sub(check, "no_percent"), "fibre_no_percent", fibre=fibre)
            elif not 0 < pct <= 100:
                complete = False
                c.emit(key, c.sub(check, "bad_percent"), "fibre_bad_percent", fibre=fibre, percent=num(pct))
            else:
                total += pct
        all_down = all(_DOWN.match(_descriptor_free(f.lstrip("纯全"), names)) for f, _p in entries)
        if complete and entries and not all_down and abs(total - 100) > 0.01:
            c.emit(
                key,
                c.sub(check, "sum"),
                "fibre_sum",
                part=f"{part}的" if part else "",
                total=num(round(total, 2)),
            )


_DOWN = re.compile(r"^(?:白|灰)?(?:鸭|鹅)?(?:绒|毛)片?$|^羽(?:绒|毛)片?$")
#: Quality words printed before a generic fibre name (双宫茧桑蚕丝, 长绒棉): the name after them is judged.
_DESCRIPTORS = ("双宫茧", "美利奴", "长绒", "精梳", "有机", "新疆", "澳洲", "埃及", "丝光", "超细", "天然")


def _descriptor_free(fibre: str, names) -> str:
    for d in _DESCRIPTORS:
        rest = fibre[len(d) :]
        if fibre.startswith(d) and (rest in names.generic or f"{rest}纤维" in names.generic):
            return rest
    return fibre


def k_net_content(c, key, check, value):
    q = parsing.quantity(value)
    if q is None:
        c.emit(key, c.sub(check, "no_number"), "net_content_no_number", value=value)
        return
    amount, unit = q
    units = {k.lower(): v for k, v in check["units"].items()}
    forbidden = {u.lower() for u in check["forbidden"]}
    discouraged = check.get("discouraged", {})
    candidates = [unit] if unit.isascii() else [unit, unit[:1]]
    for u in candidates:
        lu = u.lower()
        if lu in forbidden:
            c.emit(key, c.sub(check, "forbidden_unit"), "net_content_forbidden_unit", value=value, unit=u)
            return
        if u in discouraged:
            c.emit(
                key,
                c.sub(check, "discouraged_unit"),
                "net_content_discouraged_unit",
                value=value,
                unit=u,
                suggestion=discouraged[u],
            )
            return
        if lu in units:
            dimension, factor = units[lu]
            base = amount * factor
            small, big = ("g", "kg") if dimension == "g" else ("mL", "L")
            if factor == 1 and base >= 1000:
                reason = f"{num(amount)} {u} 不小于 1000 {small}，应以 {big} 标示。"
            elif factor != 1 and base < 1000:
                reason = f"{num(amount)} {u} 小于 1000 {small}，应以 {small} 标示。"
            else:
                return
            c.emit(key, c.sub(check, "range"), "net_content_range", value=value, reason=reason)
            return
    c.emit(key, c.sub(check, "unknown_unit"), "net_content_unknown_unit", value=value, unit=unit or "（无）")


def k_licence(c, key, check, value):
    s = re.sub(r"\s+", "", value).upper()
    if re.fullmatch(r"SC\d{14}", s) or "小作坊" in s or "登记证" in s:
        return
    if s.startswith("QS"):
        c.emit(key, c.sub(check, "qs"), "licence_qs", value=value)
        return
    m = re.fullmatch(r"SC(\d+)", s)
    if m:
        c.emit(key, c.sub(check, "digits"), "licence_digits", value=value, count=len(m.group(1)))
        return
    c.emit(key, c.sub(check, "format"), "licence_format", value=value)


def _unit(text: str, table: Mapping[str, str]) -> str:
    s = parsing.norm(text).replace("µ", "μ")
    first = s.split()[0] if s.split() else ""
    for candidate in (s, first):
        hit = table.get(candidate.lower()) or table.get(candidate)
        if hit:
            return hit
    return first


def k_nutrition(c, key, check, rows):
    edition = c.pack.get("nutrition_edition", "GB 28050-2011")
    # sub-items are printed "—糖", "—饱和脂肪"; a sub-item not in this edition's table is not a core nutrient
    table = nutrients(edition)
    aliases = check.get("aliases", {})
    unit_table = {k.lower(): v for k, v in check["units"].items()}
    tol = float(check.get("nrv_tolerance", 1))
    seen: list[str] = []
    for i, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            c.emit(key, c.sub(check, "malformed"), "nutrition_malformed", index=i, reason="应为对象")
            continue
        given = row.get("item")
        if not isinstance(given, str) or not given.strip():
            c.emit(
                key, c.sub(check, "malformed"), "nutrition_malformed", index=i, reason="缺少项目名称（item）"
            )
            continue
        given = parsing.norm(given).lstrip("—-－ ")
        name = given
        replaced = check.get("replacements", {}).get(name)
        if replaced is not None and "replaced" in check["messages"]:
            c.emit(key, c.sub(check, "replaced"), "nutrition_replaced", given=given, item=replaced)
            if replaced not in seen:
                seen.append(replaced)
            continue
        if name not in table and name in aliases:
            c.emit(key, c.sub(check, "alias"), "nutrition_alias", given=given, item=aliases[name])
            name = aliases[name]
        nutrient = table.get(name)
        if nutrient is None:
            c.emit(key, c.sub(check, "unknown_item"), "nutrition_unknown_item", given=given)
            continue
        item = nutrient.name
        if item in seen:
            c.emit(key, c.sub(check, "duplicate"), "nutrition_duplicate", item=item)
            continue
        seen.append(item)
        raw_value, raw_unit = row.get("per_100"), row.get("unit")
        value = parsing.number(raw_value)
        if value is None:
            c.emit(
                key,
                c.sub(check, "malformed"),
                "nutrition_malformed",
                index=i,
                reason=f"“{item}”的含量（per_100）应为数字",
            )
            continue
        if raw_unit is not None and not isinstance(raw_unit, str):
            c.emit(
                key,
                c.sub(check, "malformed"),
                "nutrition_malformed",
                index=i,
                reason=f"“{item}”的单位（unit）应为文字",
            )
            continue
        if not raw_unit and isinstance(raw_value, str):
            q = parsing.quantity(raw_value)
            raw_unit = q[1] if q else ""
        if not raw_unit:
            c.emit(
                key,
                c.sub(check, "malformed"),
                "nutrition_malformed",
                index=i,
                reason=f"“{item}”缺少单位（unit）",
            )
            continue
        unit = _unit(raw_unit, unit_table)
        ctx = {
            "item": item,
            "value": num(value),
            "expected": nutrient.unit,
            "interval": num(nutrient.interval),
            "limit": num(nutrient.zero_limit),
        }
        if unit != nutrient.unit:
            c.emit(key, c.sub(check, "unit"), "nutrition_unit", unit=raw_unit, **ctx)
            continue
        if value < 0:
            c.emit(key, c.sub(check, "negative"), "nutrition_negative", **ctx)
            continue
        steps = value / nutrient.interval
        if value and abs(steps - round(steps)) > 1e-6:
            c.emit(key, c.sub(check, "rounding"), "nutrition_rounding", **ctx)
        is_zero = value <= nutrient.zero_limit
        if 0 < value <= nutrient.zero_limit:
            c.emit(key, c.sub(check, "zero"), "nutrition_zero", **ctx)
        if nutrient.nrv is None:
            continue
        exact = 0.0 if is_zero else value / nutrient.nrv * 100
        expected_percent = round_half_up(exact)
        ctx.update(nrv=num(nutrient.nrv), expected_percent=expected_percent)
        raw_nrv = row.get("nrv_percent")
        if _blank(raw_nrv):
            c.emit(key, c.sub(check, "nrv_missing"), "nutrition_nrv_missing", **ctx)
            continue
        declared = parsing.number(raw_nrv)
        if declared is None or (
            isinstance(raw_nrv, str) and not re.fullmatch(r"\s*\d+(?:\.\d+)?\s*%?\s*", parsing.norm(raw_nrv))
        ):
            c.emit(key, c.sub(check, "nrv_format"), "nutrition_nrv_format", given=raw_nrv, **ctx)
            continue
        if abs(declared - expected_percent) > tol:
            c.emit(key, c.sub(check, "nrv_wrong"), "nutrition_nrv_wrong", given=num(declared), **ctx)
        elif not math.isclose(declared, round(declared)):
            c.emit(
                key, c.sub(check, "nrv_not_integer"), "nutrition_nrv_not_integer", given=num(declared), **ctx
            )
    core = check["core"]
    for item in core:
        if item not in seen:
            c.emit(key, c.sub(check, "core_missing"), "nutrition_core_missing", item=item)
    present = [n for n in seen if n in core]
    if present != [n for n in core if n in present]:
        c.emit(key, c.sub(check, "order"), "nutrition_order", found="、".join(present))


# --- checks across fields ------------------------------------------------------------------------------


def l_infant(c: Context, check: Mapping) -> None:
    declared = c.values.get("for_infants")
    mark = check["mark"]
    says_mark = mark in c.texts()
    infant = declared is True or says_mark
    letter = c.state.get("safety_letter")
    field = check.get("field", "safety_category")
    if infant:
        if letter and letter != "A":
            c.emit(field, c.sub(check, "not_a"), "infant_not_a", letter=letter)
        if not says_mark and c.complete:
            spec = c.sub(check, "mark_missing")
            c.emit(spec.get("field", field), spec, "infant_mark_missing")
        c.state["infant"] = True
        return
    name = c.values.get("product_name")
    if isinstance(name, str) and any(w in name for w in check["infant_keywords"]):
        spec = c.sub(check, "suspected")
        c.emit(spec.get("field", "for_infants"), spec, "infant_suspected", value=name)


def l_skin_contact(c: Context, check: Mapping) -> None:
    if c.state.get("infant") or c.state.get("safety_letter") != "C":
        return
    name = c.values.get("product_name")
    if isinstance(name, str) and any(w in name for w in check["keywords"]):
        c.emit(
            check.get("field", "safety_category"), c.sub(check, "c_for_skin"), "skin_contact_c", value=name
        )


def l_requires(c: Context, check: Mapping) -> None:
    """``field`` must be present when the label is ``when`` (imported, alcoholic drink …); complete labels only."""
    if not c.complete or not c.state.get("facts", {}).get(check["when"]):
        return
    if check["field"] not in c.values:
        c.emit(check["field"], c.sub(check, "missing"), check.get("code", "missing"))


#: Allergen groups of GB 7718 (4.4.3.1 in 2011, 4.12.1 in 2025) and words that name them in an ingredient list.
_ALLERGENS = {
    "含有麸质的谷物": r"小麦|大麦|黑麦|燕麦|麸质|面粉|小麦粉",
    "甲壳纲类动物": r"虾|蟹",
    "鱼类": r"(?<![鱿墨章])鱼(?!腥草)",
    "蛋类": r"鸡蛋|鸭蛋|蛋黄|蛋液|蛋清|全蛋|蛋粉|咸鸭蛋",
    "花生": r"花生",
    "大豆": r"大豆|黄豆",
    "乳及乳制品": r"牛奶|奶粉|乳粉|生牛乳|鲜奶|乳清|奶油|黄油|干酪|奶酪|炼乳|(?<!乳)乳糖(?!醇)",
    "坚果": r"杏仁|扁桃仁|巴旦木|核桃|腰果|榛子|榛仁|开心果|碧根果|夏威夷果|松子|山核桃",
}


def l_allergens(c: Context, check: Mapping) -> None:
    """An ingredient list with allergens needs a 致敏物质 statement (complete labels; the statement may be
    anywhere on the label)."""
    if not c.complete:
        return
    ingredients = c.values.get("ingredients")
    if not isinstance(ingredients, str) or c.values.get("allergen_statement"):
        return
    found = [group for group, pattern in _ALLERGENS.items() if re.search(pattern, ingredients)]
    if found:
        c.emit("allergen_statement", c.sub(check, "missing"), "allergen_missing", groups="、".join(found))


FIELD_KINDS: dict[str, Callable] = {
    "min_length": k_min_length,
    "forbidden_pattern": k_forbidden_pattern,
    "one_of": k_one_of,
    "contact": k_contact,
    "date": k_date,
    "duration": k_duration,
    "conformity": k_conformity,
    "standard": k_standard,
    "safety_category": k_safety_category,
    "care": k_care,
    "fibre_content": k_fibre_content,
    "net_content": k_net_content,
    "licence": k_licence,
    "nutrition": k_nutrition,
    "lead_word": k_lead_word,
    "alcohol": k_alcohol,
}
LABEL_KINDS: dict[str, Callable] = {
    "infant": l_infant,
    "skin_contact": l_skin_contact,
    "requires": l_requires,
    "allergens": l_allergens,
}


# --- entry point ---------------------------------------------------------------------------------------


#: The standards catalogue's lookup (``labels.selectors.standard_status``), plugged in by the labels app's
#: ``AppConfig.ready``: this engine imports no Django (import contract ``pure-engines``). Unset: unknown.
_catalogue_lookup: StandardLookup | None = None


def use_catalogue(lookup: StandardLookup) -> None:
    global _catalogue_lookup
    _catalogue_lookup = lookup


def _default_lookup(number: str):
    return _catalogue_lookup(number) if _catalogue_lookup is not None else None


_DOMESTIC = re.compile(r"^(?:中国|中国大陆|中华人民共和国|国产|china|prc)$", re.I)
_DRINKS = re.compile(
    r"白酒|啤酒|葡萄酒|黄酒|米酒|果酒|露酒|清酒|烧酒|威士忌|白兰地|伏特加|朗姆|配制酒|起泡酒|香槟|利口酒"
)
_SHELF_EXEMPT = re.compile(r"食醋|陈醋|香醋|米醋|食用盐|食盐|白砂糖|绵白糖|冰糖|红糖|赤砂糖|方糖|味精")
_WATER = re.compile(r"饮用水|矿泉水|纯净水|矿物质水")
_TEA = re.compile(r"茶叶|(?:绿|红|白|黑|黄|乌龙|花|岩|普洱|茉莉花|铁观音|龙井)茶(?!饮料|粉|味|包饮料)")


def _months(value: object) -> float | None:
    """``18个月`` → 18, ``540 天`` → 17.7, ``2年`` → 24; None when no duration is written."""
    if not isinstance(value, str):
        return None
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:个)?\s*(月|天|日|年|周)", parsing.norm(value))
    if not m:
        return None
    n, unit = float(m.group(1)), m.group(2)
    return {"月": n, "天": n / 30.4, "日": n / 30.4, "年": n * 12, "周": n / 4.35}[unit]


def label_facts(fields: Mapping) -> dict[str, bool]:
    """What a label says about itself that changes which items are required (imported, alcoholic drink …)."""

    def text(key):
        v = fields.get(key)
        return parsing.norm(v) if isinstance(v, str) else ""

    origin = text("origin_country")
    name = text("food_name")
    alcohol = alcohol_percent(fields.get("alcohol_content"))
    drink = bool(_DRINKS.search(name)) or (alcohol is not None and alcohol >= 0.5)
    months = _months(fields.get("shelf_life"))
    return {
        "imported": bool(text("registration_number")) or bool(origin and not _DOMESTIC.match(origin)),
        "workshop": bool(text("workshop_registration")),
        "has_expiry": bool(text("expiry_date")),
        "alcohol_10": alcohol is not None and alcohol >= 10,
        "alcoholic_drink": drink,
        "shelf_exempt": (alcohol is not None and alcohol >= 10)
        or bool(_SHELF_EXEMPT.search(name))
        or "葡萄酒" in name,
        "shelf_6_months": months is not None and months >= 6,
        "nutrition_exempt": drink or bool(_WATER.search(name)),
        "tea": bool(_TEA.search(name)),
        "no_nutrition": not fields.get("nutrition"),
    }


def production_day(fields: object) -> date | None:
    """The production date a label states (``2026年10月12日``, ``2026-10-12``, ``20261012``), else None."""
    if not isinstance(fields, Mapping) or not isinstance(fields.get("production_date"), str):
        return None
    return parsing.first_date(fields["production_date"])


def select_pack(category: str, fields: object = None, on: date | None = None) -> dict:
    """The rule pack in force on the label's production date, else on ``on``, else today."""
    return pack_on(category, production_day(fields) or on)


def check_label(
    category: str,
    fields: object,
    *,
    standard_status: StandardLookup | Mapping | None = None,
    complete: bool = True,
    on: date | None = None,
) -> list[dict]:
    """Every problem of a label, errors first (then in the pack's field order).

    ``standard_status``: how to learn whether a standard number is current — a callable
    ``(canonical) → {"status", "replaced_by"} | None`` or a mapping of canonical numbers to such dicts;
    by default the standards catalogue. ``complete=False`` means the text is part of a label (an excerpt):
    only what is present is judged and nothing is reported missing. The pack in force on the label's
    production date (or on ``on``, or today) applies (:func:`select_pack`). Raises
    :class:`~nqihub.labels.packs.UnknownCategory` (a ``ValueError``) for a category without a rule pack;
    any ``fields`` value gives findings, never an error.
    """
    if isinstance(standard_status, Mapping):
        table = standard_status
        lookup: StandardLookup = table.get
    else:
        lookup = standard_status or _default_lookup
    the_pack = select_pack(category, fields, on)
    c = Context(category, {}, lookup, the_pack)
    c.complete = complete is not False
    if not isinstance(fields, Mapping):
        c.emit(
            "fields",
            {"severity": ERROR, "message": "标签内容应为“字段: 值”的对象。", "fix": "按字段说明逐项填写。"},
            "fields_type",
        )
        fields = {}
    c.fields = fields
    facts = label_facts(fields)
    c.state["facts"] = facts
    for spec in c.pack["fields"]:
        key = spec["key"]
        raw = fields.get(key)
        value, type_error = _coerce(spec["type"], raw)
        missing = spec.get("missing", {})
        if type_error is not None:
            c.emit(
                key,
                {
                    "severity": ERROR,
                    "source": missing.get("source"),
                    "message": f"“{spec['label']}”应为{type_error}，收到的是{_TYPE_NAMES.get(type(raw), type(raw).__name__)}。",
                    "fix": "按字段说明填写。",
                },
                "type",
            )
            continue
        if value is MISSING:
            if (
                c.complete
                and not spec.get("optional")
                and not any(facts.get(u) for u in spec.get("unless", []))
            ):
                c.emit(key, missing, "missing")
            continue
        c.values[key] = value
        for check in spec.get("checks", []):
            FIELD_KINDS[check["kind"]](c, key, check, value)
    for check in c.pack.get("label_checks", []):
        if check.get("complete_only") and not c.complete:
            continue
        LABEL_KINDS[check["kind"]](c, check)
    known = [s["key"] for s in c.pack["fields"]]
    for k in fields:
        if k not in c.specs:
            c.emit(
                str(k),
                {
                    "severity": WARNING,
                    "source": f"标签规则包 {category} {c.pack['version']}",
                    "message": f"未知的字段“{k}”，未检查。",
                    "fix": "可用字段：" + "、".join(known) + "。",
                },
                "unknown_field",
            )
    order = {k: i for i, k in enumerate(known)}
    return sorted(c.findings, key=lambda f: (f["severity"] != ERROR, order.get(f["field"], len(order))))
