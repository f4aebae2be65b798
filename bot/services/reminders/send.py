"""Sending the reminders of one moment: claim per (item, unit, person, moment), render, send through
the one paced path, one send at a time per person. The design: docs/reminders.md."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sized
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import ReportType
from bot.context import PersonLock, Services
from bot.models import DueItem, ReminderKind, Role
from bot.services import outage
from bot.services.deadlines.reports import fetch_report, period_label, report_title
from bot.services.reminders import delivery
from bot.services.signoff import remind as signoff_remind
from bot.storage import deliveries, due, reminders, snoozes
from bot.storage.reminders import ReminderTarget
from bot.texts.catalog import t, tn
from schedules import ReminderMoment

log = logging.getLogger(__name__)


WORKERS = 48  # sends in flight at once; the limiter paces them, this bounds memory and DB work
PAGE = 500  # units whose liaisons a wave reads at a time (its memory is a page's, whatever the campaign's size)


@dataclass
class Summary:
    """What one processing run did."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0
    moments: list[str] = field(default_factory=list)

    def add(self, outcome: delivery.Outcome) -> None:
        if outcome is delivery.Outcome.sent:
            self.sent += 1
        elif outcome is delivery.Outcome.unreachable:
            self.unreachable += 1
        else:
            self.failed += 1



def due_phrase(services: Services, due_at: datetime, now: datetime, language: str) -> str:
    """'2023-09-02（周六），还有 3 天' — the due date, weekday, and days left or overdue."""
    tz = services.config.campaign.tz
    local = due_at.astimezone(tz)
    weekday = t(language, f"reminders.weekday-{local.weekday()}")
    shown = local.strftime("%Y-%m-%d") if (local.hour, local.minute) == (23, 59) else local.strftime("%Y-%m-%d %H:%M")
    days = (local.date() - now.astimezone(tz).date()).days
    if now > due_at:
        left = tn(language, "reminders.overdue-days", max(1, -days))
    elif days == 0:
        left = t(language, "reminders.due-today")
    else:
        left = tn(language, "reminders.days-left", days)
    return t(language, "reminders.due", date=shown, weekday=weekday, left=left)


def reminder_text(services: Services, *, kind: ReminderKind, report: ReportType, item: DueItem, unit_name: str, now: datetime, language: str) -> str:
    """The message of one reminder, overdue reminder or nudge."""
    return t(
        language,
        f"reminders.{kind.value}",
        title=report_title(report, language),
        period=period_label(services, report, period_key=item.period_key, stored=item.period_label, language=language),
        unit=unit_name,
        due=due_phrase(services, item.due_at, now, language),
    )


def reminder_keyboard(services: Services, *, user_id: int, reminder_id: int, obligation_id: int, report: ReportType, language: str) -> InlineKeyboardMarkup:
    """Submit now, 零报告 (where allowed), remind me later; unique per reminder (its id is in the data)."""
    pack = services.buttons.pack
    first = [InlineKeyboardButton(t(language, "reminders.button-submit"), callback_data=pack(user_id, "sub", obligation_id))]
    if report.zero_report:
        first.append(InlineKeyboardButton(t(language, "reminders.button-zero"), callback_data=pack(user_id, "zero", obligation_id)))
    later = [
        InlineKeyboardButton(t(language, "reminders.button-hour"), callback_data=pack(user_id, "snz", reminder_id, "1h")),
        InlineKeyboardButton(t(language, "reminders.button-tomorrow"), callback_data=pack(user_id, "snz", reminder_id, "t9")),
        InlineKeyboardButton(t(language, "reminders.button-other"), callback_data=pack(user_id, "snz", reminder_id, "ask")),
    ]
    return InlineKeyboardMarkup([first, later])


async def send_claimed(
    services: Services,
    bot: Any,
    *,
    reminder_id: int,
    kind: ReminderKind,
    report: ReportType,
    item: DueItem,
    target: ReminderTarget,
    now: datetime,
    attempts: int = 1,
) -> delivery.Outcome:
    """Render and deliver a reminder row that this caller has claimed."""
    person = target.person
    language = services.language_of(person.language)
    text = reminder_text(services, kind=kind, report=report, item=item, unit_name=target.unit_name, now=now, language=language)
    markup = reminder_keyboard(
        services, user_id=person.telegram_user_id, reminder_id=reminder_id, obligation_id=target.obligation_id, report=report, language=language
    )
    assert person.id is not None
    # One send at a time per person in this process: a liaison of two units gets both units'
    # reminders of a moment from two concurrent unit jobs, and a send still in flight would sit
    # above the other's probe floor (`delivery`: its keyboard could be taken for an unknown message).
    async with _person_lock(services, person.id):
        result = await delivery.deliver(
            services, bot, reminder_id=reminder_id, person_id=person.id, chat_id=person.chat_id or person.telegram_user_id,
            text=text, markup=markup, attempts=attempts,
        )
    return result.outcome


@contextlib.asynccontextmanager
async def _person_lock(services: Services, person_id: int) -> AsyncIterator[None]:
    """Held while a reminder goes to this person; dropped once nobody holds or waits for it (a wave to
    10,000 liaisons leaves no 10,000 locks behind)."""
    locks = services.caches.person_locks
    entry = locks.get(person_id)
    if entry is None:
        entry = locks[person_id] = PersonLock()
    entry.users += 1
    try:
        async with entry.lock:
            yield
    finally:
        entry.users -= 1
        if entry.users == 0 and locks.get(person_id) is entry:
            del locks[person_id]


def _recipients(services: Services, targets: list[ReminderTarget]) -> tuple[list[ReminderTarget], list[ReminderTarget]]:
    """(who gets it now, the backups to turn to if the primary turns out unreachable)."""
    primary = [x for x in targets if x.role == Role.primary and x.person.reachable]
    backups = [x for x in targets if x.role == Role.backup and x.person.reachable]
    if not primary:
        return backups, []
    if services.config.reminders.backup_gets_reminders:
        return primary + backups, []
    return primary, backups


async def _remind_unit(
    services: Services, bot: Any, *, item: DueItem, report: ReportType, moment_key: str, kind: ReminderKind,
    targets: list[ReminderTarget], claimed: set[tuple[int, int]], now: datetime, summary: Summary,
) -> None:
    """One unit's reminder: to its primary (and backups); to the backups if the primary is unreachable."""
    first, fallback = _recipients(services, targets)
    queue = list(first)
    seen: set[int] = set()
    while queue:
        target = queue.pop(0)
        person_id = target.person.id
        assert person_id is not None and item.id is not None
        if person_id in seen:
            continue
        seen.add(person_id)
        if (target.unit_id, person_id) in claimed:  # claimed for this unit; another unit's claim does not count
            summary.skipped += 1
            continue
        floor = delivery.chat_floor(bot, target.person.chat_id or target.person.telegram_user_id)
        # In a thread: on PostgreSQL its round trips would hold up the event loop (the pacer's sends then
        # leave late, which a rolling window at its limit never wins back), and a unit claimed meanwhile
        # by the other processor of this moment would be skipped without the loop ever getting a turn.
        reminder_id, covered = await services.writes(
            _claim, services, item_id=item.id, unit_id=target.unit_id, person_id=person_id, moment_key=moment_key, kind=kind, now=now, floor=floor
        )
        if reminder_id is None or covered:  # another task or process has it, or their snooze went out just now
            summary.skipped += 1
            continue
        outcome = await send_claimed(services, bot, reminder_id=reminder_id, kind=kind, report=report, item=item, target=target, now=now)
        summary.add(outcome)
        # blocked, or its arrival cannot be told: the backups are reminded too
        if outcome in (delivery.Outcome.unreachable, delivery.Outcome.unknown) and target.role == Role.primary:
            queue.extend(fallback)
            fallback = []


def _claim(
    services: Services, *, item_id: int, unit_id: int, person_id: int, moment_key: str, kind: ReminderKind, now: datetime, floor: int | None
) -> tuple[int | None, bool]:
    """Claim the reminder of (item, unit, person, moment): its row id (None if another task or process
    has it), and whether a snooze of theirs that went out just now stands for it (the claim then given up)."""
    # Stamped with the time of the claim, not of the wave's start: a wave to 10,000 lasts minutes, and
    # a claim stamped at its start would look stuck (`recovery.STUCK_AFTER`) to another process's
    # sweep until this process's heartbeat first touched it.
    claimed_at = max(now, services.clock.now())
    with services.storage.session() as s:
        # under the obligation's lock, like a snooze taken for sending: never both (two processes too)
        reminders.lock_obligation(s, due_item_id=item_id, unit_id=unit_id)
        reminder_id = reminders.claim_reminder(
            s, due_item_id=item_id, unit_id=unit_id, person_id=person_id, moment_key=moment_key, kind=kind, now=claimed_at, probe_floor=floor,
        )
        covered = reminder_id is not None and snoozes.snooze_went_out(
            s, due_item_id=item_id, unit_id=unit_id, person_id=person_id, since=_moment_time(moment_key, now) - SNOOZE_COVERS,
        )
        if reminder_id is not None and covered:
            deliveries.give_up_reminder(s, reminder_id=reminder_id, error=SNOOZED_NOW, attempts=reminders.FINAL, now=now)
    return reminder_id, covered


SNOOZE_COVERS = timedelta(minutes=30)  # a snooze sent this shortly before a moment stands for its reminder
SNOOZED_NOW = "not needed: a snooze of theirs went out at this moment"


def _moment_time(moment_key: str, default: datetime) -> datetime:
    try:
        return datetime.strptime(moment_key, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return default


async def run_pool(
    jobs: Iterable[Callable[[], Awaitable[None]]] | AsyncIterator[Callable[[], Awaitable[None]]], workers: int = WORKERS, *, count: int | None = None
) -> None:
    """Run jobs with at most `workers` at once; one failing job does not stop the others.

    `jobs` may be drawn lazily (an async generator reading a page of units at a time, its reads off the
    loop; `count` then says how many to expect): if drawing the next one fails, the jobs under way
    finish and the error is raised after them.
    """
    pending: AsyncIterator[Callable[[], Awaitable[None]]] = jobs if isinstance(jobs, AsyncIterator) else _drawn(jobs)
    drawing = asyncio.Lock()  # (an async generator is drawn by one worker at a time)
    unread: list[Exception] = []

    async def worker() -> None:
        while True:
            try:
                async with drawing:
                    job = await anext(pending, None) if not unread else None
            except Exception as e:  # (the generator is over: the other workers stop drawing too)
                unread.append(e)
                return
            if job is None:
                return
            try:
                await job()
            except Exception as e:
                if outage.is_outage(e):  # what it claimed was rolled back or stays a claim: the sweeps take it up
                    log.warning("a reminder job met the database away (%s); the sweeps take it up", type(e).__name__)
                else:
                    log.exception("a reminder job failed")

    size = count if count is not None else len(jobs) if isinstance(jobs, Sized) else workers
    await asyncio.gather(*(worker() for _ in range(min(workers, size))))
    if unread:
        raise unread[0]


async def _drawn(jobs: Iterable[Callable[[], Awaitable[None]]]) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    for job in jobs:
        yield job


@dataclass
class _Wave:
    """What a moment's wave reads first: its due item, the units that owe, who was claimed already."""

    item: DueItem
    units: list[int]
    claimed: set[tuple[int, int]]


def _wave(services: Services, moment: ReminderMoment) -> _Wave | None:
    with services.storage.read() as s:
        item = due.get_due_item(s, report_key=moment.report_key, period_key=moment.period_key)
        if item is None or item.id is None:
            return None
        return _Wave(item, reminders.owing_units(s, due_item_id=item.id), reminders.claimed_targets(s, due_item_id=item.id, moment_key=moment.moment_key))


def _page(services: Services, *, due_item_id: int, unit_ids: list[int]) -> list[list[ReminderTarget]]:
    """A page of units' liaisons, unit by unit."""
    with services.storage.read() as s:
        targets = reminders.reminder_targets(s, due_item_id=due_item_id, unit_ids=unit_ids)
    by_unit: dict[int, list[ReminderTarget]] = {}
    for target in targets:
        by_unit.setdefault(target.unit_id, []).append(target)
    return list(by_unit.values())


async def process_moment(services: Services, bot: Any, moment: ReminderMoment, *, now: datetime, summary: Summary | None = None) -> Summary:
    """Send one configured moment's reminders to every liaison whose unit has not filed."""
    summary = summary or Summary()
    report = await fetch_report(services, moment.report_key)
    wave = await services.reads(_wave, services, moment)  # (in a thread on PostgreSQL, as every read below)
    if wave is None:
        return summary
    item, units, claimed = wave.item, wave.units, wave.claimed
    assert item.id is not None
    item_id = item.id
    kind = ReminderKind.overdue if moment.overdue else ReminderKind.reminder
    summary.moments.append(f"{moment.report_key}/{moment.period_key}@{moment.moment_key}")

    def job(unit_targets: list[ReminderTarget]) -> Callable[[], Awaitable[None]]:
        return lambda: _remind_unit(
            services, bot, item=item, report=report, moment_key=moment.moment_key, kind=kind,
            targets=unit_targets, claimed=claimed, now=now, summary=summary,
        )

    async def jobs() -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """A page of units' liaisons read when the workers come to it (10,000 liaisons are not held at once)."""
        for start in range(0, len(units), PAGE):
            for unit_targets in await services.reads(_page, services, due_item_id=item_id, unit_ids=units[start:start + PAGE]):
                yield job(unit_targets)

    await run_pool(jobs(), count=len(units))
    # a report that needs sign-off: the heads of units whose filing waits are reminded too
    await signoff_remind.remind_heads(services, bot, item=item, report=report, moment_key=moment.moment_key, now=now)
    return summary
