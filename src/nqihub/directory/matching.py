"""Capability match (能力匹配): who can test parameter P on product X by method S, nearest to region R first.

How it stays fast at national scale (5 M scope lines, 60 k institutions):

1. The words are resolved to vocabulary ids (``Parameter`` / ``ProductCategory``: small tables, read once
   into a cached map of normalised names and synonyms), so 甲醛 = 甲醛含量 = 游离甲醛.
2. Scope lines are read by the ``(parameter, product, region)`` / ``(parameter, region)`` indexes, one
   closeness tier at a time: the same county, the rest of the city, the rest of the province, the rest of
   the country. Each tier is a region-code *range* (``region_code >= '4502' AND < '4503'``: an index
   range scan on SQLite and PostgreSQL alike, whatever the collation) and is paged with LIMIT/OFFSET; a
   tier further away is only read when the nearer ones do not fill the page.
3. Within a tier institutions are ordered by name. Their matching lines are then read by institution id.

Lines whose parameter text does not map to the vocabulary yet (``parameter_id`` null, flagged for an admin)
are found by a text search (contains any name or synonym of the parameter, or the words typed when they name
no vocabulary row) over those unmapped lines only, once the indexed results are exhausted: listed after
them, nearest first, at most ``FALLBACK_MAX_LINES`` lines read. A contains-search cannot use an index, so
with a region it only looks within the region's province (an index range over the unmapped lines); without
one it reads every unmapped line. The share of unmapped lines is what an admin keeps small by mapping them.

The method-standard filter compares canonical codes (``ScopeLine.method_code``): an exact code, or the code
without its year (``GB/T 2912.1`` finds ``GB/T 2912.1-2009``); a dated query also finds lines that cite the
standard undated (an undated reference means the current edition).

The directory sits below the standards app (arrows point down), so the small extractor of standard
numbers from a scope-table cell lives here; its canonical form is the one ``standards.numbers`` prints.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nqihub.core.errors import ValidationFailed
from nqihub.core.models import Region
from nqihub.core.regions import NATIONAL, closeness, is_code, level
from nqihub.core.scoping import visible

from .models import Institution, Parameter, ProductCategory, ScopeLine
from .vocabulary import normalise, split_synonyms

#: Closeness rank → label. 3 same county, 2 same city, 1 same province, 0 elsewhere.
CLOSENESS_LABELS = {
    3: gettext_lazy("同县"),
    2: gettext_lazy("同市"),
    1: gettext_lazy("同省"),
    0: gettext_lazy("其他地区"),
}

MAX_LIMIT = 100
#: Matching lines shown per institution.
MAX_LINES_PER_INSTITUTION = 50
#: The text fallback over unmapped lines reads at most this many lines.
FALLBACK_MAX_LINES = 500
#: A process keeps its vocabulary map this long (seconds); writers call ``invalidate_vocabulary_cache``.
VOCABULARY_TTL = 300


# --- results --------------------------------------------------------------------------------------------


@dataclass
class MatchResult:
    """One institution that can do the test, with its matching scope lines."""

    institution: Institution
    #: 3 same county, 2 same city, 1 same province, 0 elsewhere; None when no region was given.
    rank: int | None
    lines: list[ScopeLine] = field(default_factory=list)

    @property
    def closeness(self) -> str:
        """同县 / 同市 / 同省 / 其他地区 ("" without a region)."""
        return "" if self.rank is None else str(CLOSENESS_LABELS[self.rank])

    @property
    def id(self) -> int:
        return self.institution.pk

    @property
    def name(self) -> str:
        return self.institution.name

    @property
    def kind(self) -> str:
        return self.institution.kind

    @property
    def kind_label(self) -> str:
        return str(self.institution.get_kind_display())

    @property
    def region_code(self) -> str:
        return self.institution.region_id

    @property
    def region_name(self) -> str:
        return self.institution.region.name

    def as_dict(self) -> dict:
        return {
            "institution": {
                "id": self.id,
                "name": self.name,
                "kind": self.kind,
                "kind_label": self.kind_label,
                "region_code": self.region_code,
                "region_name": self.region_name,
            },
            "rank": self.rank,
            "closeness": self.closeness,
            "lines": [
                {
                    "id": line.pk,
                    "product_text": line.product_text,
                    "parameter_text": line.parameter_text,
                    "method_standard": line.method_standard,
                    "limitation": line.limitation,
                    "quantity": line.quantity,
                    "measuring_range": line.measuring_range,
                    "uncertainty": line.uncertainty,
                    "mapped": line.parameter_id is not None,
                }
                for line in self.lines
            ],
        }


# --- vocabulary --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VocabularyMap:
    """Normalised name → id, and normalised synonym → ids, of one vocabulary table."""

    names: dict[str, int]
    synonyms: dict[str, tuple[int, ...]]
    #: id → every name of the row (name first), as stored: for the text fallback.
    all_names: dict[int, tuple[str, ...]]

    def ids(self, text: str) -> list[int]:
        """Every row the text names (by name or synonym), the row named exactly first."""
        key = normalise(text)
        if not key:
            return []
        found: list[int] = []
        if key in self.names:
            found.append(self.names[key])
        for pk in self.synonyms.get(key, ()):
            if pk not in found:
                found.append(pk)
        return found

    def contained_ids(self, text: str) -> list[int]:
        """Rows one of whose names (two characters or more) occurs inside ``text``, the longest name first:
        "预包装柳州螺蛳粉" → 米粉制品 (synonym 柳州螺蛳粉). For product texts that are longer than a vocabulary
        name ("who can test 预包装柳州螺蛳粉")."""
        key = normalise(text)
        if not key:
            return []
        hits: list[tuple[int, int]] = []
        for pk, names in self.all_names.items():
            best = max((len(n) for n in map(normalise, names) if len(n) >= 2 and n in key), default=0)
            if best:
                hits.append((-best, pk))
        return [pk for _len, pk in sorted(hits)]

    def ids_or_contained(self, text: str) -> list[int]:
        """``ids(text)``, or when the text names no row exactly, ``contained_ids(text)``."""
        return self.ids(text) or self.contained_ids(text)

    def resolve(self, text: str) -> int | None:
        """The one row the text maps to: an exact name wins over a synonym, then the oldest row."""
        ids = self.ids(text)
        if not ids:
            return None
        key = normalise(text)
        return self.names[key] if key in self.names else min(ids)


def _build_map(model) -> VocabularyMap:
    names: dict[str, int] = {}
    synonyms: dict[str, list[int]] = {}
    all_names: dict[int, tuple[str, ...]] = {}
    for pk, name, syn_text in model.objects.order_by("pk").values_list("pk", "name", "synonyms"):
        syns = split_synonyms(syn_text)
        names.setdefault(normalise(name), pk)
        for s in syns:
            ids = synonyms.setdefault(normalise(s), [])
            if pk not in ids:
                ids.append(pk)
        all_names[pk] = (name, *syns)
    return VocabularyMap(names, {k: tuple(v) for k, v in synonyms.items()}, all_names)


_VERSION_KEY = "directory:vocabulary:version"
#: Process-local copies: {model label: (version, built at, map)}. The version lives in the shared cache,
#: so ``invalidate_vocabulary_cache`` in one process is seen by all within one lookup.
_LOCAL: dict[str, tuple[str, float, VocabularyMap]] = {}


def _version() -> str:
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_VERSION_KEY) or ""
    return version


def vocabulary_map(model) -> VocabularyMap:
    """The map of ``Parameter`` or ``ProductCategory`` (a few thousand rows at most), kept in process
    memory for ``VOCABULARY_TTL`` seconds or until ``invalidate_vocabulary_cache``."""
    label = model._meta.label_lower
    version = _version()
    held = _LOCAL.get(label)
    if held is not None and held[0] == version and time.monotonic() - held[1] < VOCABULARY_TTL:
        return held[2]
    vmap = _build_map(model)
    _LOCAL[label] = (version, time.monotonic(), vmap)
    return vmap


def invalidate_vocabulary_cache() -> None:
    """Call after a vocabulary row is added or renamed, or its synonyms change."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    _LOCAL.clear()


#: What may stand around a one-character parameter (铅, 汞, 镉) for it to count as named in a text: a list
#: separator, a conjunction, "含量", a bracket or the text's edge — so that 铅 in "铅笔" does not.
_ONE_CHAR_BEFORE = re.compile(r"(?:^|[\s,，、;；:：/（(。.!！?？和及与或测检验]|重金属)$")
_ONE_CHAR_AFTER = re.compile(r"^(?:$|[\s,，、;；:：/）)。.!！?？和及与或等]|含量|的含量|超标|残留)")


def parameters_named_in(text: str) -> list[str]:
    """The test parameters of the vocabulary that a free text names (a request's title and description:
    "请检测菌落总数、大肠菌群和铅含量"), each by its vocabulary name, in the order the text names them. Longer
    names win over names inside them (大肠菌群 over 菌群); a one-character name (铅) counts only where it
    stands as a word of its own."""
    # Spaces part words ("菌落总数 铅"): keep them as a separator, since ``normalise`` drops white space.
    folded = normalise(re.sub(r"\s+", "、", text or ""))
    if not folded.strip("、"):
        return []
    vmap = vocabulary_map(Parameter)
    spans: list[tuple[int, int, int]] = []  # (start, -length, pk)
    for pk, names in vmap.all_names.items():
        for name in {normalise(n) for n in names}:
            if not name:
                continue
            start = folded.find(name)
            while start != -1:
                end = start + len(name)
                if len(name) >= 2 or (
                    _ONE_CHAR_BEFORE.search(folded[:start]) and _ONE_CHAR_AFTER.search(folded[end:])
                ):
                    spans.append((start, -len(name), pk))
                start = folded.find(name, start + 1)
    taken: list[tuple[int, int]] = []
    found: list[str] = []
    for start, neg_len, pk in sorted(spans):
        end = start - neg_len
        if any(start < b and a < end for a, b in taken):
            continue
        taken.append((start, end))
        name = vmap.all_names[pk][0]
        if name not in found:
            found.append(name)
    return found


def map_terms(product_text: str, parameter_text: str) -> tuple[int | None, int | None]:
    """(product id, parameter id) of a scope line's free text; None where nothing maps."""
    product_id = vocabulary_map(ProductCategory).resolve(product_text)
    return product_id, vocabulary_map(Parameter).resolve(parameter_text)


# --- method standards ------------------------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))
_CJK_ONE_AS_DASH = re.compile(r"(?<=[0-9.])\s*一\s*(?=[0-9])")
_SPACE_AROUND = re.compile(r" ?([/.:-]) ?")
_NATIONAL_CODE = re.compile(
    r"(?<![A-Z0-9/])"
    r"(?P<prefix>DB\d{2}(?:\d{2})?(?:/T|/)?|[TQ]/[A-Z0-9]*[A-Z]|[A-Z]{2,4}(?:/[TZ])?)"
    r" ?(?P<seq>\d+(?:\.\d+)*)"
    r"(?:-(?P<year>\d{4}|\d{2})(?![0-9]))?"
)
_INTERNATIONAL_CODE = re.compile(
    r"(?<![A-Z0-9/])(?P<prefix>ISO/IEC|ISO|IEC|EN|ASTM|AATCC|BS EN)"
    r" ?(?P<seq>[A-Z]?\d+(?:[.-]\d+)*)(?::(?P<year>\d{4}))?"
)
#: Letter codes that are not a national/industry code with the slash left out (GBZ is 职业卫生, not GB/Z).
_NOT_SLASHLESS = {"GBZ", "GBJ", "GJB", "JJG", "JJF", "JGJ", "CJJ"}


def clean_code_text(text: str) -> str:
    """What the user typed, for comparing codes: upper case, full-width → half-width, any dash → '-',
    spaces collapsed (and dropped around / . : -)."""
    s = unicodedata.normalize("NFKC", text or "").translate(_DASH_TABLE)
    s = _CJK_ONE_AS_DASH.sub("-", s)
    s = " ".join(s.split()).upper()
    return _SPACE_AROUND.sub(r"\1", s)


def _year(text: str | None) -> str:
    if not text:
        return ""
    if len(text) == 2:
        value = int(text)
        return str(1900 + value if value >= 50 else 2000 + value)
    return text


def method_codes(text: str) -> list[str]:
    """The canonical standard numbers cited in a method cell, in order: ``"GB/T2912.1—2009 纺织品 甲醛的测定"``
    → ``["GB/T 2912.1-2009"]``."""
    s = clean_code_text(text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _INTERNATIONAL_CODE.finditer(s):
        year = m.group("year")
        found.append((m.start(), f"{m.group('prefix')} {m.group('seq')}" + (f":{year}" if year else "")))
        taken.append(m.span())
    for m in _NATIONAL_CODE.finditer(s):
        if any(a <= m.start() < b for a, b in taken):
            continue
        prefix = m.group("prefix")
        if prefix in ("ISO", "IEC", "EN", "ASTM", "BS", "AATCC"):
            continue
        if "/" not in prefix and len(prefix) == 3 and prefix[2] in "TZ" and prefix not in _NOT_SLASHLESS:
            prefix = f"{prefix[:2]}/{prefix[2]}"  # GBT 2912 → GB/T 2912
        code = f"{prefix} {m.group('seq')}"  # a mandatory local standard keeps its slash: "DB45/ 1234"
        year = _year(m.group("year"))
        found.append((m.start(), f"{code}-{year}" if year else code))
    return [code for _pos, code in sorted(found)]


def canonical_method_code(text: str) -> str:
    """The first standard number in ``text`` in canonical form, or "" when there is none (max 64 chars)."""
    codes = method_codes(text)
    return codes[0][:64] if codes else ""


def _undated(code: str) -> str:
    return re.sub(r"(?:-\d{4}|:\d{4})$", "", code)


def method_q(standard: str) -> Q:
    """Lines citing ``standard``: the exact code, any edition when typed without a year, and lines that
    cite it undated when typed with one."""
    code = canonical_method_code(standard) or clean_code_text(standard)[:64]
    base = _undated(code)
    if base != code:  # dated: that edition, or cited undated
        return Q(method_code=code) | Q(method_code=base)
    return Q(method_code=code) | Q(method_code__startswith=f"{code}-") | Q(method_code__startswith=f"{code}:")


# --- region tiers ----------------------------------------------------------------------------------------


def _next_prefix(prefix: str) -> str | None:
    """The smallest digit string of the same length after ``prefix`` ('4502' → '4503'); None past '99…'."""
    following = str(int(prefix) + 1).zfill(len(prefix))
    return following if len(following) == len(prefix) else None


def _in_prefix(prefix: str) -> Q:
    upper = _next_prefix(prefix)
    q = Q(region_id__gte=prefix)
    return q & Q(region_id__lt=upper) if upper else q


def _outside_prefix(prefix: str) -> Q:
    upper = _next_prefix(prefix)
    q = Q(region_id__lt=prefix)
    return q | Q(region_id__gte=upper) if upper else q


def region_tiers(code: str) -> list[tuple[int | None, Q]]:
    """(rank, region condition) from nearest to farthest; each tier excludes the nearer ones."""
    if not code or code == NATIONAL:
        return [(None, Q())]
    lv = level(code)
    province = code[:2]
    tiers: list[tuple[int | None, Q]] = []
    if lv == "county":
        city = code[:4]
        tiers.append((3, Q(region_id=code)))
        tiers.append((2, _in_prefix(city) & ~Q(region_id=code)))
        tiers.append((1, _in_prefix(province) & _outside_prefix(city)))
    elif lv == "city":
        city = code[:4]
        tiers.append((2, _in_prefix(city)))
        tiers.append((1, _in_prefix(province) & _outside_prefix(city)))
    else:
        tiers.append((1, _in_prefix(province)))
    tiers.append((0, _outside_prefix(province)))
    return tiers


def _rank(query_code: str, region_code: str) -> int | None:
    if not query_code or query_code == NATIONAL:
        return None
    return closeness(region_code, query_code)


_REGIONS: tuple[float, frozenset[str]] | None = None


def _region_exists(code: str) -> bool:
    """Whether ``code`` is a GB/T 2260 code in the reference data (held in memory for an hour; an unknown
    code reloads it at most once a minute)."""
    global _REGIONS
    if not is_code(code):
        return False
    now = time.monotonic()
    if _REGIONS is None or now - _REGIONS[0] > 3600 or (code not in _REGIONS[1] and now - _REGIONS[0] > 60):
        _REGIONS = (now, frozenset(Region.objects.values_list("code", flat=True)))
    return code in _REGIONS[1]


# --- the match -------------------------------------------------------------------------------------------


def _text_q(field_name: str, terms: list[str]) -> Q:
    q = Q()
    for term in terms:
        q |= Q(**{f"{field_name}__icontains": term})
    return q


def _terms(text: str, vmap: VocabularyMap, ids: list[int]) -> list[str]:
    """The words to look for in free text: what was typed (as typed and normalised) and every name of the
    vocabulary rows it resolved to; a word that contains another one adds nothing to a contains-search."""
    words = [text.strip(), normalise(text)]
    for pk in ids:
        words.extend(vmap.all_names.get(pk, ()))
    unique = sorted({w for w in words if w}, key=len)
    kept: list[str] = []
    for w in unique:
        if not any(k.lower() in w.lower() for k in kept):
            kept.append(w)
    return kept


# --- the lab-coverage rule ------------------------------------------------------------------------------


def parameter_line_q(parameter: str) -> Q:
    """Scope lines that cover ``parameter``: mapped to the parameter (by name or synonym), or not mapped yet
    and naming it (or a name of the row it maps to) in their text. The rule ``capability_match`` applies."""
    params = vocabulary_map(Parameter)
    ids = params.ids(parameter)
    text_q = Q(parameter_id__isnull=True) & _text_q("parameter_text", _terms(parameter, params, ids))
    return (Q(parameter_id__in=ids) | text_q) if ids else text_q


def coverage_q(parameter: str, method_standard: str = "", product: str = "") -> Q:
    """THE lab-coverage rule, used wherever a lab is checked against what it must test (test orders, the
    cooperatives' free-testing plans) and by the capability search's parameter filter: a line covers
    ``parameter`` (``parameter_line_q``), by ``method_standard`` when one is given (same standard, any
    edition when undated), and — when ``product`` is a product of the vocabulary by name or synonym — for
    that product or a line whose product is not mapped. A product the vocabulary does not name exactly does
    not restrict: the vocabulary has no hierarchy, so a lab whose line says 食品 may well test 预包装柳州螺蛳粉
    (the search, ``capability_match``, does narrow by the name found inside such a text)."""
    q = parameter_line_q(parameter)
    if (method_standard or "").strip():
        q &= method_q(method_standard.strip())
    product_ids = vocabulary_map(ProductCategory).ids(product) if (product or "").strip() else []
    if product_ids:
        q &= Q(product_id__in=product_ids) | Q(product_id__isnull=True)
    return q


def lab_covers(lab, parameter: str, method_standard: str = "", product: str = "") -> bool:
    """Whether one line of ``lab``'s scope covers ``parameter`` (``coverage_q``)."""
    parameter = (parameter or "").strip()
    if not parameter:
        return False
    return (
        ScopeLine.objects.filter(institution=lab)
        .filter(coverage_q(parameter, method_standard, product))
        .exists()
    )


def lab_lines(lab, parameters: list[str], product: str = "") -> dict[str, ScopeLine | None]:
    """For each parameter, the first line of ``lab``'s scope that covers it (``coverage_q``), or None."""
    found: dict[str, ScopeLine | None] = {}
    for parameter in parameters:
        p = (parameter or "").strip()
        found[parameter] = (
            ScopeLine.objects.filter(institution=lab)
            .filter(coverage_q(p, "", product))
            .order_by("pk")
            .first()
            if p
            else None
        )
    return found


def capability_match(
    *,
    fetched_by,
    parameter: str,
    product: str = "",
    standard: str = "",
    region: str = "",
    limit: int = 20,
    offset: int = 0,
) -> list[MatchResult]:
    """Institutions that can test ``parameter`` (on ``product``, by ``standard``), nearest to ``region``
    first (same county, city, province, then the rest; by name within each), as the user may see them.

    Without a parameter, the product alone is matched ("who can test 螺蛳粉 near me"): labs with scope lines
    for that product. A product text longer than a vocabulary name finds the row named inside it
    (预包装柳州螺蛳粉 → 米粉制品).

    Unknown words give an empty list. Neither parameter nor product, or a bad region code, raise
    ``ValidationFailed``.
    """
    parameter = (parameter or "").strip()
    product = (product or "").strip()
    standard = (standard or "").strip()
    region = (region or "").strip()
    if not parameter and not product:
        raise ValidationFailed({"parameter": _("请填写检测项目或产品")})
    if region and not _region_exists(region):
        raise ValidationFailed(
            {"region": _("行政区划代码“%(code)s”不存在（应为 GB/T 2260 的6位代码）。") % {"code": region}}
        )
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))

    params = vocabulary_map(Parameter)
    products = vocabulary_map(ProductCategory)
    parameter_ids = params.ids(parameter)
    product_ids = products.ids_or_contained(product) if product else []
    product_terms = _terms(product, products, product_ids) if product else []

    seen = ScopeLine.objects.filter(visible(fetched_by, ScopeLine))
    if standard:
        seen = seen.filter(method_q(standard))

    # The indexed path: lines whose parameter (and product) map to the vocabulary.
    indexed = None
    if not parameter and product_ids:
        indexed_q = Q(product_id__in=product_ids)
        indexed = seen.filter(indexed_q)
    elif parameter_ids:
        indexed_q = Q(parameter_id__in=parameter_ids)
        if product:
            indexed_q &= (
                Q(product_id__in=product_ids) if product_ids else _text_q("product_text", product_terms)
            )
        indexed = seen.filter(indexed_q)

    picked: list[tuple[int, int | None]] = []
    need, skip = limit, offset
    if indexed is not None:
        for rank, tier_q in region_tiers(region):
            if need == 0:
                break
            tier = (
                Institution.objects.filter(pk__in=indexed.filter(tier_q).values("institution_id"))
                .order_by("name", "pk")
                .values_list("pk", flat=True)
            )
            if skip:
                count = tier.count()
                if skip >= count:
                    skip -= count
                    continue
            ids = list(tier[skip : skip + need])
            skip = 0
            picked.extend((pk, rank) for pk in ids)
            need -= len(ids)

    # The text fallback: lines not mapped yet whose text names the parameter (and product). Only read once
    # the indexed results are exhausted (``skip`` is then the offset into the fallback results).
    if parameter:
        fallback_q = Q(parameter_id__isnull=True) & _text_q(
            "parameter_text", _terms(parameter, params, parameter_ids)
        )
    else:
        fallback_q = Q()
    if product:
        text_q = Q(product_id__isnull=True) & _text_q("product_text", product_terms)
        if not parameter:  # product only: the mapped lines are the indexed path's
            fallback_q = text_q
        else:
            fallback_q &= (Q(product_id__in=product_ids) | text_q) if product_ids else text_q
    if region and region != NATIONAL:
        # Contains-search cannot use an index: keep it to the province of the region (an index range).
        fallback_q &= _in_prefix(region[:2])
    if need:
        found: dict[int, str] = {}
        # No ORDER BY: the default ordering would walk the institution index over the whole table.
        candidates = seen.filter(fallback_q).order_by().values_list("institution_id", "region_id")
        for inst_id, region_code in candidates[:FALLBACK_MAX_LINES]:
            found.setdefault(inst_id, region_code)
        if found and indexed is not None:  # listed by the indexed path already
            for inst_id in set(
                indexed.filter(institution_id__in=list(found)).values_list("institution_id", flat=True)
            ):
                del found[inst_id]
        names = dict(Institution.objects.filter(pk__in=list(found)).values_list("pk", "name"))
        ordered = sorted(found, key=lambda pk: (-(_rank(region, found[pk]) or 0), names.get(pk, ""), pk))
        picked.extend((pk, _rank(region, found[pk])) for pk in ordered[skip : skip + need])

    if not picked:
        return []

    ids = [pk for pk, _rank_ in picked]
    institutions = Institution.objects.select_related("region").in_bulk(ids)
    line_q = fallback_q if indexed is None else (indexed_q | fallback_q)
    lines_by_inst: dict[int, list[ScopeLine]] = {pk: [] for pk in ids}
    for line in seen.filter(line_q, institution_id__in=ids).order_by(
        "institution_id", "product_text", "parameter_text", "pk"
    ):
        bucket = lines_by_inst[line.institution_id]
        if len(bucket) < MAX_LINES_PER_INSTITUTION:
            bucket.append(line)
    return [
        MatchResult(institution=institutions[pk], rank=rank, lines=lines_by_inst[pk])
        for pk, rank in picked
        if pk in institutions
    ]


__all__ = [
    "CLOSENESS_LABELS",
    "MatchResult",
    "VocabularyMap",
    "canonical_method_code",
    "capability_match",
    "coverage_q",
    "lab_covers",
    "lab_lines",
    "parameter_line_q",
    "clean_code_text",
    "invalidate_vocabulary_cache",
    "map_terms",
    "method_codes",
    "method_q",
    "region_tiers",
    "vocabulary_map",
]
