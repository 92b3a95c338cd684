"""Chinese standard numbers (标准编号): read what people type, give back one canonical form.

Pure: no Django, no files, no clock. ``parse_standard_number`` returns a :class:`StandardNumber` or raises
``ValueError`` with a reason in Chinese that can be shown to the person who typed the number.

Canonical forms (what a catalog shows)::

    national     GB 18401-2010   GB/T 2912.1-2009   GB/Z 40836-2021   GBZ 2.1-2019   JJG 1036-2008
    industry     FZ/T 62011.2-2016   QB 1206-1991   JY/T 0627-2020   DB/T 15-2009 (地震行业)
    local        DB45/T 1234-2015   DB4502/T 12-2020   DB45/ 1234-2015 (强制性: "DB45/" and a space)
    group        T/CAS 290-2017   T/XCFW TG04-011.7-2023
    enterprise   Q/ABCDE 0001-2008   Q/320612ABC 001-2020

Decisions (change them here, nowhere else):

* **Year.** ``year`` is an ``int`` or ``None`` (no year typed). The canonical form always prints four digits:
  two-digit years (used before 1995, and typed as a short-cut) become ``19YY`` when ``YY >= 50`` and ``20YY``
  otherwise, so ``GB 3100-93`` → ``GB 3100-1993`` and ``gb/t 2912.1-09`` → ``GB/T 2912.1-2009``.
  Four-digit years before 1949 are refused; there is no upper bound (no clock here).
* **Dash.** The canonical dash is ASCII ``-``, also for group standards, whose catalog entries often show
  ``—``. Sequence numbers keep their leading zeros as typed (``JY/T 0627``, ``T/ZZB 0001``).
* **Nature.** No sign → mandatory, ``/T`` → recommended, ``/Z`` → guidance (national and industry);
  local ``DBxx`` → mandatory, ``DBxx/T`` → recommended; group and enterprise → recommended. JJG / JJF are
  in :data:`METROLOGY_PREFIXES` (national, recommended — see the note there).
* **Level.** national (``GB``, ``GBZ``, ``GBJ``, ``GJB``, ``GBn``, ``JJG``, ``JJF``), industry
  (:data:`INDUSTRY_PREFIXES`), local (``DB`` + 2-digit province or 4-digit city code + ``/``), group
  (``T/``), enterprise (``Q/``).
* **Tolerated input.** Full-width characters; any dash (‐ ‑ ‒ – — ― − ﹣ －, doubled dashes, and 一 between
  digits); missing or extra spaces; lower case; a missing slash before T/Z (``GBT 2912``, ``JYT 0627``) unless
  the letters are a code of their own (``GBZ`` is 国家职业卫生标准, not ``GB/Z``); a space instead of the dash
  before a four-digit year; a trailing adoption reference (``…-2009/ISO 14184-1:1998``); a group or
  enterprise code typed twice (``T/CSGF T/CSGF023.3—2023``); surrounding quotes or 《》.
* **Group and enterprise codes** end with a letter (GB/T 20004.1: 社会团体代号 should not end with a digit);
  a space separates the code from a sequence that starts with letters (``T/PTSHOES GS001-2017``). Typed
  without that space, the letters are read as part of the code. Their sequence may hold letters, ``.`` and
  ``-``; a trailing ``-`` plus digits is read as the year.
* **DB:** ``DB`` right before digits is a local code and needs its sign (``DB45/T …``, ``DB45T …``, ``DB45/ …``, or
  ``DB45 1234`` with a space); the seismology industry code is written ``DB/T 15-2009`` or ``DB 15-2009``.
* **Not handled:** 地方计量规程 ``JJG(京) …``, ``JTG D60-2015``-style sequences with letters in national /
  industry numbers, ``GSB`` physical reference materials, 特种设备 ``TSG`` rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
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
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TRANSLATION = str.maketrans(
    {**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SLASHES, "/"), **dict.fromkeys(_INVISIBLE, None)}
)
_WRAPPING = " \"'“”‘’《》〈〉<>()[]【】「」『』"
_TRAILING = ".,;:。，；：、"

_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.- ")

_CJK_ONE_AS_DASH = re.compile(r"(?<=[0-9.])\s*一\s*(?=[0-9])")
_SPACE_AROUND_PUNCT = re.compile(r" ?([/.:-]) ?")
_ADOPTION = re.compile(r"(?<=[0-9])/(?:ISO|IEC|ITU|EN|OIML|IEEE|ASTM|CAC)(?![A-Z]).*$")
_LETTERS = re.compile(r"[A-Z]+")
_LOCAL = re.compile(r"DB ?([0-9]+)")
_STRICT_SEQUENCE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_FREE_SEQUENCE = re.compile(r"[A-Z0-9]+(?:[.-][A-Z0-9]+)*")
_GROUP_CODE = re.compile(r"[A-Z](?:[A-Z0-9]*[A-Z])?")
_ENTERPRISE_CODE = re.compile(r"[A-Z0-9]*[A-Z]")


@dataclass(frozen=True, slots=True)
class StandardNumber:
    """A parsed standard number. ``canonical`` and ``code_without_year`` are derived from the fields."""

    prefix: str  # GB/T, FZ/T, DB45/T, DB45 (mandatory local), T/CAS, Q/ABC
    sequence: str  # 2912.1, 0001, TG04-011.7
    year: int | None  # four digits, or None when no year was given
    nature: Nature
    level: Level

    @property
    def code_without_year(self) -> str:
        """``GB/T 2912.1``; a mandatory local standard keeps its slash: ``DB45/ 1234``."""
        if self.level == LOCAL and self.nature == MANDATORY:
            return f"{self.prefix}/ {self.sequence}"
        return f"{self.prefix} {self.sequence}"

    @property
    def canonical(self) -> str:
        """``GB/T 2912.1-2009``; without a year when none was given."""
        if self.year is None:
            return self.code_without_year
        return f"{self.code_without_year}-{self.year}"

    def __str__(self) -> str:
        return self.canonical


def parse_standard_number(text: str) -> StandardNumber:
    """Parse a standard number as people type it; raise ``ValueError`` (reason in Chinese) if it is not one."""
    if not isinstance(text, str):
        raise TypeError(f"standard number must be str, not {type(text).__name__}")
    if len(text) > _MAX_LENGTH:
        raise ValueError("标准号过长，请只填写标准编号（如 GB/T 2912.1-2009）")
    s = _clean(text)
    if not s:
        raise ValueError("请填写标准号（如 GB/T 2912.1-2009）")
    odd = "".join(sorted({c for c in s if c not in _ALLOWED}))
    if odd:
        raise ValueError(f"标准号中有无法识别的字符“{odd}”，请只填写标准编号（如 GB/T 2912.1-2009）：{s}")
    if s.startswith("T/"):
        return _parse_free(s, GROUP)
    if s.startswith("Q/"):
        return _parse_free(s, ENTERPRISE)
    local = _parse_local(s)
    if local is not None:
        return local
    return _parse_coded(s)


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


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    s = _CJK_ONE_AS_DASH.sub("-", s)
    s = " ".join(s.split()).upper()
    s = s.strip(_WRAPPING)
    s = _SPACE_AROUND_PUNCT.sub(r"\1", s)
    s = re.sub(r"-{2,}", "-", s)
    s = _ADOPTION.sub("", s)
    return s.rstrip(_TRAILING + " ")


def _parse_local(s: str) -> StandardNumber | None:
    """``DB45/T 1234-2015``, ``DB4502/T 12-2020``, ``DB45/ 1234-2015``; None when ``DB`` is the industry code."""
    m = _LOCAL.match(s)
    if m is None:
        return None
    region, rest = m.group(1), s[m.end() :]
    sign: str | None = None
    if rest.startswith("/"):
        rest = rest[1:]
        if rest[:1].isascii() and rest[:1].isalpha():
            sign, rest = rest[0], rest[1:]
            if sign != "T":
                raise ValueError(
                    f"地方标准代号应为 DB{region}/T（推荐性）或 DB{region}（强制性）：DB{region}/{sign}"
                )
    elif rest[:1] == "T" and rest[1:2] in (" ", *"0123456789"):
        sign, rest = "T", rest[1:]
    elif not re.match(r" [0-9]", rest):
        if " " in m.group():
            return None  # DB 15-2009: a seismology industry standard (so is DB/T 15-2009)
        raise ValueError(
            f"无法识别的标准号：{s}（地方标准写作 DB{region}/T 顺序号-年代号 或 DB{region}/ 顺序号-年代号，"
            "地震行业标准写作 DB/T 顺序号-年代号）"
        )
    if len(region) not in (2, 4):
        raise ValueError(f"地方标准代号中的行政区划代码应为2位（省级）或4位（市级）：DB{region}")
    if region[:2] not in PROVINCE_CODES:
        raise ValueError(f"未知的省级行政区划代码：DB{region}")
    if len(region) == 4 and region[2:] == "00":
        raise ValueError(f"市级地方标准的行政区划代码后两位不能为00：DB{region}")
    prefix = f"DB{region}/T" if sign else f"DB{region}"
    rest = _drop_repeated_prefix(rest, (f"DB{region}/T", f"DB{region}/", f"DB{region}"))
    sequence, year = _split_sequence_year(rest, free=False)
    return StandardNumber(prefix, sequence, year, _NATURE_BY_SIGN[sign], LOCAL)


def _parse_coded(s: str) -> StandardNumber:
    """National, metrology and industry numbers: letters, an optional /T or /Z, sequence, year."""
    m = _LETTERS.match(s)
    if m is None:
        raise ValueError(f"缺少标准代号（如 GB/T）：{s}")
    letters, rest = m.group(), s[m.end() :]
    sign: str | None = None
    if rest.startswith("/"):
        if rest[1:2].isascii() and rest[1:2].isalpha():
            sign, rest = rest[1], rest[2:]
        else:
            rest = rest[1:]  # "GB/ 18401": a bare slash, as in mandatory local numbers
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
    rest = _drop_repeated_prefix(rest, (prefix.upper(),))
    sequence, year = _split_sequence_year(rest, free=False)
    return StandardNumber(prefix, sequence, year, nature, level)


def _parse_free(s: str, level: Level) -> StandardNumber:
    """Group (``T/CAS 290-2017``) and enterprise (``Q/ABCDE 0001-2008``) numbers."""
    head, body = s[:2], s[2:]
    what = "社会团体代号" if level == GROUP else "企业代号"
    code_re = _GROUP_CODE if level == GROUP else _ENTERPRISE_CODE
    code = rest = None
    first, space, after = body.partition(" ")
    if space and code_re.fullmatch(first):
        code, rest = first, after
    else:
        m = code_re.match(body)
        if m and body[m.end() : m.end() + 1].isdigit():
            code, rest = m.group(), body[m.end() :]
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

    sequence = sequence.strip().rstrip(".")
    if not sequence:
        raise ValueError("缺少标准顺序号")
    pattern = _FREE_SEQUENCE if free else _STRICT_SEQUENCE
    if not pattern.fullmatch(sequence) or not any(c.isdigit() for c in sequence):
        if free:
            raise ValueError(f"标准顺序号格式不正确：{sequence}（应为字母、数字，可用“.”或“-”分隔）")
        raise ValueError(f"标准顺序号格式不正确：{sequence}（应为数字，分部分时用“.”隔开，如 2912.1）")
    return sequence, None if year_text is None else _year(year_text)


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
