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
下午 15:00, 傍晚 18:00, 晚上 20:00."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.date_rules import LENGTH, Context, date_part, Invalid
from schedules.numerals import arabise, normalise_width


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
    """(day shift, hour, minute) of a time part, or None if it names no time; raises Invalid."""
    per, h = m["per"], m["h"]
    if h is None:
        if per is None:
            return None
        if per not in _DEFAULT_HOUR:
            raise Invalid  # 凌晨 alone: no sensible default
        return 0, _DEFAULT_HOUR[per], 0
    hour = int(h)
    minute = int(m["mm"] or m["m2"] or 0) + (30 if m["half"] else 0) + (15 * int(m["q"]) if m["q"] else 0)
    ap = m["ap"] or m["ap2"]
    if minute > 59 or hour > 24 or (hour == 24 and minute) or int(m["ss"] or 0) > 59:
        raise Invalid
    if ap:
        if not 1 <= hour <= 12:
            raise Invalid
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
_AGO = re.compile(rf"{LENGTH}(?:以前|之前|前)$")


_STRIP_HEAD = re.compile(r"^(?:请于|请在|截止到|截至到|截止|截至|最晚|最迟|不晚于|不迟于|by|before|until|到|在|于)\s*")


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


_TIME_THEN_DATE = re.compile(r"[\s,]*(?:on\s+)?")


def _grammar(s: str, c: Context) -> When | None:
    """Our date-and-time grammar; None when the phrase does not fit it."""
    d, pos = date_part(s, 0, c)
    rest = re.sub(r"^[\s,的]*(?:at\s*)?", "", s[pos:])
    tm = _TIME.match(rest) if rest else None
    if d is None and tm and tm.end() and tm.end() != len(rest.rstrip()):  # the time first: 9am tomorrow
        gap = _TIME_THEN_DATE.match(rest, tm.end())
        d, pos = date_part(rest, gap.end() if gap else tm.end(), c)
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
            raise Invalid from None
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


def _by_dateparser(text: str, c: Context) -> When | None:
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
    c = Context(now=local_now, today=local_now.date(), tz=tz)
    s = _prepare(text)
    if not s:
        return None
    zh = s
    for pattern, repl in _EN:
        zh = pattern.sub(repl, zh)
    try:
        found = _grammar(zh.strip(), c)
    except Invalid:
        return None
    if found is not None or _CJK.search(zh):
        return found
    return _by_dateparser(normalise_width(text), Context(now=local_now, today=local_now.date(), tz=tz))
