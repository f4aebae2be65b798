"""Traps: a valid campaign file that does not mean what it seems to. Warnings, each with the fix.

- A quarterly, half-yearly or yearly `day` of 29-31 is a day of the month *after* the period
  (quarterly `day = 31`: 30 April after Q1, 31 July after Q2), not the period's last day.
- A period that overlaps the campaign but falls due before it starts is never due (a campaign
  starting on the 8th with "by the 2nd, this month": that month is never reported).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from schedules.periods import add_months, dropped_before_start
from schedules.rules import PeriodEndSchedule, ReportTiming

_MONTHS_AFTER = {"quarterly": (4, 7, 10, 1), "half_yearly": (7, 1), "yearly": (1,)}
_PERIOD = {"quarterly": "quarter", "half_yearly": "half-year", "yearly": "year"}


@dataclass(frozen=True)
class Trap:
    """One warning: where, the value, what it really means and what to write instead."""

    key: str
    value: object
    warning: str

    def __str__(self) -> str:
        return f"{self.key}: {self.value!r}: {self.warning}"


def traps(report_types: Sequence[ReportTiming], *, start: date, end: date) -> list[Trap]:
    """Every trap in the report types of a campaign running from `start` to `end`."""
    found: list[Trap] = []
    for i, report in enumerate(report_types):
        where = f"report_types[{i}:{report.key}].schedule"
        schedule = report.schedule
        if isinstance(schedule, PeriodEndSchedule) and isinstance(schedule.day, int) and schedule.day >= 29:
            found.append(Trap(f"{where}.day", schedule.day, _late_day(schedule)))
        dropped = dropped_before_start(report, start=start, end=end)
        if dropped:
            first = dropped[0]
            found.append(Trap(where, schedule.kind, (
                f"the period {first.label} ({first.first_day} to {first.last_day}) overlaps the campaign but falls due "
                f"{first.nominal_date}, before campaign.start {start}, so it is never due"
                + (f" (and {len(dropped) - 1} more)" if len(dropped) > 1 else "")
                + f"; to have it reported, set campaign.start to {first.nominal_date} or earlier, "
                "or add a 'once' report type for it"
            )))  # fmt: skip
    return found


def _late_day(schedule: PeriodEndSchedule) -> str:
    period = _PERIOD[schedule.kind]
    months = (schedule.month,) if schedule.month is not None else _MONTHS_AFTER[schedule.kind]
    day = int(schedule.day or 1)
    shown = []
    for month in months:
        year = 2025 if month != 2 else 2024  # (a leap year shows the longest February)
        last = calendar.monthrange(*add_months(year, month, 0))[1]
        shown.append(f"{min(day, last)} {calendar.month_name[month]}" + (" (the month is shorter)" if last < day else ""))
    return (
        f"this is a day of the month after the {period} ({', '.join(shown)}), not the {period}'s own last day; "
        f"write days_after = 0 for the {period}'s last day, or day = \"last\" for the last day of the month after it"
    )
