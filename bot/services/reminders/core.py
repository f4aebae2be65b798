"""Reminders (提醒): who gets what at each reminder moment, and the timer that fires them.

**The database is the source of truth.** Due items and obligations are rows; every message
sent is a `ReminderSent` row claimed *before* sending under a UNIQUE key (due item, unit,
person, moment key), so a reminder cannot go out twice — not from two tasks, not from two
processes. The unit is in the key because one person may be liaison of two units owing the
same due item: each unit's obligation gets its own reminder (its own text and buttons), and
skipping, snoozes, nudges, retries and stuck-claim recovery all go by (unit, person).

**What is processed at `now`** (`process_due_moments`): for every due item, the *latest*
configured moment at or before `now`, if it is at most `missed_grace` old. In normal running
that is the moment that just came; after downtime it is the latest missed one, sent once;
earlier missed moments are never replayed. Plus snoozed reminders whose time has come,
the coordinators' digest and leaders' escalations (`bot.services.reminders.digest`), a retry of
failed sends, and the settling of claims whose sender died mid-send (`recover_stuck`: probed,
never resent blindly).

**Quiet hours**: nothing is sent inside them but a coordinator's nudge. Configured moments
are placed outside them (`schedules.plan`); what comes due inside them anyway — a catch-up
after downtime, a snooze, a retry, a stuck claim found undelivered, the digest — waits for
their end and is then sent once. The quiet hours do not use up `missed_grace`
(`grace_deadline`): a moment caught up at 23:00 within its grace is still owed at 07:30.

**Retries by time** (`retry_failed`): a send that fails `delivery.MAX_ATTEMPTS` times in a row
(Telegram or the network down) is tried again by later sweeps, with a pause that doubles up to
`RETRY_CAP`, until its moment + `missed_grace`; only then is it given up ("not delivered",
listed in the coordinators' digest).

**Snoozes** (稍后提醒): one pending snooze per (due item, unit, person); pressing again moves it.

**Ad-hoc deadlines** (/deadline, `bot.services.deadlines.adhoc`) are reminded like configured report
types: `plan` adds their moments, recomputed when their rows change; /deadline re-arms the
timer on confirm.

**Scheduling**: one timer, not one job per person or per moment. `schedule(app)` arms one
PTB JobQueue `run_once` job ("reminders-tick") for the earliest of: the next configured
moment (`schedules.next_moment`), the earliest snooze, the next digest time. When it fires it
processes with `now = max(clock, the moment it was armed for)` and re-arms itself. At start
a catch-up run is done at once, and a safety sweep runs every minute (retries, anything
missed); all of it is idempotent thanks to the claims, so running it more often is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application, ContextTypes, Job

from bot.config import ReportType
from bot.context import SERVICES_KEY, Services
from bot.models import DueItem, ReminderKind, ReminderSent, Role
from bot.services.reminders import delivery
from bot.services.deadlines.due_items import items_of
from bot.services.deadlines.reports import period_label, report_of, report_title
from bot.storage import due, reminders
from bot.storage.reminders import SNOOZE_PREFIX, ReminderTarget
from bot.texts.catalog import t
from schedules import DueItem as ScheduleItem
from schedules import ReminderMoment, reminders_for
from schedules.plan import after_quiet, grace_ends, in_quiet_hours
from schedules.rules import AnyTimeSchedule

log = logging.getLogger(__name__)

WORKERS = 48  # sends in flight at once; the limiter paces them, this bounds memory and DB work
SWEEP_EVERY_S = 60.0
STUCK_AFTER = timedelta(minutes=10)
RETRY_FIRST = timedelta(seconds=30)  # the pause after a failed send before the sweeps try again; doubles
RETRY_CAP = timedelta(minutes=15)  # the longest pause between two sweeps' tries
TICK_JOB = "reminders-tick"


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


# --- the plan -------------------------------------------------------------------------------


def _configured_plan(services: Services) -> list[ReminderMoment]:
    """The moments of the report types of config.toml (computed once per process)."""
    cached = services.extras.get("reminder-plan-config")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    config = services.config
    moments: list[ReminderMoment] = []
    for report in config.report_types:
        if isinstance(report.schedule, AnyTimeSchedule) or not report.reminders:
            continue
        for item in items_of(config, report, services.calendar):
            moments.extend(
                reminders_for(item, report, calendar=services.calendar, tz=config.campaign.tz, quiet_hours=config.reminders.quiet_hours)
            )
    services.extras["reminder-plan-config"] = moments
    return moments


def adhoc_moments(services: Services) -> list[ReminderMoment]:
    """The moments of the ad-hoc deadlines (/deadline), straight from their rows.

    Each is one due item (`adhoc_<id>`, 'once') due at the row's `due_at` (end of the day when
    no time was named); moments at or before the deadline's creation are dropped, so a
    deadline added today for tomorrow does not at once send the `-1d@09:00` reminder of this
    morning.
    """
    from bot.services.deadlines.adhoc import PERIOD_KEY, as_report_type

    config = services.config
    tz = config.campaign.tz
    moments: list[ReminderMoment] = []
    for row in services.storage.adhoc.list_adhoc_reports():
        report = as_report_type(row, tz)
        local = row.due_at.astimezone(tz)
        label = report.schedule.label  # type: ignore[union-attr]
        item = ScheduleItem(row.key, PERIOD_KEY, label, label, None, None, local.date(), local.date(), local)
        moments.extend(
            m
            for m in reminders_for(item, report, calendar=services.calendar, tz=tz, quiet_hours=config.reminders.quiet_hours)
            if m.at > row.created_at
        )
    return moments


def plan(services: Services) -> list[ReminderMoment]:
    """Every reminder moment of the campaign, configured and ad-hoc, by time.

    The configured part is computed once per process; the whole is recomputed only when the
    ad-hoc deadlines change (one cheap query a call: their count and highest id).
    """
    fingerprint = services.storage.adhoc.adhoc_fingerprint()
    cached = services.extras.get("reminder-plan")
    if cached is not None and cached[0] == fingerprint:
        return cached[1]  # type: ignore[no-any-return]
    moments = list(_configured_plan(services))
    if fingerprint[0]:
        moments.extend(adhoc_moments(services))
    moments.sort(key=lambda m: (m.at, m.report_key, m.period_key))
    services.extras["reminder-plan"] = (fingerprint, moments)
    return moments


def quiet_now(services: Services, now: datetime) -> bool:
    """Whether `now` lies inside the quiet hours (nothing is sent then but a coordinator's nudge)."""
    quiet = services.config.reminders.quiet_hours
    return quiet is not None and in_quiet_hours(now.astimezone(services.config.campaign.tz), quiet)


def grace_deadline(services: Services, at: datetime) -> datetime:
    """Until when something due at `at` may still be sent: `missed_grace` later, the quiet hours
    not counted (`schedules.plan.grace_ends`)."""
    config = services.config
    return grace_ends(at, config.reminders.missed_grace, config.reminders.quiet_hours, config.campaign.tz)


def moments_due(services: Services, now: datetime) -> list[ReminderMoment]:
    """Per due item, its latest moment at or before `now` and within `missed_grace`; none in quiet hours.

    A moment missed while down that would be caught up inside the quiet hours waits for their
    end (the quiet hours do not use up its grace, `grace_deadline`).
    """
    if quiet_now(services, now):
        return []
    latest: dict[tuple[str, str], ReminderMoment] = {}
    for m in plan(services):
        if m.at > now:
            break
        latest[(m.report_key, m.period_key)] = m
    return [m for m in latest.values() if now <= grace_deadline(services, m.at)]


def next_wake(services: Services, now: datetime) -> datetime | None:
    """When the timer must fire next: a configured moment, a snooze, the digest, the end of the quiet hours."""
    candidates = [m.at for m in plan(services) if m.at > now][:1]
    if quiet_now(services, now):  # what waited for the morning
        candidates.append(outside_quiet_hours(services, now))
    for row in services.storage.reminders.snoozes_not_sent():
        candidates.append(snooze_time(row.moment_key))
    from bot.services.reminders.digest import next_digest_at

    candidates.append(next_digest_at(services, now))
    return min(candidates) if candidates else None


# --- texts and buttons ----------------------------------------------------------------------


def language_of(services: Services, person_language: str | None) -> str:
    """A person's chosen language, else the campaign's."""
    return person_language or services.config.language


def due_phrase(services: Services, due_at: datetime, now: datetime, language: str) -> str:
    """'2023-09-02（周六），还有 3 天' — the due date, weekday, and days left or overdue."""
    tz = services.config.campaign.tz
    local = due_at.astimezone(tz)
    weekday = t(language, f"reminders.weekday-{local.weekday()}")
    shown = local.strftime("%Y-%m-%d") if (local.hour, local.minute) == (23, 59) else local.strftime("%Y-%m-%d %H:%M")
    days = (local.date() - now.astimezone(tz).date()).days
    if now > due_at:
        left = t(language, "reminders.overdue-days", days=max(1, -days))
    elif days == 0:
        left = t(language, "reminders.due-today")
    else:
        left = t(language, "reminders.days-left", days=days)
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


# --- sending ----------------------------------------------------------------------------------


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
    language = language_of(services, person.language)
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


def _person_lock(services: Services, person_id: int) -> asyncio.Lock:
    locks: dict[int, asyncio.Lock] = services.extras.setdefault("reminder-person-locks", {})
    return locks.setdefault(person_id, asyncio.Lock())


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
        with services.storage.session() as s:
            reminder_id = reminders.claim_reminder(
                s, due_item_id=item.id, unit_id=target.unit_id, person_id=person_id, moment_key=moment_key, kind=kind, now=now
            )
        if reminder_id is None:  # another task or process has it
            summary.skipped += 1
            continue
        outcome = await send_claimed(services, bot, reminder_id=reminder_id, kind=kind, report=report, item=item, target=target, now=now)
        summary.add(outcome)
        if outcome is delivery.Outcome.unreachable and target.role == Role.primary:
            queue.extend(fallback)
            fallback = []


async def run_pool(jobs: list[Callable[[], Awaitable[None]]], workers: int = WORKERS) -> None:
    """Run jobs with at most `workers` at once; one failing job does not stop the others."""
    pending = iter(jobs)

    async def worker() -> None:
        for job in pending:
            try:
                await job()
            except Exception:
                log.exception("a reminder job failed")

    await asyncio.gather(*(worker() for _ in range(min(workers, len(jobs)))))


async def process_moment(services: Services, bot: Any, moment: ReminderMoment, *, now: datetime, summary: Summary | None = None) -> Summary:
    """Send one configured moment's reminders to every liaison whose unit has not filed."""
    summary = summary or Summary()
    report = report_of(services, moment.report_key)
    with services.storage.session() as s:
        item = due.get_due_item(s, report_key=moment.report_key, period_key=moment.period_key)
        if item is None or item.id is None:
            return summary
        targets = reminders.reminder_targets(s, due_item_id=item.id)
        claimed = reminders.claimed_targets(s, due_item_id=item.id, moment_key=moment.moment_key)
    by_unit: dict[int, list[ReminderTarget]] = {}
    for target in targets:
        by_unit.setdefault(target.unit_id, []).append(target)
    kind = ReminderKind.overdue if moment.overdue else ReminderKind.reminder
    summary.moments.append(f"{moment.report_key}/{moment.period_key}@{moment.moment_key}")

    def job(unit_targets: list[ReminderTarget]) -> Callable[[], Awaitable[None]]:
        return lambda: _remind_unit(
            services, bot, item=item, report=report, moment_key=moment.moment_key, kind=kind,
            targets=unit_targets, claimed=claimed, now=now, summary=summary,
        )

    await run_pool([job(ts) for ts in by_unit.values()])
    return summary


# --- snoozes (稍后提醒) ------------------------------------------------------------------------

# Why a snooze, retry or stuck claim is not sent: the person was replaced or removed as the
# unit's liaison, or the unit was deactivated, since the reminder was made.
NOT_A_LIAISON = "not needed: no longer a liaison of the unit"


def snooze_time(moment_key: str) -> datetime:
    """The moment of a snooze row, from its key."""
    return datetime.strptime(moment_key.removeprefix(SNOOZE_PREFIX), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def outside_quiet_hours(services: Services, at: datetime) -> datetime:
    """`at`, or the end of the quiet hours it falls in (snoozes wait for the morning too)."""
    return after_quiet(at, services.config.reminders.quiet_hours, services.config.campaign.tz)


@dataclass
class Snoozed:
    """A snooze that was stored: when it will come (UTC); `moved_from`: the time of the pending
    snooze it replaced (the person pressed again), else None."""

    at: datetime
    moved_from: datetime | None = None


def snooze(services: Services, *, reminder_id: int, telegram_user_id: int, at: datetime, now: datetime) -> Snoozed | None:
    """Remind the person of this reminder's due item again at `at` (moved out of quiet hours).

    One pending snooze per (due item, unit, person): pressing again moves it
    (`storage.reminders.schedule_snooze`). None if the reminder is not this user's.
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
        stored = reminders.schedule_snooze(s, due_item_id=row.due_item_id, unit_id=row.unit_id, person_id=row.person_id, at=at, now=now)
    return Snoozed(stored.at, stored.moved_from)


async def process_snoozes(services: Services, bot: Any, *, now: datetime, summary: Summary) -> None:
    """Send the snoozed reminders whose time has come, if the unit still has not filed (not in quiet hours).

    A snooze is taken for sending under the obligation's lock (`storage.reminders.take_snooze`)
    and given up if the person got another reminder of the item since they pressed (a scheduled
    one, or a snooze of theirs that another process sent): never two for one press.
    """
    from bot.storage import people

    if quiet_now(services, now):
        return
    jobs: list[Callable[[], Awaitable[None]]] = []
    for row in services.storage.reminders.snoozes_not_sent():
        if snooze_time(row.moment_key) > now or row.id is None:
            continue
        with services.storage.session() as s:
            if not reminders.take_snooze(s, reminder_id=row.id, moment_key=row.moment_key, now=now):
                continue  # another process took it, or it was moved
            item = s.get(DueItem, row.due_item_id)
            obligation = due.get_obligation(s, due_item_id=row.due_item_id, unit_id=row.unit_id) if row.unit_id and row.due_item_id else None
            person = people.get_person(s, person_id=row.person_id)
            if item is None or obligation is None or person is None or obligation.status not in due.PENDING:
                reminders.give_up_reminder(s, reminder_id=row.id, error="not needed: filed before the snooze", attempts=delivery.FINAL, now=now)
                continue
            held = reminders.liaison_role(s, person_id=person.id, unit_id=row.unit_id)  # type: ignore[arg-type]
            if held is None:
                reminders.give_up_reminder(s, reminder_id=row.id, error=NOT_A_LIAISON, attempts=delivery.FINAL, now=now)
                continue
            pressed = s.get(ReminderSent, row.id).created_at  # type: ignore[union-attr]  # (as stored now: a move changes it)
            if reminders.reminded_since(
                s, due_item_id=item.id, unit_id=row.unit_id, person_id=person.id, since=pressed, exclude_id=row.id,  # type: ignore[arg-type]
            ):
                # Another reminder of the item and unit (a scheduled one, another snooze of theirs) went out since they pressed: one is enough.
                reminders.give_up_reminder(s, reminder_id=row.id, error="not needed: reminded again since the snooze", attempts=delivery.FINAL, now=now)
                continue
            role, unit = held
            target = ReminderTarget(obligation.id, unit.id, unit.name, role, person)  # type: ignore[arg-type]
        report = report_of(services, item.report_key)
        kind = ReminderKind.overdue if now > item.due_at else ReminderKind.reminder
        rid = row.id

        def job(rid: int = rid, item: DueItem = item, target: ReminderTarget = target, report: ReportType = report, kind: ReminderKind = kind) -> Awaitable[None]:
            async def run() -> None:
                summary.add(await send_claimed(services, bot, reminder_id=rid, kind=kind, report=report, item=item, target=target, now=now))

            return run()

        jobs.append(job)
    await run_pool(jobs)


# --- retries of failed sends ----------------------------------------------------------------


def moment_of(row: ReminderSent) -> datetime:
    """The moment a reminder row is for: a configured moment's time, a snooze's time, else its claim."""
    try:
        return datetime.strptime(row.moment_key.removeprefix(SNOOZE_PREFIX), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return row.created_at


def _failed_at(row: ReminderSent) -> datetime:
    """When the row's last attempt failed (the time stamp its error starts with)."""
    try:
        return datetime.fromisoformat((row.last_error or "").split(" ", 1)[0])
    except ValueError:
        return row.sent_at or row.created_at


def next_retry(row: ReminderSent) -> datetime:
    """When the sweeps may try a failed reminder again: `RETRY_FIRST` after its last failure,
    doubling with each failed round of `delivery.MAX_ATTEMPTS` tries, at most `RETRY_CAP`."""
    rounds = max(1, -(-row.attempts // delivery.MAX_ATTEMPTS))
    return _failed_at(row) + min(RETRY_CAP, RETRY_FIRST * 2 ** min(rounds - 1, 16))


def _last_error(row: ReminderSent) -> str:
    return (row.last_error or "").split(" ", 1)[-1]


async def retry_failed(services: Services, bot: Any, *, now: datetime, summary: Summary) -> None:
    """Failed reminders (surely not delivered) are tried again until their time runs out.

    A send that fails `delivery.MAX_ATTEMPTS` times in a row leaves its row failed; each sweep
    (not in the quiet hours) tries it again once its pause is over (`next_retry`), for as long
    as its moment + `missed_grace` has not passed (`grace_deadline`: a short outage of Telegram
    or of the network loses nothing). Then it is given up "not delivered" and listed in the
    coordinators' digest. Given up at once, as not needed: the unit filed, the person is
    unreachable or no longer its liaison, or they got a later reminder of the item since.
    """
    from bot.storage import people

    if quiet_now(services, now):
        return
    with services.storage.session() as s:
        rows = [
            r for r in reminders.retryable_reminders(s, claimed_before=now - STUCK_AFTER, max_attempts=delivery.FINAL)
            if r.status == "failed" and r.due_item_id is not None and r.kind in (ReminderKind.reminder, ReminderKind.overdue)
        ]
    for row in rows:
        assert row.id is not None
        deadline = grace_deadline(services, moment_of(row))
        if now <= deadline and now < next_retry(row):
            continue
        with services.storage.session() as s:
            if not reminders.reclaim_reminder(s, reminder_id=row.id, seen_attempts=row.attempts, now=now):
                continue
            if now > deadline:
                local = deadline.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
                error = f"{reminders.UNDELIVERED}: retried until {local} (its moment + missed_grace); last error: {_last_error(row)}"
                reminders.give_up_reminder(s, reminder_id=row.id, error=error, attempts=delivery.FINAL, now=now)
                summary.failed += 1
                log.warning("reminder %s: %s", row.id, error)
                continue
            item = s.get(DueItem, row.due_item_id)
            obligation = due.get_obligation(s, due_item_id=row.due_item_id, unit_id=row.unit_id) if row.unit_id and row.due_item_id else None
            person = people.get_person(s, person_id=row.person_id)
            if item is None or obligation is None or person is None or obligation.status not in due.PENDING or not person.reachable:
                reminders.give_up_reminder(s, reminder_id=row.id, error="not needed any more", attempts=delivery.FINAL, now=now)
                continue
            held = reminders.liaison_role(s, person_id=person.id, unit_id=row.unit_id)  # type: ignore[arg-type]
            if held is None:
                reminders.give_up_reminder(s, reminder_id=row.id, error=NOT_A_LIAISON, attempts=delivery.FINAL, now=now)
                continue
            if reminders.reminded_since(
                s, due_item_id=item.id, unit_id=row.unit_id, person_id=person.id, since=row.created_at, exclude_id=row.id,  # type: ignore[arg-type]
            ):
                reminders.give_up_reminder(s, reminder_id=row.id, error="not needed: reminded again since", attempts=delivery.FINAL, now=now)
                continue
            role, unit = held
        target = ReminderTarget(obligation.id, unit.id, unit.name, role, person)  # type: ignore[arg-type]
        summary.add(
            await send_claimed(
                services, bot, reminder_id=row.id, kind=row.kind, report=report_of(services, item.report_key),
                item=item, target=target, now=now, attempts=row.attempts + 1,
            )
        )


# --- stuck claims --------------------------------------------------------------------------------

STUCK_UNKNOWN = "delivery unknown: the sending process stopped mid-send"
_RENDERED = (ReminderKind.reminder, ReminderKind.overdue, ReminderKind.nudge)


async def recover_stuck(services: Services, bot: Any, *, now: datetime, summary: Summary) -> int:
    """Settle reminders whose claim is pending for longer than `STUCK_AFTER` (their sender died).

    No send takes that long: one attempt waits at most for the limiter's queue and its 429
    holds (`Limits.max_retry_after` + 1 tries) plus the HTTP timeouts, and every later attempt
    first reclaims the row (which fails once we have taken it over). Such a claim is
    ambiguous, so it is never resent blindly: the row is taken over (`reclaim_reminder`), then
    for a reminder with its keyboard the chat is probed (`delivery.find_delivered`): there →
    recorded sent; surely not there → sent now (if still owed and within its moment +
    `missed_grace`; in the quiet hours it is left failed for `retry_failed` to send when they
    end; past its time it is given up "not delivered", listed in the digest); cannot tell, or no keyboard to
    recognise it by (digest, escalation) → failed "delivery unknown", never retried, and
    listed in the coordinators' digest. Reminders this process is delivering are skipped.
    Returns how many rows were settled.
    """
    from bot.models import Unit
    from bot.storage import people

    flying = delivery.in_flight(services)
    with services.storage.session() as s:
        rows = [r for r in reminders.stuck_claims(s, started_before=now - STUCK_AFTER) if r.id not in flying]
    settled = 0
    for row in rows:
        assert row.id is not None
        started = row.sent_at or row.created_at
        with services.storage.session() as s:
            if not reminders.reclaim_reminder(s, reminder_id=row.id, seen_attempts=row.attempts, now=now):
                continue  # another process took it, or its sender came back
            item = s.get(DueItem, row.due_item_id) if row.due_item_id else None
            obligation = due.get_obligation(s, due_item_id=row.due_item_id, unit_id=row.unit_id) if row.unit_id and row.due_item_id else None
            person = people.get_person(s, person_id=row.person_id)
            unit = s.get(Unit, row.unit_id) if row.unit_id else None
            held = reminders.liaison_role(s, person_id=person.id, unit_id=row.unit_id) if person is not None else None  # type: ignore[arg-type]
        settled += 1
        if row.kind not in _RENDERED or item is None or obligation is None or person is None:
            services.storage.reminders.give_up_reminder(reminder_id=row.id, error=STUCK_UNKNOWN, attempts=delivery.FINAL, now=now)
            summary.failed += 1
            log.warning("reminder %s: claimed at %s, never settled; delivery unknown", row.id, started)
            continue
        report = report_of(services, item.report_key)
        target = ReminderTarget(obligation.id, row.unit_id, unit.name if unit else "", Role.primary, person)  # type: ignore[arg-type]
        # recognised by its keyboard (unique: it carries the row id), rendered as the sender did
        language = language_of(services, person.language)
        markup = reminder_keyboard(
            services, user_id=person.telegram_user_id, reminder_id=row.id, obligation_id=target.obligation_id, report=report, language=language
        )
        assert person.id is not None
        found = await delivery.find_delivered(
            services, bot, person_id=person.id, chat_id=person.chat_id or person.telegram_user_id, markup=markup, started=started
        )
        if found is False:
            services.storage.reminders.give_up_reminder(reminder_id=row.id, error=STUCK_UNKNOWN, attempts=delivery.FINAL, now=now)
            summary.failed += 1
            log.warning("reminder %s: claimed at %s, never settled, not found by the probe either way; delivery unknown", row.id, started)
        elif found is not None:
            services.storage.reminders.mark_reminder_sent(reminder_id=row.id, message_id=int(found), now=now)
            log.info("reminder %s: a stuck claim had been delivered; recorded it", row.id)
        elif obligation.status not in due.PENDING or not person.reachable:
            services.storage.reminders.give_up_reminder(reminder_id=row.id, error="not needed any more (stuck claim, not delivered)", attempts=delivery.FINAL, now=now)
        elif held is None:
            services.storage.reminders.give_up_reminder(reminder_id=row.id, error=NOT_A_LIAISON + " (stuck claim, not delivered)", attempts=delivery.FINAL, now=now)
        elif now > grace_deadline(services, moment_of(row)):
            error = f"{reminders.UNDELIVERED}: a stuck claim, not delivered, past its moment + missed_grace"
            services.storage.reminders.give_up_reminder(reminder_id=row.id, error=error, attempts=delivery.FINAL, now=now)
            summary.failed += 1
            log.warning("reminder %s: %s", row.id, error)
        elif quiet_now(services, now) and row.kind is not ReminderKind.nudge:  # sent by `retry_failed` when they end
            services.storage.reminders.mark_reminder_failed(
                reminder_id=row.id, error="stuck claim, not delivered: waits for the end of the quiet hours", unreachable=False, now=now
            )
        else:
            target = ReminderTarget(obligation.id, held[1].id, held[1].name, held[0], person)  # type: ignore[arg-type]
            log.info("reminder %s: a stuck claim was not delivered; sending it now", row.id)
            summary.add(await send_claimed(
                services, bot, reminder_id=row.id, kind=row.kind, report=report, item=item, target=target, now=now, attempts=row.attempts + 1,
            ))
    return settled


# --- the entry point and the timer ------------------------------------------------------------


async def process_due_moments(services: Services, bot: Any, *, now: datetime) -> Summary:
    """Everything that is due at `now`: configured moments, snoozes, digest, escalations, retries."""
    from bot.services.reminders import digest

    summary = Summary()
    for moment in moments_due(services, now):
        await process_moment(services, bot, moment, now=now, summary=summary)
    await process_snoozes(services, bot, now=now, summary=summary)
    await recover_stuck(services, bot, now=now, summary=summary)
    await digest.process_escalations(services, bot, now=now)  # first: the digest names a leader they did not reach
    await digest.process_digest(services, bot, now=now)
    await retry_failed(services, bot, now=now, summary=summary)
    if summary.sent or summary.failed or summary.unreachable:
        log.info("reminders: %d sent, %d unreachable, %d failed (%s)", summary.sent, summary.unreachable, summary.failed, ", ".join(summary.moments))
    return summary


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def _run(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The timer fired: process what is due, then arm the next tick."""
    services = _services(context)
    job: Job[Any] | None = context.job
    armed_for = job.data if job is not None and isinstance(job.data, datetime) else None
    now = services.clock.now()
    if armed_for is not None and armed_for > now:
        now = armed_for  # the timer fired, so its moment has come (a fixed clock in tests lags)
    lock: asyncio.Lock = services.extras.setdefault("reminders-lock", asyncio.Lock())
    async with lock:
        await process_due_moments(services, context.bot, now=now)
    if job is not None and job.name == TICK_JOB:
        arm(context.application, after=now)


def arm(app: Application[Any, Any, Any, Any, Any, Any], *, after: datetime | None = None) -> datetime | None:
    """(Re)arm the one reminder timer for the next thing due; its moment, or None."""
    services: Services = app.bot_data[SERVICES_KEY]
    if app.job_queue is None:
        return None
    for old in app.job_queue.get_jobs_by_name(TICK_JOB):
        old.schedule_removal()
    now = services.clock.now()
    wake = next_wake(services, max(now, after) if after else now)
    if wake is None:
        return None
    app.job_queue.run_once(_run, when=max(0.0, (wake - now).total_seconds()), data=wake, name=TICK_JOB)
    return wake


def schedule(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start: catch up at once, arm the timer, and sweep every minute."""
    if app.job_queue is None:
        log.warning("no JobQueue: reminders will not be sent (install python-telegram-bot[job-queue])")
        return
    app.job_queue.run_once(_run, when=0, name="reminders-catch-up")
    arm(app)
    app.job_queue.run_repeating(_run, interval=SWEEP_EVERY_S, first=SWEEP_EVERY_S, name="reminders-sweep")
