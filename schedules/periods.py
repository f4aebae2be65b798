"""Due items: every deadline of a report type within a campaign, with the period it covers.

Campaign bounds, precisely: an item is included when its *nominal* due date (before the
holiday rule moves it) lies within [start, end], and — for items that cover a period (monthly,
quarterly, half-yearly, yearly, weekly) — the covered period overlaps [start, end]. So a campaign
starting 2023-08-08 with "每月2日前报送上月" has its first item due 2023-09-02 covering August
2023, and its last the latest one due on or before `end`. `any_time` (随时上报) has no due items;
its single open-ended period (key 'any') is available from `periods_of`.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.calendar import ChinaCalendar
from schedules.rules import (
    AnyTimeSchedule,
    FixedSchedule,
    HolidayRule,
    MonthlySchedule,
    OnceSchedule,
    PeriodEndSchedule,
    ReportTiming,
    WeeklySchedule,
    WEEKDAYS,
    day_number,
)

END_OF_DAY = time(23, 59, 59)
ANY_PERIOD = "any"
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
_ZH_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True, slots=True)
class DueDate:
    """One deadline of a report type (应报事项): the period it covers and when it is due.

    `first_day`/`last_day` are the covered period (None for a one-off); the due fields are None
    only for the open-ended period of an `any_time` report type.
    """

    report_key: str
    period_key: str
    label: str
    label_en: str
    first_day: date | None
    last_day: date | None
    nominal_date: date | None
    due_date: date | None
    due_at: datetime | None

    def label_for(self, language: str) -> str:
        """The period label in 'zh…' or 'en'."""
        return self.label_en if language.startswith("en") else self.label

    def contains(self, day: date) -> bool:
        """True if the covered period includes this day."""
        if self.first_day is None or self.last_day is None:
            return self.nominal_date == day
        return self.first_day <= day <= self.last_day


def clamp_day(year: int, month: int, day: int) -> date:
    """Day `day` of a month, or its last day if the month is shorter (31 → 29 February)."""
    return date(year, month, min(day, _cal.monthrange(year, month)[1]))


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) `n` months later (or earlier)."""
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def month_last_day(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, _cal.monthrange(year, month)[1])


def due_moment(day: date, due_time: time | None, tz: ZoneInfo) -> datetime:
    """The aware moment of a deadline on `day`: `due_time`, or 23:59:59, local time in `tz`."""
    local = datetime.combine(day, due_time or END_OF_DAY, tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz)  # normalise a time skipped by a DST change


def effective_date(nominal: date, rule: HolidayRule, calendar: ChinaCalendar) -> date:
    """The due date after the holiday rule (keep, 顺延 to the next working day, or the previous one)."""
    if rule is HolidayRule.NEXT_WORKING_DAY:
        return calendar.next_working_day(nominal)
    if rule is HolidayRule.PREVIOUS_WORKING_DAY:
        return calendar.previous_working_day(nominal)
    return nominal


# ── candidate periods: (period_key, label, label_en, first_day, last_day, nominal due) ────────

_Candidate = tuple[str, str, str, date | None, date | None, date]


def _monthly(s: MonthlySchedule, start: date, end: date) -> Iterator[_Candidate]:
    shift = 1 if s.covers == "previous_month" else 0
    year, month = add_months(start.year, start.month, -1)
    while date(year, month, 1) <= end:
        due_y, due_m = add_months(year, month, shift)
        yield (
            f"{year:04d}-{month:02d}",
            f"{year}年{month}月",
            f"{_EN_MONTHS[month - 1]} {year}",
            date(year, month, 1),
            month_last_day(year, month),
            clamp_day(due_y, due_m, day_number(s.day)),
        )
        year, month = add_months(year, month, 1)


def _period_end(s: PeriodEndSchedule, start: date, end: date) -> Iterator[_Candidate]:
    months = {"quarterly": 3, "half_yearly": 6, "yearly": 12}[s.kind]
    year, month = start.year, 1
    while date(year, month, 1) <= end:
        first = date(year, month, 1)
        last = month_last_day(*add_months(year, month, months - 1))
        n = (month - 1) // months + 1
        if s.kind == "quarterly":
            key, label, label_en = f"{year}-Q{n}", f"{year}年{_ZH_QUARTERS[n - 1]}", f"Q{n} {year}"
        elif s.kind == "half_yearly":
            key, label, label_en = f"{year}-H{n}", f"{year}年{'上' if n == 1 else '下'}半年", f"H{n} {year}"
        else:
            key, label, label_en = f"{year}", f"{year}年度", f"Year {year}"
        if s.days_after is not None:
            nominal = last + timedelta(days=s.days_after)
        elif s.month is not None:
            nominal = clamp_day(year + 1, s.month, day_number(s.day))
        else:
            nominal = clamp_day(*add_months(last.year, last.month, 1), day_number(s.day))
        yield key, label, label_en, first, last, nominal
        year, month = add_months(year, month, months)


def week_label(first: date, last: date) -> str:
    """A week as officials write it: 8月7日—8月13日 (the year only when the week spans two)."""
    year = f"{first.year}年" if first.year != last.year else ""
    end_year = f"{last.year}年" if first.year != last.year else ""
    return f"{year}{first.month}月{first.day}日—{end_year}{last.month}月{last.day}日"


def week_label_en(first: date, last: date) -> str:
    """A week in English: 7 Aug – 13 Aug 2023."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not %b: that follows the locale
    first_year = f" {first.year}" if first.year != last.year else ""
    return f"{first.day} {months[first.month - 1]}{first_year} – {last.day} {months[last.month - 1]} {last.year}"


def _weekly(s: WeeklySchedule, start: date, end: date) -> Iterator[_Candidate]:
    monday = start - timedelta(days=start.weekday())
    offset = WEEKDAYS.index(s.weekday)
    while monday <= end:
        iso_year, iso_week, _ = monday.isocalendar()
        sunday = monday + timedelta(days=6)
        yield (
            f"{iso_year}-W{iso_week:02d}",
            week_label(monday, sunday),
            week_label_en(monday, sunday),
            monday,
            sunday,
            monday + timedelta(days=offset),
        )
        monday += timedelta(days=7)


def _fixed(s: FixedSchedule, start: date) -> Iterator[_Candidate]:
    previous: date | None = None
    for n, fd in enumerate(s.dates, 1):
        first = start if previous is None else previous + timedelta(days=1)
        yield fd.date.isoformat(), fd.label, fd.label_en or f"Stage {n}", min(first, fd.date), fd.date, fd.date
        previous = fd.date


def _candidates(report: ReportTiming, start: date, end: date) -> Iterable[_Candidate]:
    s = report.schedule
    if isinstance(s, MonthlySchedule):
        return _monthly(s, start, end)
    if isinstance(s, PeriodEndSchedule):
        return _period_end(s, start, end)
    if isinstance(s, WeeklySchedule):
        return _weekly(s, start, end)
    if isinstance(s, FixedSchedule):
        return _fixed(s, start)
    if isinstance(s, OnceSchedule):
        return [("once", s.label, s.label_en or s.label, None, None, s.date)]
    return []


def due_items(
    report: ReportTiming,
    *,
    tz: ZoneInfo,
    start: date,
    end: date,
    calendar: ChinaCalendar,
    window_from: date | None = None,
    window_to: date | None = None,
) -> list[DueDate]:
    """Every due item of a report type within the campaign, by due date; optionally only those whose
    effective due date lies in [window_from, window_to]."""
    items = []
    for key, label, label_en, first, last, nominal in _candidates(report, start, end):
        if not start <= nominal <= end:
            continue
        if first is not None and last is not None and (last < start or first > end):
            continue
        due = effective_date(nominal, report.holiday_rule, calendar)
        if (window_from and due < window_from) or (window_to and due > window_to):
            continue
        items.append(DueDate(report.key, key, label, label_en, first, last, nominal, due, due_moment(due, report.due_time, tz)))
    items.sort(key=lambda i: (i.due_date, i.period_key))
    return items


@dataclass(frozen=True, slots=True)
class DroppedPeriod:
    """A period that overlaps the campaign but is due before it starts: it is never due (see `due_items`)."""

    label: str
    first_day: date
    last_day: date
    nominal_date: date


def dropped_before_start(report: ReportTiming, *, start: date, end: date) -> list[DroppedPeriod]:
    """The periods of a report type that overlap [start, end] but fall due before `start`, so are dropped."""
    return [
        DroppedPeriod(label, first, last, nominal)
        for _key, label, _en, first, last, nominal in _candidates(report, start, end)
        if first is not None and last is not None and nominal < start and last >= start and first <= end
    ]


def open_period(report: ReportTiming, *, start: date, end: date) -> DueDate:
    """The single open-ended period of an `any_time` report type (随时上报), key 'any'."""
    return DueDate(report.key, ANY_PERIOD, "随时", "Any time", start, end, None, None, None)


def periods_of(report: ReportTiming, *, tz: ZoneInfo, start: date, end: date, calendar: ChinaCalendar) -> list[DueDate]:
    """The periods a report can be filed for: its due items, or the open period of an `any_time` type."""
    if isinstance(report.schedule, AnyTimeSchedule):
        return [open_period(report, start=start, end=end)]
    return due_items(report, tz=tz, start=start, end=end, calendar=calendar)


def all_due_items(
    report_types: Iterable[ReportTiming],
    *,
    tz: ZoneInfo,
    start: date,
    end: date,
    calendar: ChinaCalendar,
    window_from: date | None = None,
    window_to: date | None = None,
) -> list[DueDate]:
    """The due items of several report types, sorted by due moment then report key."""
    items = [
        item
        for report in report_types
        for item in due_items(report, tz=tz, start=start, end=end, calendar=calendar, window_from=window_from, window_to=window_to)
    ]
    items.sort(key=lambda i: (i.due_at, i.report_key, i.period_key))
    return items
