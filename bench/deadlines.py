"""Benchmark: every due item and reminder of 10 report types × 2 years, expanded to 5,000 units.

Run: `python bench/deadlines.py`. The last line is `deadlines: N due items x units, M reminders, T s`.
"""

from __future__ import annotations

import time
from itertools import product
from datetime import date
from zoneinfo import ZoneInfo

from schedules import ChinaCalendar, DueDate, due_items, reminders_for
from schedules.rules import CalendarSettings, QuietHours, ReportTiming

UNITS = 5_000
SCHEDULES = [
    {"kind": "monthly", "day": 2},
    {"kind": "monthly", "day": 5, "covers": "current_month"},
    {"kind": "monthly", "day": 31},
    {"kind": "quarterly", "day": 10},
    {"kind": "half_yearly", "days_after": 15},
    {"kind": "yearly", "day": 31, "month": 1},
    {"kind": "weekly", "weekday": "fri"},
    {"kind": "fixed", "dates": [{"date": f"2024-{m:02d}-15", "label": f"第{m}阶段"} for m in (3, 6, 9, 12)]},
    {"kind": "once", "date": "2025-06-30", "label": "最终总结"},
    {"kind": "any_time"},
]


def main() -> None:
    """Time the computation and the expansion to units."""
    reports = [
        ReportTiming.model_validate(
            {"key": f"r{n}", "schedule": s, "holiday_rule": "next_working_day" if n % 2 else "keep",
             "reminders": ["-3d@09:00", "-1d@09:00", "0d@09:00", "+1d@09:00", "-2h"], "reminders_working_days_only": n % 3 == 0}
        )
        for n, s in enumerate(SCHEDULES)
    ]
    units = [f"u{n:04d}" for n in range(UNITS)]
    tz = ZoneInfo("Asia/Shanghai")
    quiet = QuietHours.parse("22:00-07:30")
    t0 = time.perf_counter()
    calendar = ChinaCalendar(CalendarSettings())
    plan: list[tuple[DueDate, list[str]]] = []
    for report in reports:
        for item in due_items(report, tz=tz, start=date(2024, 1, 1), end=date(2025, 12, 31), calendar=calendar):
            plan.append((item, [m.moment_key for m in reminders_for(item, report, calendar=calendar, tz=tz, quiet_hours=quiet)]))
    t1 = time.perf_counter()
    pairs: list[tuple[str, str, str]] = []
    reminders: list[tuple[str, str, str, str]] = []
    for item, moments in plan:
        # (unit, report, period) and (unit, report, period, moment) rows, as the dispatcher would hold them
        pairs.extend(product(units, (item.report_key,), (item.period_key,)))
        reminders.extend(product(units, (item.report_key,), (item.period_key,), moments))
    elapsed = time.perf_counter() - t0
    print(f"{len(reports)} report types, {UNITS} units, 2024-01-01..2025-12-31: {len(plan)} due items computed in {t1 - t0:.3f} s")
    print(f"deadlines: {len(pairs)} due items x units, {len(reminders)} reminders, {elapsed:.3f} s")


if __name__ == "__main__":
    main()
