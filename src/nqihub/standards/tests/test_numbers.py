import ast
import dataclasses
import inspect

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from nqihub.standards import numbers
from nqihub.standards.numbers import (
    INDUSTRY_PREFIXES,
    METROLOGY_PREFIXES,
    NATIONAL_PREFIXES,
    PROVINCE_CODES,
    StandardNumber,
    looks_like_standard_number,
    normalise,
    parse_standard_number,
)

# --- examples: every accepted form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, canonical, prefix, sequence, year, nature, level",
    [
        # national, as people type it
        ("GB/T 2912.1-2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        (
            "ＧＢ／Ｔ２９１２．１－２００９",
            "GB/T 2912.1-2009",
            "GB/T",
            "2912.1",
            2009,
            "recommended",
            "national",
        ),
        ("GB/T2912.1—2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB / T 2912.1 - 2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("gb/t 2912.1-09", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB/T 2912.1–2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB/T 2912.1‐2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB/T 2912.1―2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB/T 2912.1——2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB/T 2912.1 2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GBT 2912.1-2009", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("  《GB/T 2912.1-2009》 ", "GB/T 2912.1-2009", "GB/T", "2912.1", 2009, "recommended", "national"),
        ("GB/T 2912.1", "GB/T 2912.1", "GB/T", "2912.1", None, "recommended", "national"),
        ("GB/T 1.1-2020", "GB/T 1.1-2020", "GB/T", "1.1", 2020, "recommended", "national"),
        ("GB 18401-2010", "GB 18401-2010", "GB", "18401", 2010, "mandatory", "national"),
        ("GB 18401—2010", "GB 18401-2010", "GB", "18401", 2010, "mandatory", "national"),
        ("GB 18401一2010", "GB 18401-2010", "GB", "18401", 2010, "mandatory", "national"),
        ("GB 3100-93", "GB 3100-1993", "GB", "3100", 1993, "mandatory", "national"),
        ("GB/Z 40836-2021", "GB/Z 40836-2021", "GB/Z", "40836", 2021, "guidance", "national"),
        ("GBZ 2.1-2019", "GBZ 2.1-2019", "GBZ", "2.1", 2019, "mandatory", "national"),
        ("GBn 123-86", "GBn 123-1986", "GBn", "123", 1986, "mandatory", "national"),
        ("JJG 1036-2008", "JJG 1036-2008", "JJG", "1036", 2008, "recommended", "national"),
        ("JJF 1059.1-2012", "JJF 1059.1-2012", "JJF", "1059.1", 2012, "recommended", "national"),
        (
            "GB/T 2912.1-2009/ISO 14184-1:1998",
            "GB/T 2912.1-2009",
            "GB/T",
            "2912.1",
            2009,
            "recommended",
            "national",
        ),
        (
            "GB/T 20000.1—2014/ISO/IEC Guide 2:2004",
            "GB/T 20000.1-2014",
            "GB/T",
            "20000.1",
            2014,
            "recommended",
            "national",
        ),
        # industry
        ("FZ/T 62011.2-2016", "FZ/T 62011.2-2016", "FZ/T", "62011.2", 2016, "recommended", "industry"),
        ("QB/T 1234-2010", "QB/T 1234-2010", "QB/T", "1234", 2010, "recommended", "industry"),
        ("SN/T 1588.3-2013", "SN/T 1588.3-2013", "SN/T", "1588.3", 2013, "recommended", "industry"),
        ("HG/T 4905-2016", "HG/T 4905-2016", "HG/T", "4905", 2016, "recommended", "industry"),
        ("QB 1206-1991", "QB 1206-1991", "QB", "1206", 1991, "mandatory", "industry"),
        ("JYT 0627-2020", "JY/T 0627-2020", "JY/T", "0627", 2020, "recommended", "industry"),
        ("NB/T 10612—2021", "NB/T 10612-2021", "NB/T", "10612", 2021, "recommended", "industry"),
        ("RB/T 214-2017", "RB/T 214-2017", "RB/T", "214", 2017, "recommended", "industry"),
        ("JGJ 3-2010", "JGJ 3-2010", "JGJ", "3", 2010, "mandatory", "industry"),
        ("DB/T 15-2009", "DB/T 15-2009", "DB/T", "15", 2009, "recommended", "industry"),  # 地震行业
        # local
        ("DB45/T 1234-2015", "DB45/T 1234-2015", "DB45/T", "1234", 2015, "recommended", "local"),
        ("DB45/ T 1234-2015", "DB45/T 1234-2015", "DB45/T", "1234", 2015, "recommended", "local"),
        ("DB 45/T 1234-2015", "DB45/T 1234-2015", "DB45/T", "1234", 2015, "recommended", "local"),
        ("DB45T1234-2015", "DB45/T 1234-2015", "DB45/T", "1234", 2015, "recommended", "local"),
        ("DB4502/T 12-2020", "DB4502/T 12-2020", "DB4502/T", "12", 2020, "recommended", "local"),
        ("DB45/ 1234-2015", "DB45/ 1234-2015", "DB45", "1234", 2015, "mandatory", "local"),
        ("DB45 1234-2015", "DB45/ 1234-2015", "DB45", "1234", 2015, "mandatory", "local"),
        # group
        ("T/CAS 290-2017", "T/CAS 290-2017", "T/CAS", "290", 2017, "recommended", "group"),
        ("T/ZZB 0001—2018", "T/ZZB 0001-2018", "T/ZZB", "0001", 2018, "recommended", "group"),
        ("T/CNTAC 8-2018", "T/CNTAC 8-2018", "T/CNTAC", "8", 2018, "recommended", "group"),
        ("t/cas290-17", "T/CAS 290-2017", "T/CAS", "290", 2017, "recommended", "group"),
        ("T/PTSHOES GS001—2017", "T/PTSHOES GS001-2017", "T/PTSHOES", "GS001", 2017, "recommended", "group"),
        (
            "T/XCFW TG04-011.7—2023",
            "T/XCFW TG04-011.7-2023",
            "T/XCFW",
            "TG04-011.7",
            2023,
            "recommended",
            "group",
        ),
        ("T/XCFW TG04-011.7", "T/XCFW TG04-011.7", "T/XCFW", "TG04-011.7", None, "recommended", "group"),
        # enterprise
        ("Q/ABCDE0001—2008", "Q/ABCDE 0001-2008", "Q/ABCDE", "0001", 2008, "recommended", "enterprise"),
        (
            "Q/320612ABC 001-2020",
            "Q/320612ABC 001-2020",
            "Q/320612ABC",
            "001",
            2020,
            "recommended",
            "enterprise",
        ),
        ("Q/GDW 1168-2013", "Q/GDW 1168-2013", "Q/GDW", "1168", 2013, "recommended", "enterprise"),
    ],
)
def test_typed_numbers_parse_to_the_canonical_form(typed, canonical, prefix, sequence, year, nature, level):
    number = parse_standard_number(typed)
    assert number.canonical == canonical
    assert (number.prefix, number.sequence, number.year, number.nature, number.level) == (
        prefix,
        sequence,
        year,
        nature,
        level,
    )
    assert normalise(typed) == canonical
    assert looks_like_standard_number(typed)
    assert str(number) == canonical


@pytest.mark.parametrize(
    "typed, without_year",
    [
        ("GB/T 2912.1-2009", "GB/T 2912.1"),
        ("GB/T 2912.1", "GB/T 2912.1"),
        ("DB45/ 1234-2015", "DB45/ 1234"),
        ("DB4502/T 12-2020", "DB4502/T 12"),
        ("T/CAS 290-2017", "T/CAS 290"),
        ("Q/ABCDE0001—2008", "Q/ABCDE 0001"),
    ],
)
def test_code_without_year(typed, without_year):
    assert parse_standard_number(typed).code_without_year == without_year


def test_two_digit_years_pivot_at_50():
    assert parse_standard_number("GB 3100-50").year == 1950
    assert parse_standard_number("GB 3100-99").year == 1999
    assert parse_standard_number("GB 3100-49").year == 2049
    assert parse_standard_number("GB/T 2912.1-00").year == 2000


def test_variants_of_one_number_are_equal_values():
    a = parse_standard_number("GB/T 2912.1-2009")
    assert a == parse_standard_number("ｇｂ／ｔ　２９１２．１—０９")
    assert hash(a) == hash(parse_standard_number("GBT2912.1 2009"))


def test_result_is_frozen():
    number = parse_standard_number("GB 18401-2010")
    with pytest.raises(dataclasses.FrozenInstanceError):
        number.year = 2003  # type: ignore[misc]


def test_prefix_tables_hold_the_relaton_list_and_the_metrology_choice():
    for code in ("FZ", "QB", "SN", "HG", "TY", "CJ", "DB", "ZY", "AQ"):
        assert code in INDUSTRY_PREFIXES
    assert len(INDUSTRY_PREFIXES) >= 63
    assert set(NATIONAL_PREFIXES) >= {"GB", "GJB", "GBn"}
    assert METROLOGY_PREFIXES["JJG"] == ("national", "recommended")
    assert METROLOGY_PREFIXES["JJF"] == ("national", "recommended")
    assert not set(INDUSTRY_PREFIXES) & {c.upper() for c in NATIONAL_PREFIXES}
    assert "45" in PROVINCE_CODES and "99" not in PROVINCE_CODES


def test_the_module_imports_no_django():
    tree = ast.parse(inspect.getsource(numbers))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] in {"django", "nqihub"} for name in imported), imported


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("", "请填写标准号"),
        ("   ", "请填写标准号"),
        ("XYZ 12-2010", "无法识别的标准代号：XYZ"),
        ("hello", "无法识别的标准代号：HELLO"),
        ("GB/X 1-2020", "无法识别的标准代号：GB/X"),
        ("2912.1-2009", "缺少标准代号"),
        ("GB/T", "缺少标准顺序号"),
        ("GB/T -2009", "缺少标准顺序号"),
        ("GB/T 2912.1-", "缺少年代号"),
        ("GB/T 2912.1-209", "年代号应为4位（1995年起）或2位（此前）：209"),
        ("GB/T 2912.1-20O9", "年代号应为4位（1995年起）或2位（此前）：20O9"),
        ("GB/T 2912.1-20091", "年代号应为4位（1995年起）或2位（此前）：20091"),
        ("T/CAS 290-201", "年代号应为4位（1995年起）或2位（此前）：201"),
        ("GB/T 2912.1-1890", "年代号不能早于1949年：1890"),
        ("GB/T 2912-1-2009", "标准顺序号格式不正确：2912-1"),
        ("GB/T abc-2009", "标准顺序号格式不正确：ABC"),
        ("T/CAS ABC-2017", "标准顺序号格式不正确：ABC"),
        ("DB99/T 12-2020", "未知的省级行政区划代码：DB99"),
        ("DB456/T 1-2020", "行政区划代码应为2位（省级）或4位（市级）：DB456"),
        ("DB4500/T 1-2020", "DB4500"),
        ("DB45/Z 1-2020", "DB45/T（推荐性）或 DB45（强制性）"),
        ("JJG/T 1-2020", "JJG 不带 /T"),
        ("T/ 12-2020", "缺少社会团体代号"),
        ("T/123 1-2020", "缺少社会团体代号"),
        ("Q/001-2020", "缺少企业代号"),
        ("DB45", "地方标准写作 DB45/T"),
        ("DB451234-2015", "地方标准写作"),
        ("DB15-2009", "地震行业标准写作 DB/T"),
        ("GB/T 2912.1-2009 #1", "无法识别的字符"),
        ("GB 18401-2010" * 20, "标准号过长"),
    ],
)
def test_bad_input_is_refused_with_a_reason(typed, reason):
    with pytest.raises(ValueError) as caught:
        parse_standard_number(typed)
    assert reason in str(caught.value)
    assert not looks_like_standard_number(typed)


def test_non_text_is_a_type_error_but_looks_like_is_just_false():
    with pytest.raises(TypeError):
        parse_standard_number(None)  # type: ignore[arg-type]
    assert looks_like_standard_number(None) is False
    assert looks_like_standard_number(18401) is False


# --- real codes, copied from the shared standards_sample.csv / standards_core.csv ---------------------------

REAL_CODES = [
    "GB 18401-2010",
    "GB 5296.4-2012",
    "GB 31701-2015",
    "GB/T 2912.1-2009",
    "GB/T 8685-2008",
    "GB 7718-2025",
    "GB 4789.2-2022",
    "GB 5009.3-2016",
    "GB/T 19001-2016",
    "GB/T 22239-2019",
    "GB/T 10642-1989",
    "GB 17498.10-2008",
    "GB/Z 44858-2024",
    "TY/T 1001.1-2005",
    "TY/T 1005-2022",
    "QB/T 2601-2013",
    "HG/T 2290-2009",
    "JB/T 11969-2014",
    "CJ/T 244-2016",
    "JG/T 191-2006",
    "MZ/T 239—2025",
    "NB/T 10612—2021",
    "NY/T 3826-2020",
    "SN/T 1588.3-2013",
    "YD/T 4237-2023",
    "QB 1206-1991",
    "HG 2290-1992",
    "JYT 0627-2020",
    "DB11/T 1322.52-2018",
    "DB1310/T 255—2021",
    "DB2101/T 0005—2018",
    "DB23/T 3676.1—2023",
    "DB 3307/T 98—2019",
    "DB 37/T 2904-2019",
    "DB12/ 684-2016",
    "DB13/ 1541-2012",
    "DB1303/T011-2020",
    "DB14/ T 1763-2018",
    "DB14/T2039-2020",
    "DB32／T 4412-2022",
    "T/ZZB 0243—2017",
    "T/CSVA 0101-2017",
    "T/SSGGA 001.1—2024",
    "T/FJJYZBBZ 007.2—2025",
    "T/XZSLYYDXH 001—2021",
    "T/CNTAC 251—2025",
    "T/HOMETEX 24—2021",
    "T/PTSHOES GS001—2017",
    "T/XCFW TG06-011.5—2023",
    "T/CSGF T/CSGF023.3—2023",
    "T/DLSHXH T/DLSHXH 001--2017",
    "T/HSCA 001.—2017",
]

#: Real codes whose canonical form is more than the same text with "-" for "—" and single spaces.
REAL_CODES_REWRITTEN = {
    "JYT 0627-2020": "JY/T 0627-2020",
    "DB 3307/T 98—2019": "DB3307/T 98-2019",
    "DB 37/T 2904-2019": "DB37/T 2904-2019",
    "DB1303/T011-2020": "DB1303/T 011-2020",
    "DB14/ T 1763-2018": "DB14/T 1763-2018",
    "DB14/T2039-2020": "DB14/T 2039-2020",
    "DB32／T 4412-2022": "DB32/T 4412-2022",
    "T/CSGF T/CSGF023.3—2023": "T/CSGF 023.3-2023",
    "T/DLSHXH T/DLSHXH 001--2017": "T/DLSHXH 001-2017",
    "T/HSCA 001.—2017": "T/HSCA 001-2017",
}


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_catalog_codes_parse_and_round_trip(code):
    canonical = normalise(code)
    expected = REAL_CODES_REWRITTEN.get(code, " ".join(code.replace("—", "-").split()))
    assert canonical == expected
    assert normalise(canonical) == canonical
    assert parse_standard_number(canonical) == parse_standard_number(code)


# --- properties --------------------------------------------------------------------------------------------

strict_sequences = st.from_regex(r"[0-9]{1,5}(\.[0-9]{1,2}){0,2}", fullmatch=True)
years = st.none() | st.integers(min_value=1949, max_value=2100)
free_sequences = st.from_regex(r"([A-Z]{1,2})?[0-9]{1,4}(\.[0-9]{1,2})?", fullmatch=True) | st.from_regex(
    r"[A-Z]{1,2}[0-9]{1,2}-[0-9]{1,3}\.[0-9]", fullmatch=True
)


@st.composite
def coded_numbers(draw):
    code = draw(
        st.sampled_from(sorted(NATIONAL_PREFIXES) + sorted(INDUSTRY_PREFIXES) + sorted(METROLOGY_PREFIXES))
    )
    sign = None if code in METROLOGY_PREFIXES else draw(st.sampled_from([None, "T", "Z"]))
    if code in METROLOGY_PREFIXES:
        level, nature = METROLOGY_PREFIXES[code]
    else:
        level = "national" if code in NATIONAL_PREFIXES else "industry"
        nature = {None: "mandatory", "T": "recommended", "Z": "guidance"}[sign]
    prefix = code if sign is None else f"{code}/{sign}"
    return StandardNumber(prefix, draw(strict_sequences), draw(years), nature, level)


@st.composite
def local_numbers(draw):
    region = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    if draw(st.booleans()):
        region += draw(st.from_regex(r"(0[1-9]|[1-9][0-9])", fullmatch=True))
    recommended = draw(st.booleans())
    prefix = f"DB{region}/T" if recommended else f"DB{region}"
    nature = "recommended" if recommended else "mandatory"
    return StandardNumber(prefix, draw(strict_sequences), draw(years), nature, "local")


@st.composite
def free_numbers(draw):
    if draw(st.booleans()):
        head, level = "T/", "group"
        code = draw(st.from_regex(r"[A-Z]([A-Z0-9]{0,6}[A-Z])?", fullmatch=True))
    else:
        head, level = "Q/", "enterprise"
        # Typed without the space before its sequence, an enterprise code is read as letters after an
        # optional region code (Q/NKJN308S-2013 → Q/NKJN 308S-2013), so generated codes have no inner digits.
        code = draw(st.from_regex(r"([0-9]{6})?[A-Z]{1,6}", fullmatch=True))
    return StandardNumber(head + code, draw(free_sequences), draw(years), "recommended", level)


valid_numbers = coded_numbers() | local_numbers() | free_numbers()


@given(valid_numbers)
@example(StandardNumber("DB", "15", 2009, "mandatory", "industry"))
@example(StandardNumber("DB45", "1234", None, "mandatory", "local"))
@example(StandardNumber("T/XCFW", "TG04-011.7", None, "recommended", "group"))
def test_the_canonical_form_is_a_fixed_point(number):
    parsed = parse_standard_number(number.canonical)
    assert parsed == number
    assert parsed.canonical == number.canonical
    assert normalise(parsed.canonical) == parsed.canonical


_DASH_VARIANTS = ["-", "—", "–", "－", "‐", "―", "−", "﹣", "——", "--", "一"]


def _full_width(c: str) -> str:
    if c == " ":
        return "\u3000"
    if "!" <= c <= "~":
        return chr(ord(c) + 0xFEE0)
    return c


@given(valid_numbers, st.data())
def test_spacing_width_dashes_and_case_do_not_change_the_canonical_form(number, data):
    text = number.canonical
    if number.year is not None and 1950 <= number.year <= 2049 and data.draw(st.booleans()):
        text = text[:-4] + text[-2:]  # 2009 → 09
    space = st.sampled_from(["", " ", "  "])
    out = []
    for c in text:
        if c == "-":
            c = data.draw(space) + data.draw(st.sampled_from(_DASH_VARIANTS)) + data.draw(space)
        elif c in "/.":
            c = data.draw(space) + c + data.draw(space)
        elif c == " ":
            # The space before the sequence may go when a digit follows; a letter after a group or
            # enterprise code needs it, and so does the seismology code DB ("DB15" is a local code).
            may_go = number.sequence[0].isdigit() and number.prefix != "DB"
            c = data.draw(space if may_go else st.sampled_from([" ", "  ", "\t"]))
        out.append(c)
    text = "".join(out)
    text = "".join(
        data.draw(st.sampled_from([c, c.lower(), _full_width(c), _full_width(c.lower())])) for c in text
    )
    text = data.draw(space) + text + data.draw(space)
    assert normalise(text) == number.canonical


@given(st.text(max_size=60))
def test_random_text_raises_nothing_but_value_error(text):
    try:
        number = parse_standard_number(text)
    except ValueError:
        assert not looks_like_standard_number(text)
    else:
        assert normalise(number.canonical) == number.canonical


@given(st.text(alphabet="GBTQDZJFNYSH/T.-—－ 0123456789４５ｔ一", max_size=30))
def test_number_like_noise_raises_nothing_but_value_error(text):
    try:
        number = parse_standard_number(text)
    except ValueError:
        assert not looks_like_standard_number(text)
    else:
        assert parse_standard_number(number.canonical) == number


@given(valid_numbers)
def test_code_without_year_is_the_canonical_form_minus_the_year(number):
    assume(number.year is not None)
    assert number.canonical == f"{number.code_without_year}-{number.year}"
    assert parse_standard_number(number.code_without_year).year is None


# --- real-world decorations around a number --------------------------------------------------------------

_GRADES = ["B类", "A类", "（一级）", "(一级)", " 优等品", " 合格品", " C 类"]
_LEADS = ["", "执行标准：", "产品标准号:", "符合", "符合 "]
_TITLES = ["", "《纺织品 甲醛的测定》", " 食品安全国家标准 示例", "（示例标题）"]


@given(valid_numbers, st.sampled_from(_LEADS), st.sampled_from(_GRADES + [""]), st.sampled_from(_TITLES))
def test_lead_words_grades_and_titles_are_set_aside(number, lead, grade, title):
    typed = f"{lead}{number.canonical}{title if not grade else ''}{grade}"
    parsed = parse_standard_number(typed)
    assert parsed == number
    assert parsed.canonical == number.canonical
    assert parsed.grade == "".join(grade.strip(" （）()").split())


@pytest.mark.parametrize(
    "typed, canonical, grade",
    [
        ("DBS45/ 034-2021", "DBS45/ 034-2021", ""),
        ("DBS45/034—2021", "DBS45/ 034-2021", ""),
        ("dbs 45/034-21", "DBS45/ 034-2021", ""),
        ("DBJ50/T-163-2021", "DBJ50/T-163-2021", ""),
        ("DBJ 15-101-2014", "DBJ15-101-2014", ""),
        ("《食品安全地方标准 螺蛳粉》DBS45/ 034-2021", "DBS45/ 034-2021", ""),
        ("GB 18401-2010 B类", "GB 18401-2010", "B类"),
        ("GB/T 20886-2007（一级）", "GB/T 20886-2007", "一级"),
        ("Q/ABC0001S", "Q/ABC 0001S", ""),
        ("Q/ABC0001S 2020", "Q/ABC 0001S-2020", ""),
        ("GB/T 2912.1-2009 idt ISO 14184-1:1998", "GB/T 2912.1-2009", ""),
        ("G B / T  2912.1—09", "GB/T 2912.1-2009", ""),
        ("GB T 4789.11 2003", "GB/T 4789.11-2003", ""),
        ("GB-30871-2014", "GB 30871-2014", ""),
        ("GB 2763-20xx", "GB 2763", ""),
    ],
)
def test_real_world_forms(typed, canonical, grade):
    parsed = parse_standard_number(typed)
    assert (parsed.canonical, parsed.grade) == (canonical, grade)


def test_year_placeholder_and_title_are_noted():
    assert "年代号未填写" in parse_standard_number("GB 2763-20XX").note
    assert parse_standard_number("GB 2760-2014《食品安全国家标准 食品添加剂使用标准》").note.startswith("《")
    assert parse_standard_number("DBS45/ 034-2021").level == "local"
    assert parse_standard_number("DBS45/ 034-2021").nature == "mandatory"
    assert parse_standard_number("GB 18401-2010 B类").display == "GB 18401-2010 B类"


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("GB 4789.1~4789.40", "范围"),
        ("GB/T 2910.1-2910.24", "范围"),
        ("GB 4943.1-2022 GB 2099.7-2024", "多个"),
        ("GB 2760、GB 2762", "多个"),
        ("RB/T 2142017", "连在一起"),
        ("GB/ 4754-2011", "应接 T"),
        ("GBrr23344-2009", "无法识别的标准代号"),
    ],
)
def test_ranges_several_numbers_and_damage_are_refused(typed, reason):
    with pytest.raises(ValueError, match=reason):
        parse_standard_number(typed)
