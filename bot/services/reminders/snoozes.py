"""'Remind me later': one pending snooze per (due item, unit, person), sent at its time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import ReportType
from bot.context import Services
from bot.models import DueItem, ReminderKind, ReminderSent
from bot.services.deadlines.reports import fetch_report
from bot.services.reminders.policy import outside_quiet_hours, quiet_now
from bot.services.reminders.send import Summary, run_pool, send_claimed
from bot.storage import deliveries, reminders, snoozes
from bot.storage.reminders import SNOOZE_PREFIX, ReminderTarget


def snooze_time(moment_key: str) -> datetime:
    """The moment of a snooze row, from its key."""
    return datetime.strptime(moment_key.removeprefix(SNOOZE_PREFIX), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass
class Snoozed:
    """A snooze that was stored: when it will come (UTC); `moved_from`: the time of the pending
    snooze it replaced (the person pressed again), else None."""

    at: datetime
    moved_from: datetime | None = None


def snooze(services: Services, *, reminder_id: int, telegram_user_id: int, at: datetime, now: datetime) -> Snoozed | None:
    """Remind the person of this reminder's due item again at `at` (moved out of quiet hours).

    One pending snooze per (due item, unit, person): pressing again moves it
    (`storage.snoozes.schedule_snooze`). None if the reminder is not this user's.
    """
    at = outside_quiet_hours(services, max(at, now + timedelta(minutes=1))).replace(microsecond=0)
    with services.storage.session() as s:
        row = reminders.get_reminder(s, reminder_id=reminder_id)
        from bot.storage import people

        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if row is None or person is None or row.person_id != person.id or row.due_item_id is None:
            return None
        if reminders.liaison_role(s, person_id=row.person_id, unit_id=row.unit_id) is None:
            return None  # no longer a liaison of that unit: its reminders are someone else's
        stored = snoozes.schedule_snooze(s, due_item_id=row.due_item_id, unit_id=row.unit_id, person_id=row.person_id, at=at, now=now)
    return Snoozed(stored.at, stored.moved_from)


async def process_snoozes(services: Services, bot: Any, *, now: datetime, summary: Summary) -> None:
    """Send the snoozed reminders whose time has come, if the unit still has not filed (not in quiet hours).

    A snooze is taken for sending under the obligation's lock (`storage.snoozes.take_snooze`)
    and given up if the person got another reminder of the item since they pressed (a scheduled
    one, or a snooze of theirs that another process sent): never two for one press.
    """
    if quiet_now(services, now):
        return
    def take(row: ReminderSent) -> tuple[DueItem, ReminderTarget] | None:  # (in a worker thread, as every database call)
        assert row.id is not None
        with services.storage.session() as s:
            if not snoozes.take_snooze(s, reminder_id=row.id, moment_key=row.moment_key, now=now):
                return None  # another process took it, or it was moved
            pressed = s.get(ReminderSent, row.id).created_at  # type: ignore[union-attr]  # (as stored now: a move changes it)
            # Another reminder of the item and unit (a scheduled one, another snooze of theirs) went out since they pressed: one is enough.
            return deliveries.still_to_send(
                s, row, since=pressed, filed="not needed: filed before the snooze", reminded="not needed: reminded again since the snooze", reachable=False, now=now,
            )

    jobs: list[Callable[[], Awaitable[None]]] = []
    for row in await services.writes(services.storage.snoozes.snoozes_not_sent):
        if snooze_time(row.moment_key) > now or row.id is None:
            continue
        taken = await services.writes(take, row)
        if taken is None:
            continue
        item, target = taken
        report = await fetch_report(services, item.report_key)
        kind = ReminderKind.overdue if now > item.due_at else ReminderKind.reminder
        rid = row.id

        def job(rid: int = rid, item: DueItem = item, target: ReminderTarget = target, report: ReportType = report, kind: ReminderKind = kind) -> Awaitable[None]:
            async def run() -> None:
                summary.add(await send_claimed(services, bot, reminder_id=rid, kind=kind, report=report, item=item, target=target, now=now))

            return run()

        jobs.append(job)
    await run_pool(jobs)
