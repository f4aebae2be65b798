"""The date part of a phrase (9月15日, 下周五, 月底, 第三季度末, 3天后): one rule per shape, tried in order.

What the rules mean (weeks start on Monday, the future preferred, impossible dates refused): the
docstring of `schedules.phrases`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from schedules.periods import add_months, clamp_day, month_last_day


class Invalid(Exception):
    """The phrase has a date's shape but names no real date (2月30日)."""


@dataclass
class Context:
    now: datetime  # local, aware
    today: date
    tz: ZoneInfo
    offset: timedelta | None = None  # a sub-day offset (两小时后): the moment is now + offset


def _day(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise Invalid from None


def _year(text: str | None, today: date) -> int | None:
    if not text:
        return None
    rel = {"今": 0, "本": 0, "明": 1, "去": -1, "后": 2, "前": -2}
    if text[0] in rel and not text[0].isdigit():
        return today.year + rel[text[0]]
    y = int(text)
    return 2000 + y if y < 100 else y


_MONTH_REL = {"本": 0, "这": 0, "这个": 0, "当": 0, "下": 1, "下个": 1, "次": 1, "下下": 2, "下下个": 2, "上": -1, "上个": -1}


_WEEK_REL = {"本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "下下": 2, "下下个": 2, "上": -1, "上个": -1, "上上": -2, "上上个": -2}


_PART_DAY = {"初": 1, "上旬": 10, "中": 15, "中旬": 20}


def _part(y: int, m: int, part: str) -> date:
    """A named part of a month: 初 1st, 上旬 10th, 月中 15th, 中旬 20th, 底/末/下旬 the last day."""
    if not 1 <= m <= 12:
        raise Invalid
    return date(y, m, _PART_DAY[part]) if part in _PART_DAY else month_last_day(y, m)


def _future_year(c: Context, make: Callable[[int], date]) -> date:
    d = make(c.today.year)
    return d if d >= c.today else make(c.today.year + 1)


def _ymd(m: re.Match[str], c: Context) -> date:
    return _day(_year(m["y"], c.today) or 0, int(m["m"]), int(m["d"]))


def _md(m: re.Match[str], c: Context) -> date:
    month, day = int(m["m"]), int(m["d"])
    _day(2000, month, day)  # 2000 is a leap year: 2月29日 is a valid phrase
    for year in range(c.today.year, c.today.year + 9):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d >= c.today:
            return d
    raise Invalid


def _year_month_part(m: re.Match[str], c: Context) -> date:
    return _part(_year(m["y"], c.today) or 0, int(m["m"]), m["p"])


def _month_part(m: re.Match[str], c: Context) -> date:
    month = int(m["m"])
    if not 1 <= month <= 12:
        raise Invalid
    return _future_year(c, lambda y: _part(y, month, m["p"]))


def _rel_month(m: re.Match[str], c: Context) -> date:
    g = m.groupdict()
    rel, part, day = g.get("r") or None, g.get("p") or None, g.get("d")
    if rel is None:  # bare 月底 / 15号: this month's, or next month's when already past
        for n in range(0, 13):
            y, mo = add_months(c.today.year, c.today.month, n)
            try:
                d = _part(y, mo, part) if part else date(y, mo, int(day or 0))
            except ValueError:
                continue
            if d >= c.today:
                return d
        raise Invalid
    y, mo = add_months(c.today.year, c.today.month, _MONTH_REL[rel])
    return _part(y, mo, part) if part else _day(y, mo, int(day or 0))


def _year_part(m: re.Match[str], c: Context) -> date:
    y = _year(m["y"], c.today)
    year = y if y is not None else c.today.year
    return {"初": date(year, 1, 1), "中": date(year, 6, 30)}.get(m["p"], date(year, 12, 31))


def _numbered_quarter_end(m: re.Match[str], c: Context) -> date:
    """The end of quarter N: of the named year (2023年第四季度末), else the next one to come (一季度末)."""
    q = int(m["q"])
    if not 1 <= q <= 4:
        raise Invalid
    year = _year(m["y"], c.today)
    if year is not None:
        return month_last_day(year, 3 * q)
    return _future_year(c, lambda y: month_last_day(y, 3 * q))


def _quarter_end(m: re.Match[str], c: Context) -> date:
    q = (c.today.month - 1) // 3 + {None: 0, "本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "上": -1, "上个": -1}[m["r"]]
    y, mo = add_months(c.today.year, 1, q * 3 + 2)
    return month_last_day(y, mo)


_DAY_WORDS = {"今天": 0, "今日": 0, "今儿": 0, "当天": 0, "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3,
              "昨天": -1, "昨日": -1, "前天": -2, "大前天": -3, "今": 0, "明": 1, "昨": -1}


def _day_word(m: re.Match[str], c: Context) -> date:
    return c.today + timedelta(days=_DAY_WORDS[m["w"]])


def _weekday(m: re.Match[str], c: Context) -> date:
    wd = {"日": 6, "天": 6, "末": 5}.get(m["wd"]) if not m["wd"].isdigit() else int(m["wd"]) - 1
    if wd is None or not 0 <= wd <= 6:
        raise Invalid
    monday = c.today - timedelta(days=c.today.weekday())
    if m["r"] is None:
        d = monday + timedelta(days=wd)
        return d if d >= c.today else d + timedelta(days=7)
    return monday + timedelta(days=7 * _WEEK_REL[m["r"]] + wd)


def _week(m: re.Match[str], c: Context) -> date:
    monday = c.today - timedelta(days=c.today.weekday()) + timedelta(days=7 * _WEEK_REL[m["r"]])
    if m["p"] in ("内", "底") or _WEEK_REL[m["r"]] == 0:
        return monday + timedelta(days=6)  # 本周(内): by its Sunday
    return monday  # 下周: its Monday


_UNIT_WORD = r"(?:年|月|周|星期|礼拜|天|日|小时|钟头|分钟|分|秒)"


# 3天, 1.5小时, 半个月, 一个半小时, 一天半 (a half after the unit unless it starts the next one: 1天半小时)
_UNIT = re.compile(rf"(?P<n>\d+(?:\.\d+)?)?(?P<ge>个)?(?P<half>半)?个?(?P<u>{_UNIT_WORD})钟?(?P<half2>半(?!个?{_UNIT_WORD}))?")


def _length(units: str) -> tuple[int, timedelta, bool]:
    """(months, the rest, whether it is finer than a day) of a length of time: 3天, 1.5小时, 一个半月, 一天半."""
    months, delta, sub_day = 0, timedelta(), False
    for u in _UNIT.finditer(units):
        if u["n"] is None and u["half"] is None:
            raise Invalid
        if u["half"] and u["half2"]:
            raise Invalid  # 一个半天半
        n = float(u["n"] or 0) + (0.5 if u["half"] or u["half2"] else 0)
        unit = u["u"]
        if unit in ("年", "月"):
            whole = n * (12 if unit == "年" else 1)
            months += int(whole)
            delta += timedelta(days=round((whole - int(whole)) * 30))  # 半个月: 15 days
        elif unit in ("周", "星期", "礼拜"):
            delta += timedelta(weeks=n)
        elif unit in ("天", "日"):
            delta += timedelta(days=n)
        else:
            delta += timedelta(seconds=n * {"小时": 3600, "钟头": 3600, "分钟": 60, "分": 60, "秒": 1}[unit])
            sub_day = True
    return months, delta, sub_day or delta % timedelta(days=1) != timedelta()  # 一天半, 1.5周: a moment


def _offset(m: re.Match[str], c: Context) -> date:
    """N units after now (三天后, 两小时后), or before it (三天前)."""
    try:
        months, delta, sub_day = _length(m["units"])
        if m.groupdict().get("ago"):
            months, delta = -months, -delta
        if sub_day:
            c.offset = delta
            return c.today
        y, mo = add_months(c.today.year, c.today.month, months)
        return clamp_day(y, mo, c.today.day) + delta
    except (ValueError, OverflowError):
        raise Invalid from None  # 10000年后: beyond the calendar


_N = r"\d{1,2}"


_REL_M = r"(?P<r>下下个|下下|下个|上个|这个|本|这|当|下|上|次)"


_REL_W = r"(?P<r>上上个|上上|下下个|下下|下个|上个|这个|本|这|下|上)"


_MPART = r"(?P<p>底|末|初|上旬|中旬|下旬|中)"


_UNITS = rf"(?P<units>(?:(?:\d+(?:\.\d+)?)?个?半?个?{_UNIT_WORD}钟?(?:半(?!个?{_UNIT_WORD}))?)+)"


# a length of time ending the phrase: N.N or 半, then a unit (not 日, nor a bare 月: 3日、3月 name a day, a month)
LENGTH = r"(?:\d+(?:\.\d+)?|半)(?:个半月|个月|个?半?(?:天|小时|钟头|分钟|秒|周|星期|礼拜|年))钟?半?"


_DATE_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], Context], date]]] = [
    (re.compile(r"(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})[日号]?"), _ymd),
    (re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"), _ymd),
    (re.compile(rf"(?P<y>\d{{2}}|今|明|去|后|前)年(?P<m>{_N})月(?P<d>{_N})[日号]?"), _ymd),
    (re.compile(rf"(?P<y>\d{{4}}|\d{{2}}|今|明|去|后|前)年(?P<m>{_N})月份?{_MPART}"), _year_month_part),
    (re.compile(rf"(?:(?P<y>\d{{4}}|今|明|去|后|前|本)年年?|年)度?{_MPART}"), _year_part),  # 年 required: 中午 is no 年中
    (re.compile(rf"(?P<m>{_N})月(?P<d>{_N})[日号]?"), _md),
    (re.compile(rf"(?P<m>{_N})[/.-](?P<d>{_N})(?![\d/.:-]|个?半?{_UNIT_WORD})"), _md),  # 9.15, not 1.5小时
    (re.compile(rf"(?P<m>{_N})月份?{_MPART}"), _month_part),
    (re.compile(rf"{_REL_M}?个?月{_MPART}"), _rel_month),
    (re.compile(rf"{_REL_M}?个?月的?(?P<d>{_N})[日号]"), _rel_month),
    (re.compile(r"(?:(?P<y>\d{4}|今|明|去|本)年度?的?)?第?(?P<q>\d)季度?[末底]"), _numbered_quarter_end),
    (re.compile(r"(?P<r>这个|本|这|下个|下|上个|上)?季度?[末底]"), _quarter_end),
    (re.compile(r"(?P<w>大后天|大前天|今天|今日|今儿|当天|明天|明日|明儿|后天|昨天|昨日|前天)"), _day_word),
    (re.compile(r"(?P<w>今|明|昨)(?=早|晨|晚|夜|上午|下午|中午)"), _day_word),
    (re.compile(rf"{_REL_W}?个?(?:周|星期|礼拜)(?P<wd>[1-7日天末])"), _weekday),
    (re.compile(rf"{_REL_W}个?(?:周|星期|礼拜)(?P<p>内|底)?(?![\d日天末])"), _week),
    (re.compile(rf"(?P<d>{_N})[日号]"), _rel_month),
    (re.compile(rf"(?:再?过)?{_UNITS}(?:以后|之后|过后|后|以内|之内|内)"), _offset),
    (re.compile(rf"{_UNITS}(?P<ago>以前|之前|前)"), _offset),  # 3天前: three days ago (kept by _STRIP_TAIL)
    (re.compile(rf"(?:再?过){_UNITS}"), _offset),
]


_WEEKDAY_NOTE = re.compile(r"\s*[(]?(?:周|星期|礼拜)[1-7日天][)]?")


def date_part(s: str, pos: int, c: Context) -> tuple[date | None, int]:
    """The date part at `pos` and where it ends, or (None, pos)."""
    for pattern, resolve in _DATE_RULES:
        m = pattern.match(s, pos)
        if m:
            end = m.end()
            if resolve in (_ymd, _md):
                note = _WEEKDAY_NOTE.match(s, end)
                end = note.end() if note else end
            return resolve(m, c), end
    return None, pos
