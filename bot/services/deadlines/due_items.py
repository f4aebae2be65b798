"""The campaign's due items, computed by `schedules`, kept in the database with an obligation per unit.

Which units owe a report type is read from the database's active units (the config's and
those brought in by `liaison-bot import-units`), by their tags. `sync_due_items` runs at
start; while the bot runs, a job (`schedule`) looks every `RESYNC_EVERY_S` seconds at a
fingerprint of the active units and the ad-hoc deadlines (a few small columns) and syncs
again only when it changed, so units imported into a running bot owe their reports
within that time, without a restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram.ext import Application, ContextTypes

from bot.config import Config, ReportType
from bot.context import SERVICES_KEY, Caches, Services
from bot.models import AdhocReport, DueItem, Obligation
from bot.services.deadlines.adhoc import PERIOD_KEY as ADHOC_PERIOD_KEY
from bot.services.deadlines.owing import owing
from bot.services.deadlines.adhoc import PERIOD_LABEL as ADHOC_PERIOD_LABEL
from bot.services.tasks import deadlines as task_deadlines
from bot.storage import Storage, adhoc, due_sync, tasks, units
from schedules import ChinaCalendar, DueDate, due_items
from schedules.rules import AnyTimeSchedule

log = logging.getLogger(__name__)

RESYNC_EVERY_S = 60.0
RESYNC_JOB = "due-items-resync"


def items_of(config: Config, report: ReportType, calendar: ChinaCalendar) -> list[DueDate]:
    """Every due item of a report type over the campaign."""
    c = config.campaign
    return due_items(report, tz=c.tz, start=c.start, end=c.end, calendar=calendar)


SYNC_KEY = "due_items"
BULK = 500  # new obligations from which the planner's statistics are refreshed
ENGINE_VERSION = "2"  # raise when the way due items are computed changes: the next start resyncs


def specs_of(
    config: Config, calendar: ChinaCalendar, active: Sequence[units.UnitTags], adhoc_rows: Sequence[AdhocReport],
    task_rows: Sequence[task_deadlines.TaskDeadlines] = (),
) -> list[due_sync.DueSpec]:
    """Every due item the campaign wants, with the units that owe it (configured, ad hoc, and tasks' lead units)."""
    specs: list[due_sync.DueSpec] = []
    for report in config.report_types:
        if isinstance(report.schedule, AnyTimeSchedule):
            continue  # any-time reports (随时上报) have no due items: a filing creates its own
        codes = tuple(owing(active, tags=report.owed_by))
        for item in items_of(config, report, calendar):
            if item.due_at is not None:
                specs.append(due_sync.DueSpec(report.key, item.period_key, item.label, item.due_at, codes))
    for row in adhoc_rows:
        codes = tuple(owing(active, tags=row.owed_by, unit_codes=row.unit_codes))
        specs.append(due_sync.DueSpec(row.key, ADHOC_PERIOD_KEY, ADHOC_PERIOD_LABEL, row.due_at, codes))
    for task in task_rows:
        for item in task.items:
            assert item.due_at is not None
            specs.append(due_sync.DueSpec(task.report.key, item.period_key, item.label, item.due_at, tuple(task.lead_codes)))
    return specs


def sources_digest(config: Config, active: Sequence[units.UnitTags], adhoc_rows: Sequence[AdhocReport], task_print: object = None) -> str:
    """A digest of everything the due items are computed from: the config's campaign, calendar and
    report types, the active units and their tags, the ad-hoc deadlines, the tasks."""
    rows: list[Any] = [ENGINE_VERSION, config.campaign.model_dump_json(), config.calendar.model_dump_json()]
    rows += [r.model_dump_json() for r in config.report_types]
    rows += [["u", u.code, sorted(u.tags)] for u in active]
    rows += [["a", r.key, sorted(r.owed_by), sorted(r.unit_codes), r.due_at.isoformat()] for r in adhoc_rows]
    rows += [["t", task_print]]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def sync_due_items(
    storage: Storage, config: Config, *, calendar: ChinaCalendar, now: datetime, force: bool = False, remember_in: Caches | None = None
) -> int | None:
    """Create every due item of the campaign with an obligation for each active unit that owes it.

    Configured report types and ad-hoc deadlines alike. Nothing is done when nothing they are
    computed from changed since the last sync (the digest kept in the database): a restart is
    one small read. Otherwise only the difference is written. Obligations are never removed.
    The number of new obligations, or None when nothing had changed. `remember_in`: the process's
    caches, given the `fingerprint` of what was read (at start: not read a second time).
    """
    with storage.session() as s:
        active = units.active_unit_tags(s)
        adhoc_rows = adhoc.list_adhoc_reports(s)
        if remember_in is not None:
            remember_in.due_items_fingerprint = _fingerprint(active, adhoc_rows, tasks.tasks_fingerprint(s))
        task_rows = task_deadlines.deadlines(s, config, calendar)
        task_print = [[d.report.key, d.lead_codes, [i.period_key for i in d.items], d.task.updated_at.isoformat()] for d in task_rows]
        digest = sources_digest(config, active, adhoc_rows, task_print)
        if not force and due_sync.fingerprint(s, key=SYNC_KEY) == digest:
            return None
        added = due_sync.sync(s, specs=specs_of(config, calendar, active, adhoc_rows, task_rows), now=now)
        due_sync.remember(s, key=SYNC_KEY, fingerprint=digest, now=now)
    if added >= BULK:
        storage.analyze(DueItem, Obligation)  # a first start, a units import: the views' plans need the new rows counted
    return added


def fingerprint(s: Session) -> str:
    """A digest of what decides who owes what while the bot runs: the active units (code, tags), the ad-hoc deadlines
    and the tasks (count, highest id, latest change; their lead units change with them)."""
    return _fingerprint(units.active_unit_tags(s), adhoc.list_adhoc_reports(s), tasks.tasks_fingerprint(s))


def _fingerprint(active: Sequence[units.UnitTags], adhoc_rows: Sequence[AdhocReport], task_print: tuple[int, int, str]) -> str:
    rows: list[Any] = [["u", u.code, sorted(u.tags)] for u in active]
    rows += [["a", r.key, sorted(r.owed_by), sorted(r.unit_codes)] for r in adhoc_rows]
    rows += [["t", *task_print]]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def remember(services: Services) -> None:
    """Note what the due items were last synced for (call right after `sync_due_items`)."""
    with services.storage.session() as s:
        services.caches.due_items_fingerprint = fingerprint(s)


async def resync_if_changed(services: Services, *, now: datetime) -> int | None:
    """Sync the due items again if the active units or the ad-hoc deadlines changed since the last sync.

    The number of obligations added, or None when nothing changed (the usual case: one small query).
    """
    def read() -> Any:
        with services.storage.read() as s:
            return fingerprint(s)

    current = await services.reads(read)
    if services.caches.due_items_fingerprint == current:
        return None
    services.caches.task_reports = None  # the tasks may have changed: their report types are computed again
    added = await services.writes(sync_due_items, services.storage, services.config, calendar=services.calendar, now=now)
    services.caches.due_items_fingerprint = current  # as it was before the sync: a change during it is seen next time
    log.info("units or ad-hoc deadlines changed: %d obligations added", added or 0)
    return added or 0  # (None: another process had synced it already)


async def _resync(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: new obligations need no timer change (reminders go to whoever owes at each moment;
    an ad-hoc deadline's /deadline re-arms the timer itself)."""
    services: Services = context.application.bot_data[SERVICES_KEY]
    await resync_if_changed(services, now=services.clock.now())


def schedule(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start (after `sync_due_items`): remember what was synced (unless it did), and look for changes every `RESYNC_EVERY_S`."""
    services: Services = app.bot_data[SERVICES_KEY]
    if services.caches.due_items_fingerprint is None:
        remember(services)
    from bot.services.deadlines.adhoc import task_report_types

    task_report_types(services)  # computed once here, not in the first view a user asks for
    if app.job_queue is None:
        log.warning("no JobQueue: units imported while the bot runs owe their reports only after a restart")
        return
    app.job_queue.run_repeating(_resync, interval=RESYNC_EVERY_S, first=RESYNC_EVERY_S, name=RESYNC_JOB)


__all__ = ["RESYNC_EVERY_S", "RESYNC_JOB", "items_of", "owing", "resync_if_changed", "schedule", "sync_due_items"]
