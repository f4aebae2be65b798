"""Snoozes (稍后提醒): at most one pending row keyed `snooze@<time>` per (due item, unit, person),
moved and taken under `lock_obligation` so two processes neither leave two nor send two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select, update

from bot.models import ReminderKind, ReminderSent, ReminderStatus
from bot.storage.reminders import FINAL, SNOOZE_PREFIX, UNREACHED_WITH, lock_obligation
from bot.storage.sql import insert_ignoring_conflicts


def snooze_key(at: datetime) -> str:
    """The moment key of a snooze due at `at`."""
    return SNOOZE_PREFIX + at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ScheduledSnooze:
    """A snooze stored by `schedule_snooze`: its row, when it comes, and the time it replaced."""

    reminder_id: int
    at: datetime
    moved_from: datetime | None = None


def _pending_snoozes(session: Session, *, due_item_id: int, unit_id: int, person_id: int) -> list[ReminderSent]:
    statement = (
        select(ReminderSent)
        .where(
            ReminderSent.due_item_id == due_item_id,
            ReminderSent.unit_id == unit_id,
            ReminderSent.person_id == person_id,
            col(ReminderSent.moment_key).startswith(SNOOZE_PREFIX),
            ReminderSent.status == ReminderStatus.pending,
            ReminderSent.attempts == 0,
        )
        .order_by(col(ReminderSent.id))
    )
    return list(session.exec(statement))


def schedule_snooze(
    session: Session,
    *,
    due_item_id: int,
    unit_id: int | None,
    person_id: int,
    at: datetime,
    now: datetime,
) -> ScheduledSnooze:
    """Remind a person of one unit's obligation again at `at` (UTC): one pending snooze per
    (due item, unit, person), a row with no attempt yet.

    If one is pending it is *moved* to `at` (its press time, `created_at`, becomes `now`);
    otherwise a new one is made. Under `lock_obligation`, so two presses handled by two
    processes leave one snooze. (Should earlier versions have left several, the others are
    dropped.) The time is kept to the second and is unique per row: should a row already
    carry that key (a snooze given up earlier), the new one comes a second later.
    """
    if unit_id is None:  # as in claim_reminder: a NULL unit would escape the unique key
        raise ValueError("a snooze of a due item needs its unit")
    lock_obligation(session, due_item_id=due_item_id, unit_id=unit_id)
    at = at.astimezone(UTC).replace(microsecond=0)
    pending = _pending_snoozes(session, due_item_id=due_item_id, unit_id=unit_id, person_id=person_id)
    keep = pending[0] if pending else None
    for extra in pending[1:]:
        extra.status = ReminderStatus.failed
        extra.attempts = FINAL
        extra.last_error = f"{now.isoformat()} not needed: replaced by a later snooze"
    session.flush()
    for _ in range(60):
        taken = session.exec(
            select(ReminderSent.id).where(
                ReminderSent.due_item_id == due_item_id,
                ReminderSent.unit_id == unit_id,
                ReminderSent.person_id == person_id,
                ReminderSent.moment_key == snooze_key(at),
            )
        ).first()
        if taken is None or (keep is not None and taken == keep.id):
            break
        at += timedelta(seconds=1)
    if keep is not None:
        moved_from = datetime.strptime(keep.moment_key.removeprefix(SNOOZE_PREFIX), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        keep.moment_key = snooze_key(at)
        keep.created_at = now
        session.flush()
        assert keep.id is not None
        return ScheduledSnooze(keep.id, at, moved_from)
    new_id = insert_ignoring_conflicts(
        session,
        ReminderSent,
        {
            "due_item_id": due_item_id,
            "unit_id": unit_id,
            "person_id": person_id,
            "moment_key": snooze_key(at),
            "kind": ReminderKind.reminder,
            "status": ReminderStatus.pending,
            "attempts": 0,
            "created_at": now,
        },
    )
    assert new_id is not None  # the key was checked free under the lock
    return ScheduledSnooze(new_id, at)


def reopen_unreached(
    session: Session, *, due_item_id: int, unit_id: int, person_id: int, moment_key: str, now: datetime
) -> tuple[int, int] | None:
    """Take up again a claimed message that never reached the person because they could not be
    messaged (403: never started the bot, or blocked it) — now that they can be: (its id, its
    attempt count now, for `delivery.deliver`), or None.

    Such a row is `unreachable`, or failed as having shared such a message (`UNREACHED_WITH`;
    its attempts, `FINAL`, start again from 1). Conditional on what the caller read, like
    `reclaim_reminder`: one process wins.
    """
    row = session.exec(
        select(ReminderSent).where(
            ReminderSent.due_item_id == due_item_id,
            ReminderSent.unit_id == unit_id,
            ReminderSent.person_id == person_id,
            ReminderSent.moment_key == moment_key,
        )
    ).first()
    if row is None or row.id is None:
        return None
    unreached = row.status == ReminderStatus.unreachable or (
        row.status == ReminderStatus.failed and UNREACHED_WITH in (row.last_error or "")
    )
    if not unreached:
        return None
    attempts = row.attempts + 1 if row.attempts < FINAL else 1
    statement = (
        update(ReminderSent)
        .where(col(ReminderSent.id) == row.id, col(ReminderSent.status) == row.status, col(ReminderSent.attempts) == row.attempts)
        .values(status=ReminderStatus.pending, attempts=attempts, sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    won = session.exec(statement).rowcount == 1
    session.refresh(row)
    return (row.id, attempts) if won else None


def take_snooze(session: Session, *, reminder_id: int, moment_key: str, now: datetime) -> bool:
    """Take a due snooze for sending (its first attempt); True if this caller won.

    Under `lock_obligation` (the caller then asks `reminded_since` in the same transaction),
    and only if it still has the key the caller read: a snooze moved in the meantime waits.
    """
    row = session.get(ReminderSent, reminder_id)
    if row is None or row.due_item_id is None or row.unit_id is None:
        return False
    lock_obligation(session, due_item_id=row.due_item_id, unit_id=row.unit_id)
    statement = (
        update(ReminderSent)
        .where(
            col(ReminderSent.id) == reminder_id,
            col(ReminderSent.status) == ReminderStatus.pending,
            col(ReminderSent.attempts) == 0,
            col(ReminderSent.moment_key) == moment_key,
        )
        .values(attempts=1, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    won = session.exec(statement).rowcount == 1
    session.refresh(row)
    return won


def snoozes_not_sent(session: Session) -> list[ReminderSent]:
    """Snoozed reminders not yet attempted, any time; the caller reads the moment from the key."""
    statement = (
        select(ReminderSent)
        .where(
            col(ReminderSent.moment_key).startswith(SNOOZE_PREFIX),
            ReminderSent.status == ReminderStatus.pending,
            ReminderSent.attempts == 0,
        )
        .order_by(col(ReminderSent.moment_key))
    )
    return list(session.exec(statement))


def snooze_went_out(session: Session, *, due_item_id: int, unit_id: int, person_id: int, since: datetime) -> bool:
    """Whether a snooze of this person for the unit's obligation was taken for sending (sent, or
    being sent) at or after `since`; ask under `lock_obligation` (as `take_snooze` does)."""
    statement = select(ReminderSent.id).where(
        ReminderSent.due_item_id == due_item_id,
        ReminderSent.unit_id == unit_id,
        ReminderSent.person_id == person_id,
        col(ReminderSent.moment_key).startswith(SNOOZE_PREFIX),
        col(ReminderSent.attempts) > 0,
        col(ReminderSent.status).in_([ReminderStatus.sent, ReminderStatus.pending]),
        col(ReminderSent.sent_at) >= since,
    )
    return session.exec(statement).first() is not None
