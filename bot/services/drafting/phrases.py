"""Date phrases of notices: runs of deadlines (2023年9月15日前、11月15日前，2024年3月15日前) and
recurrences (每月2日前, 每季度末月25日前, 每半年结束后15日内, 每周五, 每年1月15日前).

Each date is read by the project's own engine (`schedules.parse_when`), the year carried from the
previous date of the run as a reader would (11月15日前 after 2023年9月15日前 is in 2023).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from schedules import parse_when
from schedules.numerals import arabise

_DATE = r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"
_BY = r"(?:之前|以前|前)"
_DEADLINE = re.compile(_DATE + _BY)
_JOIN = re.compile(r"^[、,，和及与]?$")
_TZ = ZoneInfo("Asia/Shanghai")
VERBS = r"(?:报送|上报|报告|发送|提交|报)"
_WEEKDAYS = {"1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat", "7": "sun", "日": "sun", "天": "sun"}


@dataclass(frozen=True, slots=True)
class DateRun:
    """Deadlines written one after another, and where the run ends in the text it was found in."""

    days: list[date]
    start: int
    end: int


def resolve(year: int, month: int, day: int) -> date | None:
    """A written date through the date-phrase engine; None if it is no date (2月30日)."""
    when = parse_when(f"{year}年{month}月{day}日前", now=datetime(year, 1, 1, tzinfo=_TZ), tz=_TZ)
    return when.day if when is not None else None


def deadline_runs(key: str, year: int) -> list[DateRun]:
    """Runs of "…日前" deadlines in a clause; a date without a year takes the previous one's, else `year`."""
    runs: list[DateRun] = []
    current: list[date] = []
    start = end = 0
    for m in _DEADLINE.finditer(key):
        if current and not _JOIN.match(key[end : m.start()]):
            runs.append(DateRun(current, start, end))
            current = []
        if not current:
            start = m.start()
        year = int(m["y"]) if m["y"] else (current[-1].year if current else year)
        day = resolve(year, int(m["m"]), int(m["d"]))
        if day is not None:
            current.append(day)
        end = m.end()
    if current:
        runs.append(DateRun(current, start, end))
    return runs


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A recurrence phrase: its kind and what it fixes; `text` is the phrase as matched."""

    kind: str  # weekly | monthly | quarterly | half_yearly | yearly | stage
    text: str
    start: int
    end: int
    day: int | None = None
    days_after: int | None = None
    working_days: bool = False  # 结束后10个工作日内: counted here in calendar days
    month: int | None = None
    weekday: str | None = None
    last_month_day: int | None = None  # 每季度末月25日前: day of the quarter's last month
    at: time | None = None


_KIND = {"周": "weekly", "月": "monthly", "季度": "quarterly", "季": "quarterly", "半年": "half_yearly", "年": "yearly",
         "年度": "yearly", "个工作阶段": "stage", "个阶段": "stage"}
_RECURRENCE = re.compile(
    r"每(?P<f>个工作阶段|个阶段|季度|季|半年|年度|年|月|周)"
    r"(?:(?P<wd>[1-7日天])(?:(?![\d月日号])|(?=\s*\d{1,2}(?::\d{2}|时|点)))"  # 每周5, 每周5 17:00前
    rf"|(?:结束后|后)(?P<after>\d{{1,3}})(?:日|天|(?P<wk>个工作日))(?:内|之内|以内)"
    rf"|末月(?P<lm>\d{{1,2}})[日号]{_BY}"
    rf"|(?P<ym>\d{{1,2}})月(?P<yd>\d{{1,2}})[日号]{_BY}"
    rf"|(?:首月|第1个月|次月)?(?P<d>\d{{1,2}})[日号]{_BY}"
    r"|(?P<end>末|底))?"
    r"(?P<time>\s*(?:下午|上午)?\d{1,2}(?:时|点|:\d{2})(?:\d{1,2}分)?(?:之前|以前|前))?"
)


def recurrences(key: str) -> list[Recurrence]:
    """The recurrences of a clause (already arabised: 每周5, 每月2日前), in order."""
    out: list[Recurrence] = []
    for m in _RECURRENCE.finditer(key):
        kind = _KIND[m["f"]]
        if m["f"] == "年" and key[m.end() : m.end() + 1] in ("半",):
            continue
        at = None
        if m["time"]:
            when = parse_when("2024年1月1日" + m["time"].strip(), now=datetime(2024, 1, 1, tzinfo=_TZ), tz=_TZ)
            at = when.moment.timetz().replace(tzinfo=None) if when is not None and when.moment is not None else None
        days_after = int(m["after"]) if m["after"] else (0 if m["end"] else None)
        if kind == "weekly":
            out.append(Recurrence(kind, m[0], m.start(), m.end(), weekday=_WEEKDAYS.get(m["wd"] or ""), at=at))
        elif kind == "monthly":
            day = int(m["d"]) if m["d"] else (31 if m["end"] else None)  # 每月底: the last day, clamped
            out.append(Recurrence(kind, m[0], m.start(), m.end(), day=day, at=at))
        elif kind == "yearly" and m["ym"]:
            out.append(Recurrence(kind, m[0], m.start(), m.end(), month=int(m["ym"]), day=int(m["yd"]), at=at))
        else:
            out.append(Recurrence(kind, m[0], m.start(), m.end(), day=int(m["d"]) if m["d"] else None, days_after=days_after,
                                  working_days=bool(m["wk"]), last_month_day=int(m["lm"]) if m["lm"] else None, at=at))
    return out


_NUMERAL = re.compile(r"(?<=周|月|于|少|低|报|送|前|后|每)[零〇一二两三四五六七八九十]+(?=[日号个场次篇件份月天]|$|[^\u3400-\u9fff])"
                      r"|[零〇○一二三四五六七八九十]+(?=[年月日号])|(?<=周)[一二三四五六日天]")


def matching_key(text: str) -> str:
    """The clause as the recurrence rules read it: numerals of dates and counts made Arabic (每周五 → 每周5,
    不少于一个 → 不少于1个), other words left alone (两品一械)."""
    return _NUMERAL.sub(lambda m: arabise(m[0]) if m[0] not in "日天" else m[0], text)
