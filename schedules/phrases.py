"""What people type for a date or a moment ("9月15日前", "下周五下午5点", "tomorrow 9am") → `When`.

Chinese is read by our own grammar: [date part] [time part] (or the time first: 9am tomorrow),
after spaces between Chinese characters and digits are dropped (2023 年 9 月 15 日), Chinese numerals
are made Arabic and "by" words (前、之前、截止 …) are dropped — except 前 after a length of time,
which is "ago" (3天前, 半个月前; but 3日前, 3月前, 明天前, 下周前 are "by"). dateparser reads the rest
(English, ISO).
Rules: weeks start on Monday (本周五 is this week's Friday, 下周五 next week's); a phrase without
a year or month that names a day already past prefers the future (a month-day → next year, a
day of month → next month, a weekday → next week, a time of day → tomorrow), while explicit
words (今天、本月、本周、今年) keep their period; an impossible date (2月30日, 13月5日, 25点) is
None, never a guess. A bare hour of 1–5 o'clock without 上午/凌晨 means the afternoon (3点 → 15:00);
24点/24时 is the end of that day (23:59). Period words alone mean 上午/早上 09:00, 中午 12:00,
下午 15:00, 傍晚 18:00, 晚上 20:00.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.numerals import arabise, normalise_width
from schedules.periods import add_months, clamp_day, month_last_day


@dataclass(frozen=True, slots=True)
class When:
    """A date (when the phrase names no time of day) or an aware moment (when it does)."""

    day: date
    moment: datetime | None = None

    @property
    def has_time(self) -> bool:
        """True if the phrase named a time of day (or a number of hours/minutes)."""
        return self.moment is not None

    @property
    def value(self) -> date | datetime:
        """The date, or the aware datetime."""
        return self.moment if self.moment is not None else self.day

    def __str__(self) -> str:
        """'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM' (local time of the moment)."""
        return self.moment.strftime("%Y-%m-%d %H:%M") if self.moment is not None else self.day.isoformat()


class _Invalid(Exception):
    """The phrase has a date's shape but names no real date (2月30日)."""


@dataclass
class _Ctx:
    now: datetime  # local, aware
    today: date
    tz: ZoneInfo
    offset: timedelta | None = None  # a sub-day offset (两小时后): the moment is now + offset


def _day(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise _Invalid from None


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
        raise _Invalid
    return date(y, m, _PART_DAY[part]) if part in _PART_DAY else month_last_day(y, m)


def _future_year(c: _Ctx, make: Callable[[int], date]) -> date:
    d = make(c.today.year)
    return d if d >= c.today else make(c.today.year + 1)


def _ymd(m: re.Match[str], c: _Ctx) -> date:
    return _day(_year(m["y"], c.today) or 0, int(m["m"]), int(m["d"]))


def _md(m: re.Match[str], c: _Ctx) -> date:
    month, day = int(m["m"]), int(m["d"])
    _day(2000, month, day)  # 2000 is a leap year: 2月29日 is a valid phrase
    for year in range(c.today.year, c.today.year + 9):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d >= c.today:
            return d
    raise _Invalid


def _year_month_part(m: re.Match[str], c: _Ctx) -> date:
    return _part(_year(m["y"], c.today) or 0, int(m["m"]), m["p"])


def _month_part(m: re.Match[str], c: _Ctx) -> date:
    month = int(m["m"])
    if not 1 <= month <= 12:
        raise _Invalid
    return _future_year(c, lambda y: _part(y, month, m["p"]))


def _rel_month(m: re.Match[str], c: _Ctx) -> date:
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
        raise _Invalid
    y, mo = add_months(c.today.year, c.today.month, _MONTH_REL[rel])
    return _part(y, mo, part) if part else _day(y, mo, int(day or 0))


def _year_part(m: re.Match[str], c: _Ctx) -> date:
    y = _year(m["y"], c.today)
    year = y if y is not None else c.today.year
    return {"初": date(year, 1, 1), "中": date(year, 6, 30)}.get(m["p"], date(year, 12, 31))


def _numbered_quarter_end(m: re.Match[str], c: _Ctx) -> date:
    """The end of quarter N: of the named year (2023年第四季度末), else the next one to come (一季度末)."""
    q = int(m["q"])
    if not 1 <= q <= 4:
        raise _Invalid
    year = _year(m["y"], c.today)
    if year is not None:
        return month_last_day(year, 3 * q)
    return _future_year(c, lambda y: month_last_day(y, 3 * q))


def _quarter_end(m: re.Match[str], c: _Ctx) -> date:
    q = (c.today.month - 1) // 3 + {None: 0, "本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "上": -1, "上个": -1}[m["r"]]
    y, mo = add_months(c.today.year, 1, q * 3 + 2)
    return month_last_day(y, mo)


_DAY_WORDS = {"今天": 0, "今日": 0, "今儿": 0, "当天": 0, "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3,
              "昨天": -1, "昨日": -1, "前天": -2, "大前天": -3, "今": 0, "明": 1, "昨": -1}


def _day_word(m: re.Match[str], c: _Ctx) -> date:
    return c.today + timedelta(days=_DAY_WORDS[m["w"]])


def _weekday(m: re.Match[str], c: _Ctx) -> date:
    wd = {"日": 6, "天": 6, "末": 5}.get(m["wd"]) if not m["wd"].isdigit() else int(m["wd"]) - 1
    if wd is None or not 0 <= wd <= 6:
        raise _Invalid
    monday = c.today - timedelta(days=c.today.weekday())
    if m["r"] is None:
        d = monday + timedelta(days=wd)
        return d if d >= c.today else d + timedelta(days=7)
    return monday + timedelta(days=7 * _WEEK_REL[m["r"]] + wd)


def _week(m: re.Match[str], c: _Ctx) -> date:
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
            raise _Invalid
        if u["half"] and u["half2"]:
            raise _Invalid  # 一个半天半
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


def _offset(m: re.Match[str], c: _Ctx) -> date:
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
        raise _Invalid from None  # 10000年后: beyond the calendar


_N = r"\d{1,2}"
_REL_M = r"(?P<r>下下个|下下|下个|上个|这个|本|这|当|下|上|次)"
_REL_W = r"(?P<r>上上个|上上|下下个|下下|下个|上个|这个|本|这|下|上)"
_MPART = r"(?P<p>底|末|初|上旬|中旬|下旬|中)"
_UNITS = rf"(?P<units>(?:(?:\d+(?:\.\d+)?)?个?半?个?{_UNIT_WORD}钟?(?:半(?!个?{_UNIT_WORD}))?)+)"
# a length of time ending the phrase: N.N or 半, then a unit (not 日, nor a bare 月: 3日、3月 name a day, a month)
_LENGTH = r"(?:\d+(?:\.\d+)?|半)(?:个半月|个月|个?半?(?:天|小时|钟头|分钟|秒|周|星期|礼拜|年))钟?半?"
_DATE_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], _Ctx], date]]] = [
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


_PERIOD = (r"(?P<per>上午|早上|早晨|清晨|中午|正午|午间|下午|午后|傍晚|黄昏|晚上|晚间|夜里|夜间|夜晚|凌晨|早|晨|晚|夜)")
_TIME = re.compile(
    rf"{_PERIOD}?(?:(?P<h>\d{{1,2}})(?:[:](?P<mm>\d{{2}})(?::(?P<ss>\d{{2}}))?|\s?(?P<ap>am|pm|a\.m\.|p\.m\.)|(?:点|时)(?:(?P<q>[13])刻|(?P<m2>\d{{1,2}})分?|(?P<half>半)|整|钟)?)"
    r"(?:\s*(?P<ap2>am|pm|a\.m\.|p\.m\.))?)?"
)
_DEFAULT_HOUR = {"上午": 9, "早上": 9, "早晨": 9, "清晨": 9, "早": 9, "晨": 9, "中午": 12, "正午": 12, "午间": 12,
                 "下午": 15, "午后": 15, "傍晚": 18, "黄昏": 18, "晚上": 20, "晚间": 20, "夜里": 20, "夜间": 20,
                 "夜晚": 20, "晚": 20, "夜": 20}
_EVENING = {"傍晚", "黄昏", "晚上", "晚间", "夜里", "夜间", "夜晚", "晚", "夜"}


def _clock(m: re.Match[str]) -> tuple[int, int, int] | None:
    """(day shift, hour, minute) of a time part, or None if it names no time; raises _Invalid."""
    per, h = m["per"], m["h"]
    if h is None:
        if per is None:
            return None
        if per not in _DEFAULT_HOUR:
            raise _Invalid  # 凌晨 alone: no sensible default
        return 0, _DEFAULT_HOUR[per], 0
    hour = int(h)
    minute = int(m["mm"] or m["m2"] or 0) + (30 if m["half"] else 0) + (15 * int(m["q"]) if m["q"] else 0)
    ap = m["ap"] or m["ap2"]
    if minute > 59 or hour > 24 or (hour == 24 and minute) or int(m["ss"] or 0) > 59:
        raise _Invalid
    if ap:
        if not 1 <= hour <= 12:
            raise _Invalid
        hour = hour % 12 + (12 if ap.startswith("p") else 0)
    elif per in ("下午", "午后") or (per in _EVENING and 5 <= hour < 12):
        hour += 12 if hour < 12 else 0
    elif per in ("中午", "正午", "午间") and hour < 11:
        hour += 12
    elif per in _EVENING and hour == 12:
        hour = 24  # 晚上12点: midnight at the end of that day
    elif per in _EVENING and hour < 5:
        return 1, hour, minute  # 晚上1点: the night after
    elif per in ("凌晨",) and hour == 12:
        hour = 0
    elif per is None and m["mm"] is None and 1 <= hour <= 5:
        hour += 12  # 3点: people mean the afternoon
    if hour == 24:
        return 0, 23, 59
    return 0, hour, minute


_STRIP_TAIL = re.compile(r"(?P<by>之前|以前|前|为止|止|截止|左右)?(?:报送|提交|上报|交齐|交|完成|发送|报)?[。.!！,，]*$")
# 前 after a length of time is "ago" (3天前, 两小时以前, 半个月前), kept; after anything else it is "by"
# (15日前, 3月前, 明天前, 下周前, 下个月前) and dropped.
_AGO = re.compile(rf"{_LENGTH}(?:以前|之前|前)$")
_STRIP_HEAD = re.compile(r"^(?:请于|请在|截止到|截至到|截止|截至|最晚|最迟|不晚于|不迟于|by|before|until|到|在|于)\s*")
_WEEKDAY_NOTE = re.compile(r"\s*[(]?(?:周|星期|礼拜)[1-7日天][)]?")
_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EN = [
    (re.compile(r"\b(?:(next|this|last)\s+)?(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|r|rs)?\.?(?![a-z])"),
     lambda m: {"next": "下", "this": "本", "last": "上", None: ""}[m[1]] + "周" + str([d[:3] for d in _EN_DAYS].index(m[2]) + 1)),
    (re.compile(r"\bin (\d+|an?|half an?) (year|month|week|day|hour|minute|min|second|sec)s?\b"),
     lambda m: ("半" if m[1].startswith("half") else "1" if m[1] in ("a", "an") else m[1])
     + {"year": "年", "month": "个月", "week": "周", "day": "天", "hour": "小时", "minute": "分钟", "min": "分钟", "second": "秒", "sec": "秒"}[m[2]] + "后"),
    (re.compile(r"\bend of (the )?(this )?month\b"), lambda m: "本月底"),
    (re.compile(r"\bend of next month\b"), lambda m: "下月底"),
    (re.compile(r"\bend of (the )?(this )?year\b"), lambda m: "年底"),
    (re.compile(r"\b(next|this) week\b"), lambda m: {"next": "下周", "this": "本周"}[m[1]]),
    (re.compile(r"\b(the )?day after tomorrow\b"), lambda m: "后天"),
    (re.compile(r"\btomorrow\b"), lambda m: "明天"),
    (re.compile(r"\btoday\b"), lambda m: "今天"),
    (re.compile(r"\btonight\b|\b(in the |this )?evening\b"), lambda m: "晚上"),
    (re.compile(r"\b(in the |this )?morning\b"), lambda m: "上午"),
    (re.compile(r"\b(in the |this )?afternoon\b"), lambda m: "下午"),
    (re.compile(r"\bnoon\b"), lambda m: "中午"),
]
_CJK = re.compile(r"[\u3400-\u9fff]")
_HAN = r"[\u3007\u3400-\u9fff]"  # with 〇
# spaces as notices write them (2023 年 9 月 15 日前, 明天 下午 3点): none between two Chinese characters, nor
# between a digit and a Chinese character; English words keep theirs
_CJK_SPACE = re.compile(rf"(?<={_HAN})\s+(?={_HAN}|\d)|(?<=\d)\s+(?={_HAN})")


# "within" a named day, month or year: by its end (今天之内, 本月内, 9月内, 年内, 2024年内); a length of time
# (两天内, 一个月内, 半个月内, 一个半月内, 两年内, 半年内) is an offset, kept.
_WITHIN = [
    (re.compile(r"(今天|今日|当天|明天|明日|后天)(?:之|以)?内$"), r"\1"),
    (re.compile(r"(下下个|下下|下个|上个|这个|本|这|当|下|上|次|(?<![个半]))月(?:之|以)?内$"), r"\1月底"),
    (re.compile(r"((?<!\d)\d{4}|今|本|明|(?<![\d个半]))年度?(?:之|以)?内$"), r"\1年底"),
]


def _strip_tail(s: str) -> str:
    """Drop a trailing "by" word, verb and punctuation (9月15日前报送。); 前 of "ago" (3天前) stays."""
    m = _STRIP_TAIL.search(s)
    assert m is not None  # every part is optional
    if m["by"] and m["by"].endswith("前") and _AGO.search(s, 0, m.end("by")):
        return s[: m.end("by")]
    return s[: m.start()]


def _prepare(text: str) -> str:
    s = normalise_width(text).lower()
    s = arabise(_CJK_SPACE.sub("", s))
    for pattern, repl in _WITHIN:
        s = pattern.sub(repl, s)
    for _ in range(3):
        s = _STRIP_HEAD.sub("", s).strip()
        s = _strip_tail(s).strip() if len(s) > 1 else s
    return s


def _date_part(s: str, pos: int, c: _Ctx) -> tuple[date | None, int]:
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


_TIME_THEN_DATE = re.compile(r"[\s,]*(?:on\s+)?")


def _grammar(s: str, c: _Ctx) -> When | None:
    """Our date-and-time grammar; None when the phrase does not fit it."""
    d, pos = _date_part(s, 0, c)
    rest = re.sub(r"^[\s,的]*(?:at\s*)?", "", s[pos:])
    tm = _TIME.match(rest) if rest else None
    if d is None and tm and tm.end() and tm.end() != len(rest.rstrip()):  # the time first: 9am tomorrow
        gap = _TIME_THEN_DATE.match(rest, tm.end())
        d, pos = _date_part(rest, gap.end() if gap else tm.end(), c)
        if d is None or rest[pos:].strip():
            return None
    elif rest and (not tm or tm.end() != len(rest.rstrip())):
        return None
    clock = _clock(tm) if tm else None
    if d is None and clock is None:
        return None
    if c.offset is not None:
        if clock is not None:
            return None  # 两小时后下午3点: contradictory
        try:
            moment = (c.now.astimezone(UTC) + c.offset).astimezone(c.tz)  # elapsed time, not wall-clock time
        except OverflowError:
            raise _Invalid from None
        return When(moment.date(), moment)
    if clock is None:
        assert d is not None
        return When(d)
    shift, hour, minute = clock
    day = d if d is not None else c.today
    moment = _local(day + timedelta(days=shift), time(hour, minute), c.tz)
    if d is None and moment < c.now:  # a time of day alone: the next one
        moment = _local(day + timedelta(days=shift + 1), time(hour, minute), c.tz)
    return When(moment.date(), moment)


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """An aware local moment; a time skipped by DST is normalised to after the gap."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC).astimezone(tz)


_HAS_TIME = re.compile(r"\d\s*(am|pm|a\.m\.|p\.m\.)|\d:\d\d|\bnoon\b|\bmidnight\b|o'?clock|\bhours?\b|\bhrs?\b|\bminutes?\b|\bmins?\b|\bseconds?\b|\bnow\b|\bat \d")


_DP_LANGUAGES = ["zh", "en"]


def _by_dateparser(text: str, c: _Ctx) -> When | None:
    """English and ISO phrases, read by dateparser relative to `now`."""
    import dateparser  # slow to import: only when a phrase needs it

    if re.fullmatch(r"[\d\s.:/-]*", text) and not re.search(r"\d{4}", text):
        return None  # '15', '9.5': a number, not a date
    settings = {
        "RELATIVE_BASE": c.now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": c.tz.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day"],
    }
    found = dateparser.parse(text, languages=_DP_LANGUAGES, settings=settings)
    if found is None:
        return None
    found = found.astimezone(c.tz)
    if _HAS_TIME.search(text.lower()):
        return When(found.date(), found)
    return When(found.date())


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> When | None:
    """A typed date or moment, relative to the aware `now` in zone `tz`; None if it is no date."""
    local_now = now.astimezone(tz)
    c = _Ctx(now=local_now, today=local_now.date(), tz=tz)
    s = _prepare(text)
    if not s:
        return None
    zh = s
    for pattern, repl in _EN:
        zh = pattern.sub(repl, zh)
    try:
        found = _grammar(zh.strip(), c)
    except _Invalid:
        return None
    if found is not None or _CJK.search(zh):
        return found
    return _by_dateparser(normalise_width(text), _Ctx(now=local_now, today=local_now.date(), tz=tz))
