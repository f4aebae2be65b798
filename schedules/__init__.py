"""The domain of time: report schedules, periods, due dates, the China calendar, reminders, date phrases.

Pure functions of (config, calendar, now): nothing here reads the clock or imports `bot` or
`telegram`. Public API:

- `ChinaCalendar(settings: CalendarSettings | None = None)` — `.is_working_day(d) -> bool`,
  `.next_working_day(d, *, inclusive=True) -> date`, `.previous_working_day(d, *, inclusive=True) -> date`,
  `.is_holiday(d) -> bool` (China's holidays and 调休 from the `holidays` package, plus the config's).
- `DueDate` — report_key, period_key ('2023-08', '2023-Q3', '2023-H1', '2023', '2023-W33',
  a fixed date '2023-09-15', 'once', 'any'), label / label_en (2023年8月 / August 2023),
  first_day / last_day (the covered period), nominal_date, due_date (after the holiday rule),
  due_at (aware, campaign zone; 23:59:59 local unless `due_time`).
- `due_items(report, *, tz, start, end, calendar, window_from=None, window_to=None) -> list[DueDate]`
- `all_due_items(report_types, *, tz, start, end, calendar, window_from=None, window_to=None) -> list[DueDate]`
- `periods_of(report, *, tz, start, end, calendar) -> list[DueDate]` — due items, or the single
  open period 'any' of an `any_time` (随时上报) report type.
- `ReminderMoment` — report_key, period_key, offset (text), at (UTC), due_at, moment_key, overdue.
- `reminders_for(item, timing, *, calendar, tz, quiet_hours=None) -> list[ReminderMoment]`
- `reminder_moments(report_types, *, tz, start, end, calendar, quiet_hours=None, after=None, until=None) -> list[ReminderMoment]`
- `next_moment(report_types, *, now, tz, start, end, calendar, quiet_hours=None) -> ReminderMoment | None`
- `When` — day: date, moment: datetime | None (aware), has_time, value; str() 'YYYY-MM-DD[ HH:MM]'.
- `parse_when(text, *, now, tz) -> When | None` — "9月15日前", "下周五下午5点", "tomorrow 9am" …
- `period_for_phrase(text, report, *, now, tz, start, end, calendar) -> DueDate | None` — 本月, 上月,
  2023年9月, 三季度, 上半年, 第二阶段, a date …
- `periods_for_phrase(...) -> list[DueDate]` — the same, or every period of the report within a
  longer span it names (三季度 of a monthly report: its three months).

The campaign bounds and the reminder rules are documented in `schedules.periods` and
`schedules.plan`; the phrase rules in `schedules.phrases`.
"""

from schedules.calendar import ChinaCalendar
from schedules.lookup import period_for_phrase, periods_for_phrase
from schedules.periods import DueDate, all_due_items, due_items, periods_of
from schedules.phrases import When, parse_when
from schedules.plan import ReminderMoment, next_moment, reminder_moments, reminders_for

__all__ = [
    "ChinaCalendar",
    "DueDate",
    "ReminderMoment",
    "When",
    "all_due_items",
    "due_items",
    "next_moment",
    "parse_when",
    "period_for_phrase",
    "periods_for_phrase",
    "periods_of",
    "reminder_moments",
    "reminders_for",
]
