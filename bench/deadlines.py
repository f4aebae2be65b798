"""Benchmark: the schedule engine: every due item and reminder moment of 10 report types × 2 years.

What is timed is the engine (`due_items`, `reminders_for`, with a fresh calendar each run), best of
`--runs`. Writing the result out for 5,000 units (what a dispatcher would hold) is the bench's own
work, not the engine's: it is timed apart, as the reference of the same run.

Run: `python bench/deadlines.py [--runs 5]`. The last line is
`deadlines: engine E ms for D due items, M reminder moments (best of R); expansion to 5000 units X s (N rows)`.
"""

from __future__ import annotations

import argparse
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
    """Time the engine, then the expansion to units apart."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = max(1, parser.parse_args().runs)
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
    best = float("inf")
    plan: list[tuple[DueDate, list[str]]] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        calendar = ChinaCalendar(CalendarSettings())
        plan = []
        for report in reports:
            for item in due_items(report, tz=tz, start=date(2024, 1, 1), end=date(2025, 12, 31), calendar=calendar):
                plan.append((item, [m.moment_key for m in reminders_for(item, report, calendar=calendar, tz=tz, quiet_hours=quiet)]))
        best = min(best, time.perf_counter() - t0)
    moments = sum(len(m) for _, m in plan)
    t0 = time.perf_counter()
    rows = 0
    for item, keys in plan:
        # (unit, report, period) and (unit, report, period, moment) rows, as the dispatcher would hold them
        rows += len(list(product(units, (item.report_key,), (item.period_key,))))
        rows += len(list(product(units, (item.report_key,), (item.period_key,), keys)))
    expansion = time.perf_counter() - t0
    print(f"{len(reports)} report types, 2024-01-01..2025-12-31: {len(plan)} due items, {moments} reminder moments")
    print(
        f"deadlines: engine {best * 1000:.1f} ms for {len(plan)} due items, {moments} reminder moments (best of {runs}); "
        f"expansion to {UNITS} units {expansion:.2f} s ({rows} rows)"
    )

if __name__ == "__main__":
    main()
