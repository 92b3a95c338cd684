"""Findings of a draft, checked as it is typed and on every write: the same shape as the label checker's
(``{"field", "severity", "code", "message", "source", "fix"}``, see ``labels.checker``), errors first.

What is checked (issue 20):

* the number (``numbering.check_number``: food ``S`` suffix where the province uses it);
* every normative reference and every method standard looked up in the catalogue: current (nothing),
  upcoming, withdrawn (its replacement proposed), unknown (“未收录，请核实”, never refused);
* every indicator compared (``standards.requirements.compare``) with the same item of the requirement tables
  of the mandatory standards for the product — those the draft cites and those of the catalogue whose title
  names the product's category (directory vocabulary: the product's name or the enterprise's GB/T 4754 class
  contains a category name or synonym, 床上用品制造 → 床上用品 → 纺织品 ↔ 国家纺织产品基本安全技术规范) — and of the
  recommended standards the draft cites: weaker than a mandatory limit → error with both values and the
  source; weaker than a cited recommended standard → warning, to be declared;
* an indicator without a method, or whose method standard's title and the labs' scope lines do not cover
  the item → warning; a graded product standard and no grade → warning;
* items a product standard requires that the draft lacks → listed (warning).

Items are matched through the directory's parameter vocabulary (甲醛 = 甲醛含量) after folding width, case
and spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from nqihub.directory.models import Parameter, ProductCategory, ScopeLine
from nqihub.directory.vocabulary import normalise, split_synonyms
from nqihub.labels.selectors import standard_status
from nqihub.standards.models import Requirement, Standard
from nqihub.standards.numbers import parse_standard_number
from nqihub.standards.requirements import compare

from .numbering import FOOD_S_PROVINCES, check_number, is_food_industry
from .validation import effective_grade

ERROR = "error"
WARNING = "warning"
#: ``compare`` answers (a ``str`` enum): only the values are relied on.
WEAKER = "weaker"
INCOMPARABLE = "incomparable"

#: Endings that do not change what is measured (甲醛含量 → 甲醛, pH值 → ph, 厚度的测定 → 厚度).
_ITEM_SUFFIXES = re.compile(r"(的测定|测定|含量|值)$")


def finding(field: str, severity: str, code: str, message: str, source: str = "", fix: str = "") -> dict:
    return {
        "field": field,
        "severity": severity,
        "code": code,
        "message": message,
        "source": source,
        "fix": fix,
    }


@dataclass
class _Vocabulary:
    """Parameter names and synonyms → id, loaded once per check."""

    ids: dict[str, int]
    names: dict[int, list[str]]

    @classmethod
    def load(cls) -> _Vocabulary:
        ids: dict[str, int] = {}
        names: dict[int, list[str]] = {}
        for pk, name, synonyms in Parameter.objects.values_list("pk", "name", "synonyms"):
            all_names = [name, *split_synonyms(synonyms)]
            names[pk] = all_names
            for n in all_names:
                ids.setdefault(normalise(n), pk)
        return cls(ids, names)

    def key(self, item: str) -> str:
        norm = normalise(item)
        pk = self.ids.get(norm)
        if pk is None:
            pk = self.ids.get(_ITEM_SUFFIXES.sub("", norm))
        return f"p{pk}" if pk is not None else _ITEM_SUFFIXES.sub("", norm) or norm

    def words(self, item: str) -> set[str]:
        """The item's names (with its synonyms), shortened to what a method standard's title would say."""
        norm = normalise(item)
        pk = self.ids.get(norm) or self.ids.get(_ITEM_SUFFIXES.sub("", norm))
        names = self.names.get(pk, []) if pk is not None else []
        out = set()
        for n in [item, *names]:
            short = _ITEM_SUFFIXES.sub("", normalise(n))
            if len(short) >= 2 or short == normalise(item):
                out.add(short)
        return {w for w in out if w}


def _with_unit(requirement: str, unit: str) -> str:
    requirement, unit = (requirement or "").strip(), (unit or "").strip()
    if unit and unit.lower() not in requirement.lower():
        return f"{requirement} {unit}"
    return requirement


def _shown(requirement: str, unit: str) -> str:
    return _with_unit(requirement, unit)


def product_standards(product: str, industry=None) -> list[Standard]:
    """Current mandatory standards with a requirement table whose title names the product or its category.

    The category (directory vocabulary) is the one whose name or a synonym the product's name contains —
    or the enterprise's GB/T 4754 class name (床上用品制造 → 床上用品 → 纺织品)."""
    norm = normalise(product)
    if not norm:
        return []
    words = {norm}
    texts = [norm] + ([normalise(industry.name)] if industry is not None else [])
    for name, synonyms in ProductCategory.objects.values_list("name", "synonyms"):
        names = [normalise(n) for n in [name, *split_synonyms(synonyms)]]
        if any(len(n) >= 2 and n in text for n in names for text in texts):
            words.update(n for n in names if len(n) >= 2)
    candidates = Standard.objects.filter(
        nature=Standard.Nature.MANDATORY, status=Standard.Status.CURRENT, requirements__isnull=False
    ).distinct()
    return [s for s in candidates if any(w in normalise(s.title) for w in words)]


class _Catalogue:
    """Catalogue look-ups of one check, cached by number."""

    def __init__(self):
        self._status: dict[str, dict | None] = {}

    def status(self, number: str) -> dict | None:
        if number not in self._status:
            self._status[number] = standard_status(number)
        return self._status[number]

    def reference_findings(self, number: str, field: str, what: str) -> list[dict]:
        info = self.status(number)
        if info is None:
            return [
                finding(
                    field,
                    WARNING,
                    f"{what}_unknown",
                    _("%(code)s 未收录，请核实。") % {"code": number},
                    number,
                    _("核对编号是否正确、是否为现行有效版本（平台标准库未收录该标准）。"),
                )
            ]
        if info["status"] == Standard.Status.ABOLISHED:
            repl = info.get("replaced_by") or ""
            return [
                finding(
                    field,
                    WARNING,
                    f"{what}_withdrawn",
                    (_("%(code)s 已废止，已被 %(r)s 代替。") if repl else _("%(code)s 已废止。"))
                    % {"code": number, "r": repl},
                    number,
                    _("改为引用 %(r)s，并核对相关指标和方法。") % {"r": repl}
                    if repl
                    else _("改为引用现行有效的标准。"),
                )
            ]
        if info["status"] == Standard.Status.UPCOMING:
            return [
                finding(
                    field,
                    WARNING,
                    f"{what}_upcoming",
                    _("%(code)s 尚未实施（即将实施）。") % {"code": number},
                    number,
                    _("确认本标准实施日期不早于 %(code)s 的实施日期，或引用现行版本。") % {"code": number},
                )
            ]
        return []


def _method_covers(method: str, item: str, info: dict | None, vocab: _Vocabulary) -> bool | None:
    """Whether a method standard covers ``item``: its title names the item, or a lab's scope line pairs
    the method with the item's parameter. None when the catalogue does not know the method."""
    if info is None or not info.get("title"):
        return None
    title = normalise(info["title"])
    if any(w in title for w in vocab.words(item)):
        return True
    try:
        parsed = parse_standard_number(method)
    except ValueError:
        return None
    key = vocab.key(item)
    codes = Q(method_code=parsed.canonical) | Q(method_code=parsed.code_without_year)
    codes |= Q(method_code__startswith=parsed.code_without_year + "-")
    if key.startswith("p"):
        return ScopeLine.objects.filter(codes, parameter_id=int(key[1:])).exists()
    return ScopeLine.objects.filter(codes, parameter_text=item).exists()


def check_content(content: dict, *, enterprise, invalid=frozenset()) -> list[dict]:
    """Every finding of a draft's (cleaned) content for ``enterprise``; errors first. ``invalid``: the field
    errors of a form being typed (``references.1``, ``indicators.2.requirement``): those parts are skipped."""

    def bad(prefix: str) -> bool:
        return any(key == prefix or key.startswith(prefix + ".") for key in invalid)

    out: list[dict] = []
    catalogue = _Catalogue()
    vocab = _Vocabulary.load()
    product = content.get("product", "")

    number = check_number(
        content.get("number", ""),
        food=is_food_industry(enterprise.industry_id),
        province=enterprise.region_id or "",
        food_s_provinces=getattr(settings, "DRAFTING_FOOD_S_PROVINCES", FOOD_S_PROVINCES),
    )
    for code, message, fix in [] if bad("number") else number.warnings:
        out.append(finding("number", WARNING, code, message, number.canonical, fix))

    # Positions are kept: a finding's field names the reference / indicator as the input has it.
    numbered_refs = [
        (i, r) for i, r in enumerate(content.get("references") or []) if not bad(f"references.{i}")
    ]
    references = [r for _i, r in numbered_refs]
    for i, ref in numbered_refs:
        out += catalogue.reference_findings(ref, f"references.{i}", "reference")

    # The standards whose requirement tables the indicators are held to.
    cited = []
    for ref in references:
        info = catalogue.status(ref)
        if info is not None and info.get("canonical"):
            cited.append(info["canonical"])
    cited_standards = list(Standard.objects.filter(canonical__in=cited))
    for_product = product_standards(product, enterprise.industry)
    standards = {s.pk: s for s in [*cited_standards, *for_product]}
    cited_ids = {s.pk for s in cited_standards}
    for std in for_product:
        if std.pk not in cited_ids:
            out.append(
                finding(
                    "references",
                    WARNING,
                    "mandatory_not_referenced",
                    _("%(code)s《%(title)s》是适用于%(p)s的强制性标准，未列入规范性引用文件。")
                    % {"code": std.canonical, "title": std.title, "p": product},
                    std.canonical,
                    _("在规范性引用文件中列入 %(code)s，指标不得低于其要求。") % {"code": std.canonical},
                )
            )
    rows = [
        r
        for r in Requirement.objects.filter(standard_id__in=list(standards)).select_related("standard")
        if r.standard.nature == Standard.Nature.MANDATORY or r.standard_id in cited_ids
    ]
    by_item: dict[str, list[Requirement]] = {}
    for r in rows:
        by_item.setdefault(vocab.key(r.item), []).append(r)

    numbered = [(n, i) for n, i in enumerate(content.get("indicators") or []) if not bad(f"indicators.{n}")]
    indicators = [i for _n, i in numbered]
    if not indicators:
        out.append(
            finding(
                "indicators",
                WARNING,
                "no_indicators",
                _("还没有技术指标。"),
                "",
                _("在指标表中逐项填写项目、要求、单位和试验方法。"),
            )
        )
    weaker_declared = bool((content.get("weaker_statement") or "").strip())
    for i, ind in numbered:
        out += _indicator_findings(
            i, ind, effective_grade(ind, content), by_item.get(vocab.key(ind["item"]), []), weaker_declared
        )
        out += _method_findings(i, ind, catalogue, vocab)

    # Items a product standard requires that the draft lacks.
    present = {vocab.key(ind["item"]) for ind in indicators}
    grades = {effective_grade(ind, content) for ind in indicators} - {""}
    missing: dict[int, list[str]] = {}
    for r in rows:
        if r.category and grades and r.category.upper() not in grades:
            continue
        if vocab.key(r.item) not in present and r.item not in missing.setdefault(r.standard_id, []):
            missing[r.standard_id].append(r.item)
    for std_id, items in missing.items():
        if not items:
            continue
        std = standards[std_id]
        grade_text = _("（%(g)s类）") % {"g": "、".join(sorted(grades))} if grades else ""
        out.append(
            finding(
                "indicators",
                WARNING,
                "missing_item",
                _("%(code)s%(grade)s规定的项目本标准未列出：%(items)s。")
                % {"code": std.canonical, "grade": grade_text, "items": "、".join(items)},
                std.canonical,
                _("在技术要求中增加这些项目（不低于 %(code)s 的要求），或在范围中注明同时执行 %(code)s。")
                % {"code": std.canonical},
            )
        )
    out.sort(key=lambda f: f["severity"] != ERROR)
    return out


def _indicator_findings(
    i: int, ind: dict, grade: str, reqs: list[Requirement], weaker_declared: bool
) -> list[dict]:
    out: list[dict] = []
    declared = _shown(ind["requirement"], ind.get("unit", ""))
    by_standard: dict[int, list[Requirement]] = {}
    for r in reqs:
        by_standard.setdefault(r.standard_id, []).append(r)
    for std_reqs in by_standard.values():
        std = std_reqs[0].standard
        grades = sorted({r.category for r in std_reqs if r.category})
        if grades and not grade:
            out.append(
                finding(
                    f"indicators.{i}.grade",
                    WARNING,
                    "grade_missing",
                    _("%(item)s：%(code)s 按等级规定要求（%(g)s），请填写等级。")
                    % {"item": ind["item"], "code": std.canonical, "g": "、".join(grades)},
                    std.canonical,
                    _("填写产品所属的等级（%(g)s）。") % {"g": "、".join(grades)},
                )
            )
        elif grades and grade not in {g.upper() for g in grades}:
            out.append(
                finding(
                    f"indicators.{i}.grade",
                    WARNING,
                    "grade_unknown",
                    _("%(item)s：等级“%(grade)s”不是 %(code)s 的等级（%(g)s）。")
                    % {"item": ind["item"], "grade": grade, "code": std.canonical, "g": "、".join(grades)},
                    std.canonical,
                    _("填写 %(g)s 之一。") % {"g": "、".join(grades)},
                )
            )
        applicable = [r for r in std_reqs if not r.category or not grade or r.category.upper() == grade]
        results = []
        for r in applicable:
            required = _shown(r.requirement, r.unit)
            results.append(
                (
                    r,
                    required,
                    compare(
                        _with_unit(ind["requirement"], ind.get("unit", "")), _with_unit(r.requirement, r.unit)
                    ),
                )
            )
        if not results:
            continue
        mandatory = std.nature == Standard.Nature.MANDATORY
        weaker = [(r, req) for r, req, res in results if res == WEAKER]
        # Without a grade the indicator is an error only when it is weaker than every grade's limit.
        if weaker and (grade or not grades or len(weaker) == len(results)):
            r, required = weaker[-1] if not grade else weaker[0]
            source = std.canonical + (_("（%(c)s类）") % {"c": r.category} if r.category else "")
            values = {"item": ind["item"], "declared": declared, "ref": source, "required": required}
            if mandatory:
                out.append(
                    finding(
                        f"indicators.{i}.requirement",
                        ERROR,
                        "weaker_than_mandatory",
                        _("%(item)s：本标准要求 %(declared)s，低于强制性标准 %(ref)s 的要求 %(required)s。")
                        % values,
                        _("%(ref)s 技术要求：%(item)s %(required)s") % values,
                        _("将%(item)s的要求改为不低于 %(required)s。") % values,
                    )
                )
            else:
                out.append(
                    finding(
                        f"indicators.{i}.requirement",
                        WARNING,
                        "weaker_than_recommended",
                        (
                            _(
                                "%(item)s：本标准要求 %(declared)s 低于推荐性标准 %(ref)s 的要求 %(required)s，已在说明中声明，自我声明公开时一并公开。"
                            )
                            if weaker_declared
                            else _(
                                "%(item)s：本标准要求 %(declared)s 低于推荐性标准 %(ref)s 的要求 %(required)s，须明确声明。"
                            )
                        )
                        % values,
                        _("%(ref)s 技术要求：%(item)s %(required)s") % values,
                        ""
                        if weaker_declared
                        else _("提高要求，或在“低于推荐性标准的说明”中写明理由（自我声明时一并公开）。"),
                    )
                )
            continue
        unclear = [(r, req) for r, req, res in results if res == INCOMPARABLE]
        if unclear and not weaker:
            r, required = unclear[0]
            out.append(
                finding(
                    f"indicators.{i}.requirement",
                    WARNING,
                    "not_comparable",
                    _(
                        "%(item)s：无法自动比较本标准要求 %(declared)s 与 %(ref)s 的要求 %(required)s，请人工核对。"
                    )
                    % {"item": ind["item"], "declared": declared, "ref": std.canonical, "required": required},
                    std.canonical,
                    _("按 %(ref)s 的写法（单位、比较符）填写要求。") % {"ref": std.canonical},
                )
            )
    return out


def _method_findings(i: int, ind: dict, catalogue: _Catalogue, vocab: _Vocabulary) -> list[dict]:
    method = (ind.get("method") or "").strip()
    field = f"indicators.{i}.method"
    if not method:
        return [
            finding(
                field,
                WARNING,
                "method_missing",
                _("%(item)s 没有试验方法。") % {"item": ind["item"]},
                "",
                _("填写测定%(item)s的方法标准编号（如 GB/T …）。") % {"item": ind["item"]},
            )
        ]
    out = catalogue.reference_findings(method, field, "method")
    covers = _method_covers(method, ind["item"], catalogue.status(method), vocab)
    if covers is False:
        title = catalogue.status(method).get("title", "")
        out.append(
            finding(
                field,
                WARNING,
                "method_not_covering",
                _("%(m)s《%(t)s》未见涵盖“%(item)s”，请核实方法是否适用。")
                % {"m": method, "t": title, "item": ind["item"]},
                method,
                _("改用测定%(item)s的方法标准，或在附录中规定试验方法。") % {"item": ind["item"]},
            )
        )
    return out
