"""Sends that failed or whose fate is unknown: retried by time within the grace, stuck claims probed
and resolved after a crash."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import Services
from bot.models import DueItem, Obligation, Person, ReminderKind, ReminderSent, Role, Unit, id_of
from bot.services.deadlines.reports import fetch_report
from bot.services.reminders import delivery
from bot.services.reminders.policy import grace_deadline, quiet_now
from bot.services.reminders.send import Summary, reminder_keyboard, send_claimed
from bot.storage import deliveries, due, reminders
from bot.storage.reminders import SNOOZE_PREFIX, ReminderTarget

log = logging.getLogger(__name__)


STUCK_AFTER = timedelta(minutes=1)  # a claim not kept alive for this long: its sender died


HEARTBEAT_S = 15.0  # how often a process keeps its claims in flight alive (`keep_claims`)


def keep_claims(services: Services, *, now: datetime) -> int:
    """Mark the claims this process is delivering as alive (their attempt's start moved to `now`),
    so that no other process (or this one's sweep) takes one for stuck while its send waits in
    the limiter's queue or its 429 holds. How many were touched."""
    flying = sorted(delivery.in_flight(services))
    return services.storage.deliveries.touch_claims(reminder_ids=flying, now=now) if flying else 0


RETRY_FIRST = timedelta(seconds=30)  # the pause after a failed send before the sweeps try again; doubles


RETRY_CAP = timedelta(minutes=15)  # the longest pause between two sweeps' tries


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
    if quiet_now(services, now):
        return
    rows = await services.reads(_failed_rows, services, now=now)
    for row in rows:
        assert row.id is not None
        deadline = grace_deadline(services, moment_of(row))
        if now <= deadline and now < next_retry(row):
            continue
        taken = await services.writes(_retake, services, row, deadline=deadline, now=now)
        if taken is None:
            continue
        if taken is _UNDELIVERED_NOW:
            summary.failed += 1
            continue
        assert isinstance(taken, _Retry)
        summary.add(
            await send_claimed(
                services, bot, reminder_id=row.id, kind=row.kind, report=await fetch_report(services, taken.item.report_key),
                item=taken.item, target=taken.target, now=now, attempts=row.attempts + 1,
            )
        )


def _failed_rows(services: Services, *, now: datetime) -> list[ReminderSent]:
    with services.storage.read() as s:
        return [
            r for r in reminders.retryable_reminders(s, claimed_before=now - STUCK_AFTER, max_attempts=delivery.FINAL)
            if r.status == "failed" and r.due_item_id is not None and r.kind in (ReminderKind.reminder, ReminderKind.overdue)
        ]


@dataclass
class _Retry:
    """A failed reminder taken over to be sent again: what it is about, and to whom."""

    item: DueItem
    target: ReminderTarget


_UNDELIVERED_NOW = object()  # (`_retake`: its time ran out; given up "not delivered")


def _retake(services: Services, row: ReminderSent, *, deadline: datetime, now: datetime) -> _Retry | object | None:
    """Take a failed reminder over (None if another process took it), and give it up if its time ran
    out (`_UNDELIVERED_NOW`) or it is not needed any more (None); else what to send."""
    assert row.id is not None and row.due_item_id is not None
    with services.storage.session() as s:
        if not reminders.reclaim_reminder(s, reminder_id=row.id, seen_attempts=row.attempts, now=now):
            return None
        if now > deadline:
            local = deadline.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
            error = f"{reminders.UNDELIVERED}: retried until {local} (its moment + missed_grace); last error: {_last_error(row)}"
            deliveries.give_up_reminder(s, reminder_id=row.id, error=error, attempts=delivery.FINAL, now=now)
            log.warning("reminder %s: %s", row.id, error)
            return _UNDELIVERED_NOW
        found = deliveries.still_to_send(
            s, row, since=row.created_at, filed="not needed any more", reminded="not needed: reminded again since", reachable=True, now=now,
        )
    return None if found is None else _Retry(*found)


STUCK_UNKNOWN = "delivery unknown: the sending process stopped mid-send"
_UNPROBED = object()  # (a person none of whose stuck claims was looked at yet in this run)


async def recover_stuck(services: Services, bot: Any, *, now: datetime, summary: Summary) -> int:
    """Settle reminders whose claim is pending for longer than `STUCK_AFTER` (their sender died).

    A live sender keeps its claims alive every `HEARTBEAT_S` (`keep_claims`), however long its
    send waits in the limiter, and every later attempt first reclaims the row (which fails once
    we have taken it over); so a claim left by a crash is settled within a minute of the restart. Such a claim is
    ambiguous, so it is never resent blindly: the row is taken over (`reclaim_reminder`), then
    for a reminder with its keyboard the chat is probed (`delivery.find_delivered`): there →
    recorded sent; surely not there → sent now (if still owed and within its moment +
    `missed_grace`; in the quiet hours it is left failed for `retry_failed` to send when they
    end; past its time it is given up "not delivered", listed in the digest); cannot tell, or no keyboard to
    recognise it by (digest, escalation) → failed "delivery unknown", never retried, and
    listed in the coordinators' digest. Reminders this process is delivering are skipped. A process
    sends to one person one message at a time, in the order of its claims, so one person's stuck
    claims are taken in that order: the first is probed; a later one is probed too if the one before
    it was found in the chat (the sender went on: while the database was away every send of a
    moment may have gone out unrecorded), is surely not there if the one before surely was not (a
    later message of the bot's would have met that probe), and cannot be told if the one before could not.
    Returns how many rows were settled.
    """
    flying = delivery.in_flight(services)
    rows = [r for r in await services.reads(_stuck_rows, services, now=now) if r.id not in flying]
    settled = 0
    probed: dict[int, int | None | bool] = {}  # person -> what their latest stuck claim in this run turned out to be
    for row in rows:
        assert row.id is not None
        started = row.sent_at or row.created_at
        taken = await services.writes(_take_over, services, row, now=now)
        if taken is None:
            continue  # another process took it, or its sender came back
        item, obligation, person, unit, held = taken
        settled += 1
        if row.kind not in reminders.PROBED or item is None or obligation is None or person is None:
            await services.writes(services.storage.deliveries.give_up_reminder, reminder_id=row.id, error=STUCK_UNKNOWN, attempts=delivery.FINAL, now=now)
            summary.failed += 1
            log.warning("reminder %s: claimed at %s, never settled; delivery unknown", row.id, started)
            continue
        report = await fetch_report(services, item.report_key)
        target = ReminderTarget(id_of(obligation), obligation.unit_id, unit.name if unit else "", Role.primary, person)
        # recognised by its keyboard (unique: it carries the row id), rendered as the sender did
        language = services.language_of(person.language)
        markup = reminder_keyboard(
            services, user_id=person.telegram_user_id, reminder_id=row.id, obligation_id=target.obligation_id, report=report, language=language
        )
        assert person.id is not None
        # (a later one may still be in the chat if this process sent it and only the recording failed)
        found: int | None | bool = delivery.seen_here(bot, person.chat_id or person.telegram_user_id, markup)
        before = probed.get(person.id, _UNPROBED)
        if found is None and before is False:
            found = False  # the one before could not be told: nor can this one (never resent blindly)
        elif found is None and before is not None:  # their first stuck claim, or the one before was in the chat
            found = await delivery.find_delivered(
                services, bot, reminder_id=row.id, person_id=person.id, chat_id=person.chat_id or person.telegram_user_id, markup=markup,
            )
        probed[person.id] = found
        if found is False:
            await services.writes(services.storage.deliveries.give_up_reminder, reminder_id=row.id, error=STUCK_UNKNOWN, attempts=delivery.FINAL, now=now)
            summary.failed += 1
            log.warning("reminder %s: claimed at %s, never settled, not found by the probe either way; delivery unknown", row.id, started)
        elif found is not None:
            await services.writes(services.storage.reminders.mark_reminder_sent, reminder_id=row.id, message_id=int(found), now=now)
            log.info("reminder %s: a stuck claim had been delivered; recorded it", row.id)
        elif obligation.status not in due.PENDING or not person.reachable:
            await services.writes(services.storage.deliveries.give_up_reminder, reminder_id=row.id, error="not needed any more (stuck claim, not delivered)", attempts=delivery.FINAL, now=now)
        elif held is None:
            await services.writes(services.storage.deliveries.give_up_reminder, reminder_id=row.id, error=deliveries.NOT_A_LIAISON + " (stuck claim, not delivered)", attempts=delivery.FINAL, now=now)
        elif now > grace_deadline(services, moment_of(row)):
            error = f"{reminders.UNDELIVERED}: a stuck claim, not delivered, past its moment + missed_grace"
            await services.writes(services.storage.deliveries.give_up_reminder, reminder_id=row.id, error=error, attempts=delivery.FINAL, now=now)
            summary.failed += 1
            log.warning("reminder %s: %s", row.id, error)
        elif quiet_now(services, now) and row.kind is not ReminderKind.nudge:  # sent by `retry_failed` when they end
            await services.writes(
                services.storage.reminders.mark_reminder_failed, reminder_id=row.id, error="stuck claim, not delivered: waits for the end of the quiet hours", unreachable=False, now=now
            )
        else:
            target = ReminderTarget(id_of(obligation), id_of(held[1]), held[1].name, held[0], person)
            log.info("reminder %s: a stuck claim was not delivered; sending it now", row.id)
            summary.add(await send_claimed(
                services, bot, reminder_id=row.id, kind=row.kind, report=report, item=item, target=target, now=now, attempts=row.attempts + 1,
            ))
    return settled


def _stuck_rows(services: Services, *, now: datetime) -> list[ReminderSent]:
    with services.storage.read() as s:
        return deliveries.stuck_claims(s, started_before=now - STUCK_AFTER)


def _take_over(
    services: Services, row: ReminderSent, *, now: datetime
) -> tuple[DueItem | None, Obligation | None, Person | None, Unit | None, tuple[Role, Unit] | None] | None:
    """Take a stuck claim over (None if another process took it, or its sender came back): its item,
    obligation, person, unit and the person's liaison role there now."""
    assert row.id is not None
    with services.storage.session() as s:
        if not reminders.reclaim_reminder(s, reminder_id=row.id, seen_attempts=row.attempts, now=now):
            return None
        item, obligation, person = deliveries.subject_of(s, row)
        unit = s.get(Unit, row.unit_id) if row.unit_id else None
        held = reminders.liaison_role(s, person_id=id_of(person), unit_id=row.unit_id) if person is not None else None
    return item, obligation, person, unit, held
