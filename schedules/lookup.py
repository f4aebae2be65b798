"""Which period of a report type a person means: 本月, 上月, 2023年9月, 三季度, 上半年, 第二阶段, 第33周 …

A phrase names a *covered* period (本月 is this month's item, due next month under
"每月2日前报送上月"). A month, quarter or half without a year is the one of that name nearest to
`now` (the past wins a tie). A date phrase (9月15日, 昨天) picks the period that contains the
date. Only periods inside the campaign are found; a phrase of another kind of period than the
report type's (三季度 for a monthly report) is None.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from schedules.calendar import ChinaCalendar
from schedules.numerals import arabise, normalise_width
from schedules.periods import ANY_PERIOD, DueDate, add_months, periods_of
from schedules.phrases import parse_when
from schedules.rules import ReportTiming

_REL = {"本": 0, "这": 0, "这个": 0, "当": 0, "今": 0, "上": -1, "上个": -1, "前": -1, "去": -1, "下": 1, "下个": 1, "明": 1}
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _nearest(candidates: list[str], by_key: dict[str, DueDate], today: date) -> DueDate | None:
    """The item among `candidates` keys whose period is nearest to today (past wins a tie)."""
    found = [by_key[k] for k in candidates if k in by_key]
    if not found:
        return None

    def distance(item: DueDate) -> tuple[int, int]:
        assert item.first_day is not None and item.last_day is not None
        if item.first_day <= today <= item.last_day:
            return 0, 0
        if item.last_day < today:
            return (today - item.last_day).days, 0
        return (item.first_day - today).days, 1

    return min(found, key=distance)


def _keys(s: str, today: date) -> list[str] | None:
    """The period keys a normalised phrase may mean, or None if it names no period."""
    y, mo = today.year, today.month
    q = (mo - 1) // 3 + 1
    year_m = re.match(r"^(?:(?P<y>\d{4})年?|(?P<ry>今|去|明|本|上|下)年度?)?", s)
    year = int(year_m["y"]) if year_m and year_m["y"] else (y + _REL[year_m["ry"]] if year_m and year_m["ry"] else None)
    rest = s[year_m.end():] if year_m else s
    years = [year] if year else [y - 1, y, y + 1]
    if m := re.fullmatch(r"(本|这个|这|当|上个|上|下个|下)月(份)?", s):
        yy, mm = add_months(y, mo, _REL[m[1]])
        return [f"{yy:04d}-{mm:02d}"]
    if m := re.fullmatch(r"(\d{1,2})月份?", rest):
        return [f"{yy:04d}-{int(m[1]):02d}" for yy in years] if 1 <= int(m[1]) <= 12 else []
    if m := re.fullmatch(r"(本|这个|这|上个|上|下个|下)季度?", s):
        n = q + _REL[m[1]]
        yy, n = y + (n - 1) // 4, (n - 1) % 4 + 1
        return [f"{yy}-Q{n}"]
    if m := re.fullmatch(r"(?:第)?([1-4])季度?|q([1-4])", rest):
        n = int(m[1] or m[2])
        return [f"{yy}-Q{n}" for yy in years]
    if m := re.fullmatch(r"(上|下)半年度?|h([12])", rest):
        n = 1 if m[1] == "上" or m[2] == "1" else 2
        return [f"{yy}-H{n}" for yy in years]
    if m := re.fullmatch(r"(本|这|上|下)(?:个)?(?:周|星期|礼拜)", s):
        wk = date.fromordinal(today.toordinal() + 7 * _REL[m[1]]).isocalendar()
        return [f"{wk[0]}-W{wk[1]:02d}"]
    if m := re.fullmatch(r"第(\d{1,2})周|w(\d{1,2})", rest):
        n = int(m[1] or m[2])
        return [f"{yy}-W{n:02d}" for yy in years]
    if year is not None and rest in ("", "度", "全年"):
        return [f"{year}"]
    return None


def _normalised(raw: str) -> str:
    s = re.sub(r"^(this|last|next) (month|quarter|week)$", lambda m: {"this": "本", "last": "上", "next": "下"}[m[1]] + {"month": "月", "quarter": "季度", "week": "周"}[m[2]], raw.lower())
    return re.sub(r"\s+", "", arabise(s)).removesuffix("的")


def _span(key: str) -> tuple[date, date] | None:
    """The days of a quarter, half-year or year key (2023-Q3, 2023-H1, 2023); None for other keys."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", key):
        y, q = int(m[1]), int(m[2])
        last_y, last_m = add_months(y, 3 * q, 1)
        return date(y, 3 * q - 2, 1), date.fromordinal(date(last_y, last_m, 1).toordinal() - 1)
    if m := re.fullmatch(r"(\d{4})-H([12])", key):
        y, h = int(m[1]), int(m[2])
        return (date(y, 1, 1), date(y, 6, 30)) if h == 1 else (date(y, 7, 1), date(y, 12, 31))
    if re.fullmatch(r"\d{4}", key):
        return date(int(key), 1, 1), date(int(key), 12, 31)
    return None


def periods_for_phrase(
    text: str,
    report: ReportTiming,
    *,
    now: datetime,
    tz: ZoneInfo,
    start: date,
    end: date,
    calendar: ChinaCalendar,
) -> list[DueDate]:
    """Every period of `report` a phrase covers: the one it names (`period_for_phrase`), or, when it
    names a longer span than the report's periods (三季度, 上半年, 2023年 of a monthly report),
    all the report's periods within that span (the span nearest today, as for one period)."""
    one = period_for_phrase(text, report, now=now, tz=tz, start=start, end=end, calendar=calendar)
    if one is not None:
        return [one]
    raw = normalise_width(text).strip()
    if not raw:
        return []
    today = now.astimezone(tz).date()
    items = [i for i in periods_of(report, tz=tz, start=start, end=end, calendar=calendar) if i.first_day and i.last_day]
    found: list[tuple[tuple[int, int], list[DueDate]]] = []
    for key in _keys(_normalised(raw), today) or []:
        span = _span(key)
        if span is None:
            continue
        within = [i for i in items if i.first_day is not None and i.last_day is not None and span[0] <= i.first_day <= i.last_day <= span[1]]
        if within:  # the one containing today, else the latest past one (a coordinator asks about what is due), else the next
            rank = (0, 0) if span[0] <= today <= span[1] else (1, (today - span[1]).days) if span[1] < today else (2, (span[0] - today).days)
            found.append((rank, within))
    return min(found, key=lambda f: f[0])[1] if found else []


def names_a_period(text: str, *, now: datetime, tz: ZoneInfo) -> bool:
    """Whether a phrase names a period or a day at all (上月, 9月, 三季度, 第二阶段, 2023-09-15), whatever the reports."""
    raw = normalise_width(text).strip()
    if not raw:
        return False
    s = _normalised(raw)
    if re.fullmatch(r"(?:第(\d{1,2})阶段|stage(\d{1,2}))", s):
        return True
    en = re.fullmatch(r"([a-z]{3})[a-z]*\.?(\d{4})?", s)
    if en and en[1] in _EN_MONTHS:
        return True
    return bool(_keys(s, now.astimezone(tz).date())) or parse_when(raw, now=now, tz=tz) is not None


def period_for_phrase(
    text: str,
    report: ReportTiming,
    *,
    now: datetime,
    tz: ZoneInfo,
    start: date,
    end: date,
    calendar: ChinaCalendar,
) -> DueDate | None:
    """The period of `report` a phrase names (本月, 2023年9月, 三季度, 上半年, 第二阶段, a date), or None."""
    items = periods_of(report, tz=tz, start=start, end=end, calendar=calendar)
    raw = normalise_width(text).strip()
    if not raw or not items:
        return None
    today = now.astimezone(tz).date()
    s = _normalised(raw)
    if items[0].period_key == ANY_PERIOD:
        return items[0] if _keys(s, today) is not None or parse_when(raw, now=now, tz=tz) else None
    by_key = {i.period_key: i for i in items}
    for i in items:  # a label as configured: 第二阶段, Stage 2, 最终总结
        if s in (re.sub(r"\s+", "", arabise(i.label.lower())), re.sub(r"\s+", "", i.label_en.lower())):
            return i
    if m := re.fullmatch(r"(?:第(\d{1,2})阶段|stage(\d{1,2}))", s):
        n = int(m[1] or m[2])
        fixed = [i for i in items if i.period_key != "once"]
        return fixed[n - 1] if 1 <= n <= len(fixed) and report.schedule.kind == "fixed" else None
    en = re.fullmatch(r"([a-z]{3})[a-z]*\.?(\d{4})?", s)
    if en and en[1] in _EN_MONTHS:
        s = f"{en[2] + '年' if en[2] else ''}{_EN_MONTHS.index(en[1]) + 1}月"
    keys = _keys(s, today)
    if keys is not None:
        return _nearest(keys, by_key, today)
    when = parse_when(raw, now=now, tz=tz)
    if when is None:
        return None
    days = [when.day]
    if when.day > today and not re.search(r"\d{4}|年", s):  # 10月15日 said in November: usually the past one
        try:
            days.append(when.day.replace(year=when.day.year - 1))
        except ValueError:
            pass  # 2月29日
    found = [i for d in days for i in items if i.contains(d)]
    return _nearest([i.period_key for i in found], by_key, today) if found else None
