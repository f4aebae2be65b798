"""Reminder moments (提醒时刻) of due items, from the report type's offsets.

How an offset becomes a moment:
- `-3d@09:00`, `0d@09:00`, `+1d@09:00`: that many calendar days from the *effective* due date, at
  that local time in the campaign's zone (a local time skipped by a DST change is read as the
  moment after the gap).
- `-2h`, `-10m`, `-30s`, and day offsets without `@`: that much elapsed time from the due moment.
- `reminders_working_days_only`: a moment on a non-working day moves, keeping its local time, to
  the working day before — or, for a moment after the deadline (an overdue reminder), to the
  working day after, so it never lands before the deadline it chases.
- quiet hours (e.g. 22:00-07:30, local): a moment inside them moves to their end (the morning);
  a moment before the deadline that would thereby pass the deadline moves instead to the last
  minute before the quiet hours begin, so the warning still comes in time.
Moments are aware UTC datetimes; equal moments of one item are sent once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.calendar import ChinaCalendar
from schedules.periods import DueDate, all_due_items
from schedules.rules import QuietHours, ReminderOffset, ReportTiming


@dataclass(frozen=True, slots=True)
class ReminderMoment:
    """One reminder of one due item: when (UTC) and from which configured offset."""

    report_key: str
    period_key: str
    offset: str
    at: datetime
    due_at: datetime

    @property
    def moment_key(self) -> str:
        """A stable key of the moment: its ISO UTC time, e.g. '2023-08-30T01:00:00Z'."""
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def overdue(self) -> bool:
        """True for a reminder after the deadline (逾期提醒)."""
        return self.at > self.due_at


def _at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """`clock` on `day` in `tz`, as UTC (a time skipped by DST lands after the gap)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def in_quiet_hours(local: datetime, quiet: QuietHours) -> bool:
    """True if a local time of day lies inside the quiet hours [start, end)."""
    t = local.timetz().replace(tzinfo=None)
    if quiet.start <= quiet.end:
        return quiet.start <= t < quiet.end
    return t >= quiet.start or t < quiet.end


def _after_quiet(local: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime:
    """The end of the quiet hours that contain `local` (today's or tomorrow's morning)."""
    day = local.date()
    if quiet.start > quiet.end and local.timetz().replace(tzinfo=None) >= quiet.start:
        day += timedelta(days=1)
    return _at_local(day, quiet.end, tz)


def _before_quiet(local: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime:
    """The last minute before the quiet hours that contain `local` begin."""
    day = local.date()
    if quiet.start > quiet.end and local.timetz().replace(tzinfo=None) < quiet.end:
        day -= timedelta(days=1)
    return _at_local(day, quiet.start, tz) - timedelta(minutes=1)


def after_quiet(at: datetime, quiet: QuietHours | None, tz: ZoneInfo) -> datetime:
    """`at` (aware), or the end of the quiet hours it falls in (UTC): when something due at `at` may be sent."""
    if quiet is None:
        return at
    local = at.astimezone(tz)
    return _after_quiet(local, quiet, tz) if in_quiet_hours(local, quiet) else at


def _next_quiet_start(at: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime:
    """The first beginning of the quiet hours after `at` (a moment outside them)."""
    local = at.astimezone(tz)
    start = _at_local(local.date(), quiet.start, tz)
    return start if start > at else _at_local(local.date() + timedelta(days=1), quiet.start, tz)


def grace_ends(at: datetime, grace: timedelta, quiet: QuietHours | None, tz: ZoneInfo) -> datetime:
    """When `grace` of time *outside* the quiet hours has passed since `at` (UTC).

    The quiet hours do not use up a grace period: a reminder of 09:00 that may be sent late
    within 16 hours and finds the quiet hours (22:00-07:30) in its way is still owed at 07:30,
    and until 10:30. Without quiet hours it is simply `at + grace`.
    """
    if quiet is None or quiet.start == quiet.end:
        return at + grace
    moment, left = after_quiet(at, quiet, tz), grace
    for _ in range(3660):  # a day at a time at least: ten years of grace at most
        start = _next_quiet_start(moment, quiet, tz)
        if moment + left <= start:
            return moment + left
        left -= start - moment
        moment = after_quiet(start, quiet, tz)
    return moment + left


def moment_for(
    item: DueDate,
    offset: ReminderOffset,
    *,
    working_days_only: bool,
    calendar: ChinaCalendar,
    tz: ZoneInfo,
    quiet_hours: QuietHours | None,
) -> datetime:
    """The UTC moment of one offset of one due item, after working-day and quiet-hours rules."""
    assert item.due_at is not None and item.due_date is not None, "an any_time period has no reminders"
    due_utc = item.due_at.astimezone(UTC)
    if offset.days is not None and offset.at is not None:
        moment = _at_local(item.due_date + timedelta(days=offset.days), offset.at, tz)
    else:
        moment = due_utc + offset.delta
    after_due = moment > due_utc
    if working_days_only:
        local = moment.astimezone(tz)
        if not calendar.is_working_day(local.date()):
            day = calendar.next_working_day(local.date()) if after_due else calendar.previous_working_day(local.date())
            moment = _at_local(day, local.timetz().replace(tzinfo=None), tz)
    if quiet_hours is not None:
        local = moment.astimezone(tz)
        if in_quiet_hours(local, quiet_hours):
            moved = _after_quiet(local, quiet_hours, tz)
            if not after_due and moved > due_utc:
                moved = _before_quiet(local, quiet_hours, tz)
            moment = moved
    return moment


def reminders_for(
    item: DueDate,
    timing: ReportTiming,
    *,
    calendar: ChinaCalendar,
    tz: ZoneInfo,
    quiet_hours: QuietHours | None = None,
) -> list[ReminderMoment]:
    """The reminder moments of one due item, in time order, one per distinct moment."""
    if item.due_at is None:
        return []
    seen: dict[datetime, ReminderMoment] = {}
    for offset in timing.reminders:
        at = moment_for(
            item, offset, working_days_only=timing.reminders_working_days_only, calendar=calendar, tz=tz, quiet_hours=quiet_hours
        )
        seen.setdefault(at, ReminderMoment(item.report_key, item.period_key, offset.text, at, item.due_at.astimezone(UTC)))
    return sorted(seen.values(), key=lambda m: m.at)


def reminder_moments(
    report_types: Iterable[ReportTiming],
    *,
    tz: ZoneInfo,
    start: date,
    end: date,
    calendar: ChinaCalendar,
    quiet_hours: QuietHours | None = None,
    after: datetime | None = None,
    until: datetime | None = None,
) -> list[ReminderMoment]:
    """Every reminder moment of every due item, sorted by time; optionally only in (after, until]."""
    timings = {r.key: r for r in report_types}
    moments = [
        m
        for item in all_due_items(timings.values(), tz=tz, start=start, end=end, calendar=calendar)
        for m in reminders_for(item, timings[item.report_key], calendar=calendar, tz=tz, quiet_hours=quiet_hours)
        if (after is None or m.at > after) and (until is None or m.at <= until)
    ]
    moments.sort(key=lambda m: (m.at, m.report_key, m.period_key))
    return moments


def next_moment(
    report_types: Iterable[ReportTiming],
    *,
    now: datetime,
    tz: ZoneInfo,
    start: date,
    end: date,
    calendar: ChinaCalendar,
    quiet_hours: QuietHours | None = None,
) -> ReminderMoment | None:
    """The first reminder moment strictly after `now`, or None when none is left."""
    later = reminder_moments(report_types, tz=tz, start=start, end=end, calendar=calendar, quiet_hours=quiet_hours, after=now)
    return later[0] if later else None
