"""The campaign's due items, computed by `schedules`, kept in the database with an obligation per unit.

Which units owe a report type is read from the database's active units (the config's and
those brought in by `liaison-bot import-units`), by their tags. `sync_due_items` runs at
start; while the bot runs, a job (`schedule`) looks every `RESYNC_EVERY_S` seconds at a
fingerprint of the active units and the ad-hoc deadlines (a few small columns) and syncs
again only when it changed, so units imported into a running bot owe their reports
within that time, without a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram.ext import Application, ContextTypes

from bot.config import Config, ReportType
from bot.context import SERVICES_KEY, Services
from bot.services.deadlines.adhoc import PERIOD_KEY as ADHOC_PERIOD_KEY
from bot.services.deadlines.owing import owing
from bot.services.deadlines.adhoc import PERIOD_LABEL as ADHOC_PERIOD_LABEL
from bot.storage import Storage, adhoc, due, units
from schedules import ChinaCalendar, DueDate, due_items
from schedules.rules import AnyTimeSchedule

log = logging.getLogger(__name__)

RESYNC_EVERY_S = 60.0
RESYNC_JOB = "due-items-resync"


def items_of(config: Config, report: ReportType, calendar: ChinaCalendar) -> list[DueDate]:
    """Every due item of a report type over the campaign."""
    c = config.campaign
    return due_items(report, tz=c.tz, start=c.start, end=c.end, calendar=calendar)


def sync_due_items(storage: Storage, config: Config, *, calendar: ChinaCalendar, now: datetime) -> int:
    """Create (idempotently) every due item of the campaign with an obligation for each active unit that owes it.

    Configured report types and ad-hoc deadlines alike; any-time reports (随时上报) have no due
    items (a filing creates its own). Obligations are never removed. Returns the number of items.
    """
    count = 0
    with storage.session() as s:
        active = units.list_units(s)
        for report in config.report_types:
            if isinstance(report.schedule, AnyTimeSchedule):
                continue
            codes = owing(active, tags=report.owed_by)
            for item in items_of(config, report, calendar):
                if item.due_at is None:
                    continue  # (only any-time reports have none, and they were skipped)
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
        for row in adhoc.list_adhoc_reports(s):
            existing = due.get_due_item(s, report_key=row.key, period_key=ADHOC_PERIOD_KEY)
            due.ensure_due_item(
                s,
                report_key=row.key,
                period_key=ADHOC_PERIOD_KEY,
                period_label=existing.period_label if existing else ADHOC_PERIOD_LABEL,
                due_at=existing.due_at if existing else row.due_at,
                unit_codes=owing(active, tags=row.owed_by, unit_codes=row.unit_codes),
                now=now,
            )
            count += 1
    return count


def fingerprint(s: Session) -> str:
    """A digest of what decides who owes what: the active units (code, tags) and the ad-hoc deadlines."""
    rows: list[Any] = [["u", u.code, sorted(u.tags)] for u in units.list_units(s)]
    rows += [["a", r.key, sorted(r.owed_by), sorted(r.unit_codes)] for r in adhoc.list_adhoc_reports(s)]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def remember(services: Services) -> None:
    """Note what the due items were last synced for (call right after `sync_due_items`)."""
    with services.storage.session() as s:
        services.caches.due_items_fingerprint = fingerprint(s)


async def resync_if_changed(services: Services, *, now: datetime) -> int | None:
    """Sync the due items again if the active units or the ad-hoc deadlines changed since the last sync.

    The number of items synced, or None when nothing changed (the usual case: one small query).
    """
    with services.storage.session() as s:
        current = fingerprint(s)
    if services.caches.due_items_fingerprint == current:
        return None
    count = await asyncio.to_thread(sync_due_items, services.storage, services.config, calendar=services.calendar, now=now)
    services.caches.due_items_fingerprint = current  # as it was before the sync: a change during it is seen next time
    log.info("units or ad-hoc deadlines changed: %d due items synced", count)
    return count


async def _resync(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: new obligations need no timer change (reminders go to whoever owes at each moment;
    an ad-hoc deadline's /deadline re-arms the timer itself)."""
    services: Services = context.application.bot_data[SERVICES_KEY]
    await resync_if_changed(services, now=services.clock.now())


def schedule(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start (after `sync_due_items`): remember what was synced, and look for changes every `RESYNC_EVERY_S`."""
    services: Services = app.bot_data[SERVICES_KEY]
    remember(services)
    if app.job_queue is None:
        log.warning("no JobQueue: units imported while the bot runs owe their reports only after a restart")
        return
    app.job_queue.run_repeating(_resync, interval=RESYNC_EVERY_S, first=RESYNC_EVERY_S, name=RESYNC_JOB)


__all__ = ["RESYNC_EVERY_S", "RESYNC_JOB", "items_of", "owing", "resync_if_changed", "schedule", "sync_due_items"]
