"""Reading the State Council's yearly holiday notice (issue 16 item 9): real notices for 2024–2026 agree with
chinese_calendar; generated notices round-trip (Hypothesis); any text gives a schedule or a NoticeError."""

import datetime
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqihub.core.holiday_notice import NoticeError, parse_holiday_notice

DATA = Path(__file__).parent / "data" / "holiday_notices"
WEEKDAY = "一二三四五六日"
NUMERALS = "一二三四五六七八九十"


def _package(year: int) -> tuple[set, set]:
    """chinese_calendar's holidays that fall on weekdays or are festival days, and its make-up workdays."""
    holidays, workdays = set(), set()
    day = datetime.date(year, 1, 1)
    while day.year == year:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        if is_holiday and name:
            holidays.add(day)
        if not is_holiday and day.weekday() >= 5:
            workdays.add(day)
        day += datetime.timedelta(days=1)
    return holidays, workdays


@pytest.mark.parametrize(
    "name,year",
    [
        ("2023.txt", 2023),
        ("2024.txt", 2024),
        ("2025.txt", 2025),
        ("2026_traditional.txt", 2026),
        ("2026_one_line.txt", 2026),
    ],
)
def test_real_notices_agree_with_chinese_calendar(name, year):
    schedule = parse_holiday_notice((DATA / name).read_text(encoding="utf-8"))
    assert schedule.year == year and schedule.problems == []
    holidays, workdays = _package(year)
    # A date of the year before (2023's 元旦 starts on 2022-12-31) agrees with the package too.
    for entry in schedule.entries:
        if entry.date.year != year:
            assert chinese_calendar.is_workday(entry.date) == entry.is_working_day
    schedule.entries = [e for e in schedule.entries if e.date.year == year]
    assert set(schedule.workdays) == workdays
    # The notice lists whole holiday periods incl. the weekend days inside them; the package names the same days
    # (weekends merely adjacent to a holiday, "与周末连休", are not listed by either).
    # (The package's end of December may hold the weekend before next year's 元旦, which the next notice names.)
    last = max(schedule.holidays)
    assert set(schedule.holidays) == {d for d in holidays if d <= last}


def test_2025_details():
    schedule = parse_holiday_notice((DATA / "2025.txt").read_text(encoding="utf-8"))
    by_date = {e.date: e for e in schedule.entries}
    assert by_date[datetime.date(2025, 1, 1)].name == "元旦"
    assert by_date[datetime.date(2025, 10, 8)].name == "国庆节、中秋节"
    assert by_date[datetime.date(2025, 1, 26)].is_working_day
    # "鼓励……休息" and the principles paragraph are not holidays.
    assert datetime.date(2025, 1, 27) not in by_date


def test_wrong_weekday_or_total_is_a_problem_not_a_guess():
    text = "关于2027年部分节假日安排的通知\n一、元旦：1月1日（周三）至3日放假调休，共4天。"
    schedule = parse_holiday_notice(text)
    assert any("不是“周三”" in p for p in schedule.problems)  # 2027-01-01 is a Friday
    assert any("共4天" in p for p in schedule.problems)


def test_year_given_and_text_disagree():
    schedule = parse_holiday_notice((DATA / "2025.txt").read_text(encoding="utf-8"), year=2026)
    assert any("2025" in p for p in schedule.problems)


@pytest.mark.parametrize(
    "text,why",
    [
        ("", "请粘贴"),
        ("一、元旦：1月1日放假。", "年份"),
        ("关于2027年部分节假日安排的通知。祝大家节日快乐。", "未能读出"),
        ("x" * 30_000, "不应超过"),
    ],
)
def test_what_is_not_a_notice_is_refused_with_the_reason(text, why):
    with pytest.raises(NoticeError, match=why):
        parse_holiday_notice(text)


# --- property tests ---------------------------------------------------------------------------------------

FESTIVALS = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


@st.composite
def schedules(draw):
    year = draw(st.integers(2027, 2099))
    starts = sorted(draw(st.sets(st.integers(0, 358), min_size=1, max_size=7)))
    periods = []
    last_end = -2
    for s in starts:
        if s <= last_end + 1:
            continue
        length = draw(st.integers(1, 9))
        end = min(s + length - 1, 364)
        periods.append((FESTIVALS[len(periods) % len(FESTIVALS)], s, end))
        last_end = end
    jan1 = datetime.date(year, 1, 1)
    holiday_days = {jan1 + datetime.timedelta(days=d) for _n, s, e in periods for d in range(s, e + 1)}
    makeups = []
    for _name, s, e in periods:
        candidates = [
            jan1 + datetime.timedelta(days=d)
            for d in range(max(0, s - 10), min(364, e + 10))
            if (jan1 + datetime.timedelta(days=d)) not in holiday_days
        ]
        makeups.append(sorted(draw(st.sets(st.sampled_from(candidates), max_size=2))) if candidates else [])
    style = draw(
        st.fixed_dictionaries(
            {
                "weekday": st.sampled_from(["", "周", "星期"]),
                "fullwidth": st.booleans(),
                "one_line": st.booleans(),
                "traditional": st.booleans(),
                "title": st.booleans(),
            }
        )
    )
    return (
        year,
        [(n, jan1 + datetime.timedelta(days=s), jan1 + datetime.timedelta(days=e)) for n, s, e in periods],
        makeups,
        style,
    )


def _date(d: datetime.date, style, month=True) -> str:
    text = f"{d.month}月{d.day}日" if month else f"{d.day}日"
    if style["weekday"]:
        text += f"（{style['weekday']}{WEEKDAY[d.weekday()]}）"
    return text


def render(year, periods, makeups, style) -> str:
    lines = [
        f"国务院办公厅关于{year}年部分节假日安排的通知"
        if style["title"]
        else f"现将{year}年放假调休日期的具体安排通知如下。"
    ]
    for i, ((name, first, last), extra) in enumerate(zip(periods, makeups, strict=True)):
        if first == last:
            span = f"{_date(first, style)}放假，与周末连休。"
        else:
            same = first.month == last.month
            span = f"{_date(first, style)}至{_date(last, style, month=not same)}放假调休，共{(last - first).days + 1}天。"
        work = "、".join(_date(d, style) for d in extra)
        lines.append(f"{NUMERALS[i]}、{name}：{span}{work + '上班。' if work else ''}")
    text = ("" if style["one_line"] else "\n").join(lines)
    if not style["fullwidth"]:
        text = text.translate(str.maketrans({"（": "(", "）": ")", "：": ":", "，": ","}))
    if style["traditional"]:
        text = text.translate(
            str.maketrans(
                {
                    "调": "調",
                    "节": "節",
                    "劳": "勞",
                    "动": "動",
                    "国": "國",
                    "庆": "慶",
                    "与": "與",
                    "连": "連",
                }
            )
        )
    return text


@settings(max_examples=150)
@given(schedules())
def test_generated_notices_round_trip(case):
    year, periods, makeups, style = case
    schedule = parse_holiday_notice(render(year, periods, makeups, style))
    assert schedule.year == year
    assert schedule.problems == []
    expected_holidays = {
        first + datetime.timedelta(days=i)
        for _n, first, last in periods
        for i in range((last - first).days + 1)
    }
    assert set(schedule.holidays) == expected_holidays
    assert set(schedule.workdays) == {d for extra in makeups for d in extra}
    assert all(e.date.year == year for e in schedule.entries)


@settings(max_examples=300)
@given(st.text(max_size=400), st.one_of(st.none(), st.integers(1800, 2300)))
def test_any_text_gives_a_schedule_or_a_notice_error(text, year):
    try:
        schedule = parse_holiday_notice(text, year=year)
    except NoticeError as exc:
        assert str(exc)
    else:
        assert schedule.entries


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            [
                "一、",
                "元旦：",
                "1月",
                "31日",
                "2月30日",
                "至",
                "放假",
                "上班",
                "（周三）",
                "共3天",
                "。",
                "2027年",
                "关于",
                "\n",
                "、",
                "13月1日",
            ]
        ),
        max_size=40,
    )
)
def test_notice_like_fragments_never_crash(parts):
    try:
        schedule = parse_holiday_notice("关于2027年部分节假日安排的通知\n" + "".join(parts))
    except NoticeError:
        return
    assert all(isinstance(e.date, datetime.date) for e in schedule.entries)
