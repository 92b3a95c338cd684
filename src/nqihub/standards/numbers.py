"""Chinese standard numbers (标准编号): read what people type, give back one canonical form.

Pure: no Django, no files, no clock. ``parse_standard_number`` returns a :class:`StandardNumber` or raises
``ValueError`` with a reason in Chinese that can be shown to the person who typed the number.

Canonical forms (what a catalog shows)::

    national     GB 18401-2010   GB/T 2912.1-2009   GB/Z 40836-2021   GBZ 2.1-2019   JJG 1036-2008
    industry     FZ/T 62011.2-2016   QB 1206-1991   JY/T 0627-2020   DB/T 15-2009 (地震行业)
    local        DB45/T 1234-2015   DB4502/T 12-2020   DB45/ 1234-2015 (强制性: "DB45/" and a space)
                 DBS45/ 034-2021 (食品安全地方标准)   DBJ50-052-2020   DBJ50/T-163-2021 (工程建设地方标准)
    group        T/CAS 290-2017   T/XCFW TG04-011.7-2023
    enterprise   Q/ABCDE 0001-2008   Q/320612ABC 001-2020   Q/HLS 0001S-2012 (食品企业标准, S suffix)

What is read around the number (kept out of ``canonical``, never part of equality):

* ``grade`` — a grade or category written after the number: ``GB 18401-2010 B类``, ``Q/JNC0003S（一级）``,
  ``GB/T 20886 优级``, ``FZ/T 73020-2012 一等品``.
* ``note`` — everything else that was read and set aside: a 《title》 before or after the number, a title
  typed after it without brackets, a lead word (``符合``, ``执行标准：``), an adoption reference
  (``idt ISO 14184-1:1998``), a year placeholder (``GB 2763-20xx`` → ``year`` is None, note 年代号未填写).

Decisions (change them here, nowhere else):

* **Year.** ``year`` is an ``int`` or ``None`` (no year typed, or a placeholder such as ``20xx``). The
  canonical form always prints four digits: two-digit years (used before 1995, and typed as a short-cut)
  become ``19YY`` when ``YY >= 50`` and ``20YY`` otherwise, so ``GB 3100-93`` → ``GB 3100-1993``. Four-digit
  years before 1949 are refused; there is no upper bound (no clock here).
* **Dash.** The canonical dash is ASCII ``-``, also for group standards, whose catalog entries often show
  ``—``. Sequence numbers keep their leading zeros as typed (``JY/T 0627``, ``T/ZZB 0001``).
* **Nature.** No sign → mandatory, ``/T`` → recommended, ``/Z`` → guidance (national and industry);
  local ``DBxx`` / ``DBSxx`` (food safety) / ``DBJxx`` → mandatory, ``…/T`` → recommended; group and
  enterprise → recommended. JJG / JJF are in :data:`METROLOGY_PREFIXES` (see the note there).
* **Level.** national (``GB``, ``GBZ``, ``GBJ``, ``GJB``, ``GBn``, ``JJG``, ``JJF``), industry
  (:data:`INDUSTRY_PREFIXES`), local (``DB``/``DBS`` + 2-digit province or 4-digit city code, ``DBJ`` + the
  province's engineering code, which is not always a GB/T 2260 code: 广东 writes ``DBJ 15-…``), group
  (``T/``), enterprise (``Q/``).
* **Tolerated input.** Full-width characters; any dash (‐ ‑ ‒ – — ― − ﹣ －, doubled dashes, and 一 between
  digits); missing, double or extra spaces, also inside the code (``G B / T``, ``GB T 4789.11 2003``);
  lower case; a missing slash before T/Z (``GBT 2912``, ``JYT 0627``) unless the letters are a code of their
  own (``GBZ`` is 国家职业卫生标准, not ``GB/Z``); a dash instead of the space after the code
  (``GB-30871-2014``); a space instead of the dash before a four-digit year; an adoption reference
  (``…-2009/ISO 14184-1:1998``, ``… idt ISO …``, ``(MOD ISO …)``); a group or enterprise code typed twice
  (``T/CSGF T/CSGF023.3—2023``); quotes, brackets or 《》 around the number.
* **Group and enterprise codes** end with a letter (GB/T 20004.1: 社会团体代号 should not end with a digit);
  a space separates the code from a sequence that starts with letters (``T/PTSHOES GS001-2017``). Typed
  without that space, the code is the letters (after an optional 6-digit region code for enterprises) and
  the sequence starts at the first digit: ``Q/NKJN308S-2013`` → ``Q/NKJN 308S-2013``. Their sequence may hold
  letters, ``.`` and ``-``; a trailing ``-`` plus digits, or a space plus four digits, is the year.
* **DB:** ``DB`` right before digits is a local code and needs its sign (``DB45/T …``, ``DB45T …``, ``DB45/ …``, or
  ``DB45 1234`` with a space); the seismology industry code is written ``DB/T 15-2009`` or ``DB 15-2009``.
* **Refused, never guessed:** two numbers in one text (``GB 4943.1-2022 GB 2099.7-2024``, ``A、B``); a range
  (``GB 4789.1~4789.40``); a sequence with the year run into it (``RB/T 2142017``: a national, industry or
  local sequence of six or more digits ending in a year); a bare ``/`` after a national or industry code
  (``GB/ 4754``: the T or Z was lost, and reading it as mandatory would be a wrong number); unknown codes,
  including OCR damage such as ``GBrr23344``.
* **Not handled:** 地方计量规程 ``JJG(京) …``, ``JTG D60-2015``-style sequences with letters in national /
  industry numbers, ``GSB`` physical reference materials, 特种设备 ``TSG`` rules, 上海 ``DG/TJ08`` numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Literal

Nature = Literal["mandatory", "recommended", "guidance"]
Level = Literal["national", "industry", "local", "group", "enterprise"]

MANDATORY: Nature = "mandatory"
RECOMMENDED: Nature = "recommended"
GUIDANCE: Nature = "guidance"

NATIONAL: Level = "national"
INDUSTRY: Level = "industry"
LOCAL: Level = "local"
GROUP: Level = "group"
ENTERPRISE: Level = "enterprise"

#: Nature given by the sign after the code: none, /T, /Z.
_NATURE_BY_SIGN: dict[str | None, Nature] = {None: MANDATORY, "T": RECOMMENDED, "Z": GUIDANCE}

#: National codes, as printed. ``GB``/``GBn``/``GJB`` come from relaton-gb's prefixes.yaml (``GSB`` left out: a
#: reference-material numbering, not a document). ``GBZ`` and the older ``GBJ`` are national too.
NATIONAL_PREFIXES: dict[str, str] = {
    "GB": "国家标准",
    "GBZ": "国家职业卫生标准",
    "GBJ": "国家工程建设标准（旧编号）",
    "GJB": "国家军用标准",
    "GBn": "国家内部标准（旧）",
}

#: National metrology technical regulations: (level, nature). They take no /T or /Z. JJG (检定规程) are
#: binding on verification through 计量法 第十条 (“计量检定必须执行计量检定规程”), but they are 计量技术法规, not
#: 强制性标准 under 标准化法, so they are kept "recommended" here; flip JJG to MANDATORY if the catalog should
#: treat them as binding.
METROLOGY_PREFIXES: dict[str, tuple[Level, Nature]] = {
    "JJG": (NATIONAL, RECOMMENDED),  # 国家计量检定规程
    "JJF": (NATIONAL, RECOMMENDED),  # 国家计量技术规范
}

#: Industry (行业标准) codes → (sector, administering body). The first 63 come from relaton-gb
#: ``lib/relaton_gb/yaml/prefixes.yaml`` @3d86ccfd (via standard_code_prefixes.csv; administrations are the
#: pre-2018 names given there). ``DB`` is seismology there: it is read as industry only when no region code
#: follows (``DB/T 15-2009``); ``DB45/T …`` is local. The rest are codes missing from that list.
INDUSTRY_PREFIXES: dict[str, tuple[str, str]] = {
    "NY": ("农业", "农业部"),
    "SC": ("水产", "农业部"),
    "SL": ("水利", "水利部"),
    "QB": ("轻工", "国家发改委"),
    "FZ": ("纺织", "国家发改委"),
    "YY": ("医药", "国家食品药品监督管理局"),
    "MZ": ("民政", "民政部"),
    "JY": ("教育", "教育部"),
    "YC": ("烟草", "国家烟草专卖局"),
    "YB": ("黑色冶金", "国家发改委"),
    "YS": ("有色冶金", "国家发改委"),
    "SY": ("石油天然气", "国家发改委"),
    "HG": ("化工", "国家发改委"),
    "SH": ("石油化工", "国家发改委"),
    "JC": ("建材", "国家发改委"),
    "DZ": ("地质矿产", "国土资源部"),
    "TD": ("土地管理", "国土资源部"),
    "CH": ("测绘", "国家测绘局"),
    "JB": ("机械", "国家发改委"),
    "QC": ("汽车", "国家发改委"),
    "MH": ("民用航空", "中国民航管理总局"),
    "WJ": ("兵工民品", "国防科学工业委员会"),
    "CB": ("船舶", "国防科学工业委员会"),
    "HB": ("航空", "国防科学工业委员会"),
    "QJ": ("航天", "国防科学工业委员会"),
    "EJ": ("核工业", "国防科学工业委员会"),
    "TB": ("铁道", "铁道部"),
    "JT": ("交通", "交通部"),
    "LD": ("劳动和劳动安全", "劳动和社会保障部"),
    "SJ": ("电子", "信息产业部"),
    "YD": ("通信", "信息产业部"),
    "GY": ("广播电影电视", "国家广播电视总局"),
    "DY": ("电影", "国家电影局"),
    "DL": ("电力", "国家发改委"),
    "JR": ("金融", "中国人民银行"),
    "HY": ("海洋", "国家海洋局"),
    "DA": ("档案", "国家档案局"),
    "SN": ("出入境检验检疫", "国家质量监督检验检疫总局"),
    "WH": ("文化", "文化部"),
    "TY": ("体育", "国家体育总局"),
    "SB": ("国内贸易", "商务部"),
    "WB": ("物资管理", "国家发改委"),
    "HJ": ("环境保护", "国家环境保护总局"),
    "XB": ("稀土", "国家发改委稀土办公室"),
    "CJ": ("城镇建设", "建设部"),
    "JG": ("建筑工业", "建设部"),
    "CY": ("新闻出版", "国家新闻出版总署"),
    "MT": ("煤炭", "国家发改委"),
    "WS": ("卫生", "卫生部"),
    "GA": ("公共安全", "公安部"),
    "BB": ("包装", "国家发改委"),
    "DB": ("地震", "中国地震局"),
    "LB": ("旅游", "国家旅游局"),
    "QX": ("气象", "中国气象局"),
    "WM": ("外经贸", "外经贸部科技司"),
    "HS": ("海关", "海关总署"),
    "YZ": ("邮政", "国家邮政局"),
    "GM": ("密码", "国家密码管理局"),
    "AQ": ("安全生产", "国家安全生产管理局"),
    "GH": ("供销合作", "中华全国供销合作总社"),
    "LS": ("粮食", "国家粮食局"),
    "TJ": ("铁道交通", "铁道部标准所"),
    "ZY": ("中医药", "国家中医药管理局"),
    # Not in relaton-gb's list.
    "NB": ("能源", "国家能源局"),
    "LY": ("林业", "国家林业和草原局"),
    "RB": ("认证认可", "国家认证认可监督管理委员会"),
    "SF": ("司法", "司法部"),
    "WW": ("文物保护", "国家文物局"),
    "XF": ("消防救援", "应急管理部"),
    "JGJ": ("建筑工程", "住房和城乡建设部"),
    "CJJ": ("城镇建设工程", "住房和城乡建设部"),
}

#: First two digits of GB/T 2260 province-level codes, for local standards. 66 is the Xinjiang Production and
#: Construction Corps (兵团), which issues its own local standards.
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 66".split()
)

_NATIONAL_BY_UPPER = {code.upper(): code for code in NATIONAL_PREFIXES}
_KNOWN_LETTER_CODES = set(_NATIONAL_BY_UPPER) | set(METROLOGY_PREFIXES) | set(INDUSTRY_PREFIXES)

_MAX_LENGTH = 200

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_SLASHES = "\u2044\u2215\u29f8\\"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_TRANSLATION = str.maketrans(
    {**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SLASHES, "/"), **dict.fromkeys(_INVISIBLE, None)}
)
_WRAPPING = " \"'“”‘’《》〈〉<>()[]【】「」『』"
_TRAILING = ".,;:。，；：、"

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.- ")

_CJK = r"\u3400-\u9fff"
_CJK_ONE_AS_DASH = re.compile(r"(?<=[0-9.])\s*一\s*(?=[0-9])")
_SPACE_AROUND_PUNCT = re.compile(r" ?([/.:-]) ?")
_ADOPTION = re.compile(
    r"(?:(?<=[0-9])/|\s*[(]?\s*(?:IDT|MOD|NEQ|EQV)\b\s*/?\s*)"
    r"(?:ISO|IEC|ITU|EN|OIML|IEEE|ASTM|CAC|ISO/IEC)(?![A-Z]).*$|\s*[(]?\s*\b(?:IDT|MOD|NEQ|EQV)\b.*$"
)
_LETTERS = re.compile(r"[A-Z]+")
_LOCAL = re.compile(r"DB(S)? ?([0-9]+)")
_DBJ = re.compile(r"DBJ ?(?:/ ?T ?)?([0-9]{2,4})(?: ?/ ?T)?(?=[ -])")
_STRICT_SEQUENCE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_FREE_SEQUENCE = re.compile(r"[A-Z0-9]+(?:[.-][A-Z0-9]+)*")
_GROUP_CODE = re.compile(r"[A-Z](?:[A-Z0-9]*[A-Z])?")
_ENTERPRISE_CODE = re.compile(r"[A-Z0-9]*[A-Z]")
#: An enterprise code typed without the space before its sequence: an optional region code, then letters.
_ENTERPRISE_CODE_GLUED = re.compile(r"(?:[0-9]{6})?[A-Z]+")
_YEAR_PLACEHOLDER = re.compile(r"-? ?((?:19|20)?[0-9]?[XＸ×*＊?？]{1,4})$")
_RUN_TOGETHER = re.compile(r"[0-9]{2,}(?:19[5-9][0-9]|20[0-9]{2})")

#: Grades and categories written after a number (GB 18401 安全类别, product grades).
_GRADE_WORD = (
    r"[A-CＡ-Ｃ] ?类|[ⅠⅡⅢ]类|第?[一二三四五六七八九十]+[级類类]|[IVX]+级|[1-9]级|优级|特级|优等品|一等品|二等品|合格品|"
    r"特等品|优级品|一级品|二级品|三级品"
)
_GRADE_TAIL = re.compile(
    rf"\s*[（(]?\s*(?P<grade>{_GRADE_WORD})\s*[)）]?\s*(?P<after>[（(][^()（）]*[)）])?\s*$"
)
_TITLE = re.compile(r"《[^《》]*》|〈[^〈〉]*〉")
_LEAD = re.compile(
    r"^(?:(?:产品)?执行标准(?:号)?|产品标准(?:代?号)?|标准(?:代?号|编号)|依据|按|参照|符合|采用|执行)\s*[:：]?\s*"
)

#: Where a second standard number starts in the same text.
_NUMBER_START = (
    r"(?:GB|GBZ|GBJ|GJB|JJG|JJF|DBS?\s?[0-9]|DBJ|Q\s?/|T\s?/|(?:"
    + "|".join(sorted((c for c in INDUSTRY_PREFIXES if c != "DB"), key=len, reverse=True))
    + r")(?:\s?/\s?[TZ])?\s?[0-9])"
)
_SECOND_NUMBER = re.compile(rf"(?:[、,;，；&]|\s|和|及|与)\s*{_NUMBER_START}")
_RANGE = re.compile(r"[0-9]\s*(?:[~～〜∼]|至|到)\s*(?:[A-Z/]+\s*)?[0-9]")


@dataclass(frozen=True, slots=True)
class StandardNumber:
    """A parsed standard number. ``canonical`` and ``code_without_year`` are derived from the fields.
    ``grade`` and ``note`` record what was read around the number; they take no part in equality."""

    prefix: str  # GB/T, FZ/T, DB45/T, DB45 (mandatory local), DBS45, DBJ50/T, T/CAS, Q/ABC
    sequence: str  # 2912.1, 0001, TG04-011.7, 0001S
    year: int | None  # four digits, or None when no year was given
    nature: Nature
    level: Level
    grade: str = field(default="", compare=False)  # B类, 一级, 优等品 … written after the number
    note: str = field(default="", compare=False)  # title, lead word, adoption, year placeholder …

    @property
    def code_without_year(self) -> str:
        """``GB/T 2912.1``; a mandatory local standard keeps its slash: ``DB45/ 1234``, ``DBS45/ 034``;
        engineering local standards are dashed: ``DBJ50/T-163``."""
        if self.prefix.startswith("DBJ"):
            return f"{self.prefix}-{self.sequence}"
        if self.level == LOCAL and self.nature == MANDATORY:
            return f"{self.prefix}/ {self.sequence}"
        return f"{self.prefix} {self.sequence}"

    @property
    def canonical(self) -> str:
        """``GB/T 2912.1-2009``; without a year when none was given."""
        if self.year is None:
            return self.code_without_year
        return f"{self.code_without_year}-{self.year}"

    @property
    def display(self) -> str:
        """The canonical number followed by its grade: ``GB 18401-2010 B类``."""
        return f"{self.canonical} {self.grade}" if self.grade else self.canonical

    def __str__(self) -> str:
        return self.canonical


def parse_standard_number(text: str) -> StandardNumber:
    """Parse a standard number as people type it; raise ``ValueError`` (reason in Chinese) if it is not one."""
    if not isinstance(text, str):
        raise TypeError(f"standard number must be str, not {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise ValueError("标准号过长，请只填写标准编号（如 GB/T 2912.1-2009）")
    s, grade, notes = _clean(text)
    if not s:
        raise ValueError("请填写标准号（如 GB/T 2912.1-2009）")
    _refuse_several(s)
    s, more = _set_aside_tail(s)
    notes += more
    s, placeholder = _year_placeholder(s)
    if placeholder:
        notes.append(f"年代号未填写（{placeholder}）")
    number = _parse_core(s)
    if placeholder and number.year is not None:
        raise ValueError(f"年代号重复：{s}")
    return replace(number, grade=grade, note="；".join(n for n in notes if n))


def normalise(text: str) -> str:
    """The canonical form of ``text`` (``GB/T 2912.1-2009``); ``ValueError`` if it is not a standard number."""
    return parse_standard_number(text).canonical


def looks_like_standard_number(text: object) -> bool:
    """True when ``text`` parses as a standard number; never raises."""
    if not isinstance(text, str):
        return False
    try:
        parse_standard_number(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------------


def _clean(text: str) -> tuple[str, str, list[str]]:
    """Fold widths, dashes, spaces and case; take out titles, lead words, grades and adoption references.
    Returns the number part (upper case), the grade and the notes."""
    s = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    s = _CJK_ONE_AS_DASH.sub("-", s)
    s = " ".join(s.split())
    notes: list[str] = []
    for title in _TITLE.findall(s):
        inner = title[1:-1].strip()
        if re.search(f"[{_CJK}]", inner):
            notes.append(title)
            s = s.replace(title, " ")
        else:
            s = s.replace(title, f" {inner} ")
    s = " ".join(s.split())
    lead = _LEAD.match(s)
    if lead:
        notes.append(lead.group().strip(" :："))
        s = s[lead.end() :]
    grade = ""
    g = _GRADE_TAIL.search(s)
    if g and g.start() > 0:
        grade = re.sub(r"\s+", "", g["grade"]).replace("Ａ", "A").replace("Ｂ", "B").replace("Ｃ", "C")
        if g["after"]:
            notes.append(g["after"])
        s = s[: g.start()]
    s = s.upper().strip(_WRAPPING)
    s = _SPACE_AROUND_PUNCT.sub(r"\1", s)
    s = re.sub(r"-{2,}", "-", s)
    adoption = _ADOPTION.search(s)
    if adoption and adoption.start() > 0:
        notes.append(adoption.group().strip(" /()"))
        s = s[: adoption.start()]
    s = re.sub(r"^([A-Z](?: [A-Z])+)(?=[ /0-9]|$)", lambda m: m.group(1).replace(" ", ""), s)
    return s.rstrip(_TRAILING + " ").strip(_WRAPPING), grade, notes


def _refuse_several(s: str) -> None:
    head = re.match(r"[^0-9]*[0-9]", s)
    if head is None:
        return
    rest = s[head.end() - 1 :]
    if _RANGE.search(rest):
        raise ValueError(f"这是一组标准号的范围，请逐个填写标准号：{s}")
    for second in _SECOND_NUMBER.finditer(rest):
        cut = head.end() - 1 + second.start()
        first, other = s[:cut].strip(" 、,;，；&和及与"), s[cut:].strip(" 、,;，；&和及与")
        if _parses(first) and _parses(other):
            raise ValueError(f"一次只能填写一个标准号，这里有多个：{first}、{other}")


def _parses(s: str) -> bool:
    try:
        s, _grade, _notes = _clean(s)
        s, _ = _set_aside_tail(s)
        _parse_core(_year_placeholder(s)[0])
    except ValueError:
        return False
    return True


def _parse_core(s: str) -> StandardNumber:
    odd = "".join(sorted({c for c in s if c not in _ALLOWED}))
    if odd:
        raise ValueError(f"标准号中有无法识别的字符“{odd}”，请只填写标准编号（如 GB/T 2912.1-2009）：{s}")
    if s.startswith("T/"):
        return _parse_free(s, GROUP)
    if s.startswith("Q/"):
        return _parse_free(s, ENTERPRISE)
    return _parse_dbj(s) or _parse_local(s) or _parse_coded(s)


def _set_aside_tail(s: str) -> tuple[str, list[str]]:
    """A title or remark typed after the number (``GB 9684 1988 不锈钢食具容器卫生标准``) is set aside;
    so is a title typed before it (``生活饮用水卫生标准 GB 5749-2006``)."""
    notes = []
    m = re.search(f"[{_CJK}]", s)
    if m is None:
        return s, notes
    start = re.search(r"[A-Z]", s)
    if start is not None and m.start() < start.start():
        # Chinese before the code: a title or a label word.
        notes.append(s[: start.start()].strip(" :：()（）"))
        s = s[start.start() :]
        m = re.search(f"[{_CJK}]", s)
        if m is None:
            return s.strip(_WRAPPING), notes
    counted = re.search(r" [0-9]{1,3}$", s[: m.start()])  # "GB 4789.3-2010 5件": a count, not the number
    cut = counted.start() if counted else m.start()
    tail = s[cut:]
    head = s[:cut].rstrip(" (（[【")
    if not re.search(r"[0-9]", head):
        return s, notes  # no number before the Chinese: leave it to the character check
    notes.append(tail.strip(" ()（）"))
    return head.strip(_WRAPPING).rstrip(_TRAILING + " "), notes


def _year_placeholder(s: str) -> tuple[str, str]:
    m = _YEAR_PLACEHOLDER.search(s)
    if m is None or not re.search(r"[0-9]", s[: m.start()]):
        return s, ""
    if not re.search(r"[X×*?]", m.group(1)):
        return s, ""
    if m.group().startswith("-") or m.group().startswith(" "):
        return s[: m.start()].rstrip(" -"), m.group(1)
    return s, ""


def _parse_dbj(s: str) -> StandardNumber | None:
    """Engineering-construction local standards: ``DBJ50-052-2020``, ``DBJ50/T-163-2021``, ``DBJ 15-101-2014``,
    ``DBJ/T 15-101-2014``."""
    m = _DBJ.match(s)
    if m is None:
        return None
    recommended = "/T" in m.group().replace(" ", "")
    region, rest = m.group(1), s[m.end() :].lstrip(" -")
    prefix = f"DBJ{region}/T" if recommended else f"DBJ{region}"
    sequence, year = _split_sequence_year(rest, free=False)
    return StandardNumber(prefix, sequence, year, RECOMMENDED if recommended else MANDATORY, LOCAL)


def _parse_local(s: str) -> StandardNumber | None:
    """``DB45/T 1234-2015``, ``DB4502/T 12-2020``, ``DB45/ 1234-2015``, ``DBS45/ 034-2021``; None when
    ``DB`` is the industry code."""
    m = _LOCAL.match(s)
    if m is None:
        return None
    food, region, rest = m.group(1) or "", m.group(2), s[m.end() :]
    code = f"DB{food}{region}"
    sign: str | None = None
    if rest.startswith("/"):
        rest = rest[1:]
        if rest[:1].isascii() and rest[:1].isalpha():
            sign, rest = rest[0], rest[1:]
            if sign != "T" or food:
                raise ValueError(f"地方标准代号应为 DB{region}/T（推荐性）或 {code}（强制性）：{code}/{sign}")
    elif rest[:1] == "T" and rest[1:2] in (" ", *"0123456789") and not food:
        sign, rest = "T", rest[1:]
    elif not re.match(r" [0-9]", rest):
        if " " in m.group() and not food:
            return None  # DB 15-2009: a seismology industry standard (so is DB/T 15-2009)
        raise ValueError(
            f"无法识别的标准号：{s}（地方标准写作 DB{region}/T 顺序号-年代号 或 DB{region}/ 顺序号-年代号，"
            "地震行业标准写作 DB/T 顺序号-年代号）"
        )
    if len(region) not in (2, 4):
        if len(region) > 4 and region[:2] in PROVINCE_CODES:
            raise ValueError(f"地方标准代号与顺序号连在一起，请在“/”后分开：{s}")
        raise ValueError(f"地方标准代号中的行政区划代码应为2位（省级）或4位（市级）：{code}")
    if region[:2] not in PROVINCE_CODES:
        raise ValueError(f"未知的省级行政区划代码：{code}")
    if len(region) == 4 and region[2:] == "00":
        raise ValueError(f"市级地方标准的行政区划代码后两位不能为00：{code}")
    prefix = f"{code}/T" if sign else code
    rest = _drop_repeated_prefix(rest.lstrip("-"), (f"{code}/T", f"{code}/", code))
    sequence, year = _split_sequence_year(rest, free=False)
    return StandardNumber(prefix, sequence, year, _NATURE_BY_SIGN[sign], LOCAL)


def _parse_coded(s: str) -> StandardNumber:
    """National, metrology and industry numbers: letters, an optional /T or /Z, sequence, year."""
    m = _LETTERS.match(s)
    if m is None:
        raise ValueError(f"缺少标准代号（如 GB/T）：{s}")
    letters, rest = m.group(), s[m.end() :]
    sign: str | None = None
    spaced_sign = re.match(r" ([TZ])(?= ?[0-9])", rest)
    if rest.startswith("/"):
        if rest[1:2].isascii() and rest[1:2].isalpha():
            sign, rest = rest[1], rest[2:]
        elif letters in _KNOWN_LETTER_CODES:
            raise ValueError(
                f"标准代号 {letters} 后的“/”应接 T（推荐性）或 Z（指导性）；强制性标准不写“/”：{s}"
            )
    elif spaced_sign and letters in _KNOWN_LETTER_CODES and letters not in METROLOGY_PREFIXES:
        sign, rest = spaced_sign.group(1), rest[spaced_sign.end() :]  # "GB T 4789.11 2003"
    elif (
        letters not in _KNOWN_LETTER_CODES
        and letters[-1:] in ("T", "Z")
        and letters[:-1] in _KNOWN_LETTER_CODES
    ):
        letters, sign = letters[:-1], letters[-1]  # GBT 2912, JYT 0627: the slash left out
    typed = letters if sign is None else f"{letters}/{sign}"
    if letters not in _KNOWN_LETTER_CODES or sign not in _NATURE_BY_SIGN:
        raise ValueError(f"无法识别的标准代号：{typed}")

    nature = _NATURE_BY_SIGN[sign]
    if letters in METROLOGY_PREFIXES:
        if sign is not None:
            raise ValueError(f"计量技术法规代号 {letters} 不带 /{sign}：{typed}")
        level, nature = METROLOGY_PREFIXES[letters]
        code = letters
    elif letters in _NATIONAL_BY_UPPER:
        level, code = NATIONAL, _NATIONAL_BY_UPPER[letters]
    else:
        level, code = INDUSTRY, letters
    prefix = code if sign is None else f"{code}/{sign}"
    rest = rest.strip()
    if re.match(r"-[0-9]", rest) and "-" in rest[1:]:
        rest = rest[1:]  # "GB-30871-2014": a dash instead of the space after the code
    rest = _drop_repeated_prefix(rest, (prefix.upper(),))
    sequence, year = _split_sequence_year(rest, free=False)
    return StandardNumber(prefix, sequence, year, nature, level)


def _parse_free(s: str, level: Level) -> StandardNumber:
    """Group (``T/CAS 290-2017``) and enterprise (``Q/ABCDE 0001-2008``) numbers."""
    head, body = s[:2], s[2:]
    what = "社会团体代号" if level == GROUP else "企业代号"
    code_re = _GROUP_CODE if level == GROUP else _ENTERPRISE_CODE
    glued_re = _GROUP_CODE if level == GROUP else _ENTERPRISE_CODE_GLUED
    first, space, after = body.partition(" ")
    spaced = (first, after) if space and code_re.fullmatch(first) else None
    m = glued_re.match(body)
    glued = (m.group(), body[m.end() :]) if m and body[m.end() : m.end() + 1].isdigit() else None
    if spaced and glued and re.fullmatch(r"[0-9]{4}", after):
        spaced = None  # "Q/HLS0001S 2012": the code is glued to its sequence and the year follows a space
    code, rest = spaced or glued or (None, None)
    if code is None or rest is None:
        raise ValueError(
            f"缺少{what}（{head} 后应为{what}，以字母结尾，如 {'T/CAS' if level == GROUP else 'Q/ABC'}）：{s}"
        )
    prefix = head + code
    rest = _drop_repeated_prefix(rest, (prefix,))
    sequence, year = _split_sequence_year(rest, free=True)
    return StandardNumber(prefix, sequence, year, RECOMMENDED, level)


def _drop_repeated_prefix(rest: str, prefixes: tuple[str, ...]) -> str:
    rest = rest.strip()
    for p in prefixes:
        if rest.startswith(p):
            return rest[len(p) :].strip()
    return rest


def _split_sequence_year(rest: str, *, free: bool) -> tuple[str, int | None]:
    sequence, year_text = rest, None
    head, space, tail = rest.rpartition(" ")
    if space and len(tail) == 4 and tail.isascii() and tail.isdigit():
        sequence, year_text = head, tail  # "GB/T 2912.1 2009"
    elif "-" in rest:
        head, _, tail = rest.rpartition("-")
        if not free or tail == "" or (tail.isascii() and tail.isdigit()):
            sequence, year_text = head, tail
        # otherwise (group / enterprise) the dash is inside the sequence: TG04-011.7
        if not free and re.fullmatch(r"[0-9]+\.[0-9]+", tail) and re.search(r"[0-9]$", head):
            raise ValueError(f"这是一组标准号的范围，请逐个填写标准号：{rest}")

    sequence = sequence.strip().rstrip(".")
    if not sequence:
        raise ValueError("缺少标准顺序号")
    pattern = _FREE_SEQUENCE if free else _STRICT_SEQUENCE
    if not pattern.fullmatch(sequence) or not any(c.isdigit() for c in sequence):
        if free:
            raise ValueError(f"标准顺序号格式不正确：{sequence}（应为字母、数字，可用“.”或“-”分隔）")
        raise ValueError(f"标准顺序号格式不正确：{sequence}（应为数字，分部分时用“.”隔开，如 2912.1）")
    if not free and year_text is None and _RUN_TOGETHER.fullmatch(sequence.split(".")[0]):
        raise ValueError(
            f"顺序号与年代号连在一起，请用“-”分开（如 {sequence[:-4]}-{sequence[-4:]}）：{sequence}"
        )
    return sequence, None if year_text is None else _year(text=year_text)


def _year(text: str) -> int:
    if text == "":
        raise ValueError("缺少年代号：“-”后应为年份，如 2009")
    if not (text.isascii() and text.isdigit()) or len(text) not in (2, 4):
        raise ValueError(f"年代号应为4位（1995年起）或2位（此前）：{text}")
    value = int(text)
    if len(text) == 2:
        return 1900 + value if value >= 50 else 2000 + value
    if value < 1949:
        raise ValueError(f"年代号不能早于1949年：{text}")
    return value
