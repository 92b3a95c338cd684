"""Reading the State Council's yearly holiday notice (国务院办公厅关于××××年部分节假日安排的通知).

``chinese_calendar`` only knows the years its release bundles; for the next year an admin pastes the notice
and the platform turns it into ``WorkdayOverride`` rows (holidays and 调休 make-up working days) after the admin
confirms the preview. This module is pure: text in, a ``NoticeSchedule`` out.

The notice is written the same way every year, one numbered section per festival::

    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
    五、端午节：6月10日放假，与周末连休。

- the year comes from the title or the first sentence ("现将2025年元旦、春节……"), or is given;
- in each section, a sentence with 放假 names the holiday (one day or a range "A至B", the second date may
  omit the month), a sentence ending in 上班 lists make-up working days; other sentences (鼓励……休息) are
  ignored;
- a date may carry its own year ("2011年12月31日"), otherwise it is in the notice's year;
- cross-checks: a range must have the "共N天" the sentence states, and a weekday written after a date
  ("周三", "星期日") must be that date's weekday. A failed check is a ``problem`` shown to the admin, who then
  does not confirm; nothing is guessed.

Traditional characters (國務院辦公廳, 調休, 勞動節) and full- or half-width punctuation are read alike.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

#: Upper bound on the pasted text (a notice is about 1,000 characters).
MAX_CHARS = 20_000

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_NUMERALS = "一二三四五六七八九十"
_TRAD = str.maketrans(
    {
        "調": "调",
        "節": "节",
        "勞": "劳",
        "動": "动",
        "國": "国",
        "慶": "庆",
        "與": "与",
        "連": "连",
        "週": "周",
        "務": "务",
        "辦": "办",
        "廳": "厅",
        "關": "关",
        "於": "于",
        "農": "农",
        "曆": "历",
        "歷": "历",
        "臘": "腊",
        "號": "号",
        "＊": "*",
    }
)
_WIDTH = str.maketrans(
    {"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "、": "、", "～": "至", "~": "至"}
)

_YEAR_IN_TITLE = re.compile(r"(?:关于|现将|将)\s*(\d{4})\s*年")
#: A section header: "二、春节：", "六、国庆节、中秋节：" — anywhere (a pasted notice may be one line); the name is
#: Chinese characters and 、 only, so "正月初七、周二）" inside a section is not a header.
_SECTION = re.compile(r"([一二三四五六七八九十]{1,3})\s*[、.．]\s*([\u4e00-\u9fff、]{1,15}?)\s*:")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日"
    r"(?:\s*\((?P<paren>[^)]{0,40})\))?"
)
_WEEKDAY_IN_PAREN = re.compile(r"(?:周|星期)([一二三四五六日天])")
_TOTAL = re.compile(r"共\s*(\d{1,2})\s*天")


class NoticeError(ValueError):
    """The text is not a holiday notice this reader understands (the message says why, in Chinese)."""


@dataclass(frozen=True)
class NoticeEntry:
    date: datetime.date
    is_working_day: bool
    name: str


@dataclass
class NoticeSchedule:
    year: int
    entries: list[NoticeEntry] = field(default_factory=list)
    #: Cross-check failures, each a sentence for the admin; a schedule with problems is not to be confirmed.
    problems: list[str] = field(default_factory=list)

    @property
    def holidays(self) -> list[datetime.date]:
        return [e.date for e in self.entries if not e.is_working_day]

    @property
    def workdays(self) -> list[datetime.date]:
        return [e.date for e in self.entries if e.is_working_day]

    def as_overrides(self) -> dict[datetime.date, bool]:
        return {e.date: e.is_working_day for e in self.entries}


def _normalise(text: str) -> str:
    text = text.translate(_TRAD).translate(_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    return text


def notice_year(text: str) -> int | None:
    """The year the notice is about, from its title or first sentence."""
    match = _YEAR_IN_TITLE.search(_normalise(text or ""))
    return int(match.group(1)) if match else None


def _dates(sentence: str, year: int, month: int | None, problems: list[str], name: str):
    """The dates written in ``sentence`` (a date without month takes the previous one's)."""
    out = []
    for m in _DATE.finditer(sentence):
        y = int(m.group("y")) if m.group("y") else year
        mo = int(m.group("m")) if m.group("m") else month
        if mo is None:
            problems.append(f"{name}：日期“{m.group(0)}”缺少月份。")
            continue
        try:
            day = datetime.date(y, mo, int(m.group("d")))
        except ValueError:
            problems.append(f"{name}：日期“{m.group(0)}”不存在。")
            continue
        month = mo
        weekday = _WEEKDAY_IN_PAREN.search(m.group("paren") or "")
        if weekday and _WEEKDAYS[weekday.group(1)] != day.weekday():
            problems.append(f"{name}：{day:%Y-%m-%d} 不是“{weekday.group(0)}”（请核对年份与日期）。")
        out.append((m, day))
    return out, month


def parse_holiday_notice(text: str, year: int | None = None) -> NoticeSchedule:
    """The holidays and make-up working days of the notice ``text``. ``year``: the notice's year when the
    pasted text lacks the title (else read from it; both given and different → a problem).

    Raises ``NoticeError`` when the text is empty, too long, has no year, or has no festival section."""
    if not isinstance(text, str) or not text.strip():
        raise NoticeError("请粘贴国务院办公厅节假日安排通知的全文。")
    if len(text) > MAX_CHARS:
        raise NoticeError(f"通知全文不应超过 {MAX_CHARS} 个字符。")
    norm = _normalise(text)
    found = notice_year(norm)
    problems: list[str] = []
    if year is None:
        year = found
    elif found is not None and found != year:
        problems.append(f"通知写的是 {found} 年，与所选的 {year} 年不一致。")
    if year is None:
        raise NoticeError(
            "未能从通知中读出年份（如“关于2027年部分节假日安排的通知”），请一并粘贴标题或第一段。"
        )
    if not 1949 < year < 2200:
        raise NoticeError(f"年份 {year} 不合理。")
    schedule = NoticeSchedule(year=year, problems=problems)
    seen: dict[datetime.date, NoticeEntry] = {}
    sections = list(_SECTION.finditer(norm))
    for i, sec in enumerate(sections):
        name = sec.group(2)
        body = norm[sec.end() : sections[i + 1].start() if i + 1 < len(sections) else len(norm)]
        # The section ends at the first blank line or the closing paragraph (节假日期间……, 鼓励单位……).
        body = re.split(r"\n\s*\n", body)[0]
        for sentence in re.split(r"[。;\n]", body):
            sentence = sentence.strip()
            if not sentence:
                continue
            if "放假" in sentence:
                dates, _month = _dates(sentence.split("放假")[0], year, None, problems, name)
                if not dates:
                    problems.append(f"{name}：未能读出放假日期。")
                    continue
                first = dates[0][1]
                last = first
                if len(dates) >= 2 and "至" in sentence[dates[0][0].end() : dates[1][0].start() + 1]:
                    last = dates[1][1]
                if last < first or (last - first).days > 30:
                    problems.append(f"{name}：放假日期“{sentence}”的起止有误。")
                    continue
                days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
                total = _TOTAL.search(sentence)
                if total and int(total.group(1)) != len(days):
                    problems.append(
                        f"{name}：{first:%m月%d日}至{last:%m月%d日}是 {len(days)} 天，通知写“共{total.group(1)}天”。"
                    )
                for d in days:
                    _add(seen, NoticeEntry(d, False, name), problems)
            elif sentence.endswith("上班") or "上班" in sentence[-6:]:
                dates, _month = _dates(sentence, year, None, problems, name)
                if not dates:
                    problems.append(f"{name}：未能读出调休上班日期。")
                for _m, d in dates:
                    _add(seen, NoticeEntry(d, True, name), problems)
    if not sections or not seen:
        raise NoticeError("未能读出任何放假或调休安排：请粘贴通知正文（“一、元旦：……”等各条）。")
    schedule.entries = sorted(seen.values(), key=lambda e: e.date)
    return schedule


def _add(seen: dict, entry: NoticeEntry, problems: list[str]) -> None:
    other = seen.get(entry.date)
    if other is not None and other.is_working_day != entry.is_working_day:
        problems.append(f"{entry.date:%Y-%m-%d} 同时被写为放假和上班（{other.name}、{entry.name}）。")
        return
    seen.setdefault(entry.date, entry)
