"""The campaign's due items, computed by `schedules`, kept in the database with an obligation per unit."""

from __future__ import annotations

from datetime import datetime

from bot.config import Config, ReportType
from bot.storage import Storage, due
from schedules import ChinaCalendar, DueItem, due_items
from schedules.rules import AnyTimeSchedule


def items_of(config: Config, report: ReportType, calendar: ChinaCalendar) -> list[DueItem]:
    """Every due item of a report type over the campaign."""
    c = config.campaign
    return due_items(report, tz=c.tz, start=c.start, end=c.end, calendar=calendar)


def sync_due_items(storage: Storage, config: Config, *, calendar: ChinaCalendar, now: datetime) -> int:
    """Create (idempotently) every due item of the campaign with an obligation for each unit that owes it.

    Any-time reports (随时上报) have no due items; a filing creates its own. Returns the number of items.
    """
    count = 0
    with storage.session() as s:
        for report in config.report_types:
            if isinstance(report.schedule, AnyTimeSchedule):
                continue
            codes = [u.code for u in config.units_owing(report)]
            for item in items_of(config, report, calendar):
                due.ensure_due_item(
                    s,
                    report_key=report.key,
                    period_key=item.period_key,
                    period_label=item.label,
                    due_at=item.due_at,
                    unit_codes=codes,
                    now=now,
                )
                count += 1
    return count
