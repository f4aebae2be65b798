"""Reminders: claimed in the database before sending, so none is ever sent twice.

The UNIQUE key (due_item_id, unit_id, person_id, moment_key) decides which process sends a
reminder: `claim_reminder` inserts the row and only the inserter sends; claim in its own
`storage.session()` block so the claim is committed before the message goes out. Why the unit is
in the key, snoozes and given-up rows: docs/reminders.md."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from datetime import datetime

from sqlalchemy import select as sql_select  # more columns than sqlmodel.select types
from sqlmodel import Session, col, func, select, update

from bot.models import Obligation, Person, ReminderKind, ReminderSent, ReminderStatus, Role, RoleAssignment, Unit
from bot.storage.sql import insert_ignoring_conflicts


MAX_ERROR_LENGTH = 1000


FINAL = 1_000_000  # attempts recorded for a reminder given up for good: never retried


UNDELIVERED = "not delivered"  # the error of a row given up undelivered (listed in the digest)


DELIVERY_UNKNOWN = "delivery unknown"  # the error of a row that may or may not have arrived (listed too)


PROBED = (ReminderKind.reminder, ReminderKind.overdue, ReminderKind.nudge)  # sent with a keyboard a probe recognises


def claim_reminder(
    session: Session,
    *,
    due_item_id: int | None,
    unit_id: int | None,
    person_id: int,
    moment_key: str,
    kind: ReminderKind,
    now: datetime,
    probe_floor: int | None = None,
) -> int | None:
    """Claim the right to send one reminder: its row id, or None if it was already claimed.

    `probe_floor`: the highest message id known in the chat now (see `ReminderSent.probe_floor`). For
    a reminder with a keyboard (reminder, overdue, nudge: what a probe can recognise) it is raised to
    the person's highest message id recorded so far, read in the claim's transaction: every message
    recorded by now (by any process) is older than the one this claim will send, so the floor is one
    no later message can lower the probe under, whatever happens to the clock or to other processes.

    A reminder of a due item is about one unit's obligation and needs its `unit_id`.
    `due_item_id` may be None for messages about no single deadline (a digest); those are
    unique by (person_id, moment_key).
    """
    if due_item_id is not None and unit_id is None:
        # NULLs are distinct in a UNIQUE key: such a row could be claimed any number of times.
        raise ValueError("a reminder of a due item needs its unit")
    if kind in PROBED:
        recorded = session.exec(select(func.max(ReminderSent.telegram_message_id)).where(ReminderSent.person_id == person_id)).first()
        probe_floor = max(probe_floor or 0, recorded or 0)
    return insert_ignoring_conflicts(
        session,
        ReminderSent,
        {
            "due_item_id": due_item_id,
            "unit_id": unit_id,
            "person_id": person_id,
            "moment_key": moment_key,
            "kind": ReminderKind(kind),
            "status": ReminderStatus.pending,
            "attempts": 1,
            "probe_floor": probe_floor,
            "created_at": now,
        },
    )


def _reminder(session: Session, reminder_id: int) -> ReminderSent:
    reminder = session.get(ReminderSent, reminder_id)
    if reminder is None:
        raise LookupError(f"no reminder with id {reminder_id}")
    return reminder


def mark_reminder_sent(
    session: Session, *, reminder_id: int, message_id: int | None, now: datetime
) -> ReminderSent:
    """The message went out; remember its Telegram message id."""
    reminder = _reminder(session, reminder_id)
    reminder.status = ReminderStatus.sent
    reminder.telegram_message_id = message_id
    reminder.sent_at = now
    reminder.last_error = None
    session.flush()
    return reminder


def mark_reminder_failed(
    session: Session, *, reminder_id: int, error: str, unreachable: bool, now: datetime
) -> ReminderSent:
    """Sending failed: `unreachable` (403, blocked) is final, otherwise it may be retried."""
    reminder = _reminder(session, reminder_id)
    reminder.status = ReminderStatus.unreachable if unreachable else ReminderStatus.failed
    reminder.sent_at = None
    reminder.last_error = f"{now.isoformat()} {error}"[:MAX_ERROR_LENGTH]
    session.flush()
    return reminder


def reclaim_reminder(session: Session, *, reminder_id: int, seen_attempts: int, now: datetime | None = None) -> bool:
    """Claim another attempt at a failed (or stuck pending) reminder; True if this caller won.

    Conditional on the attempt count the caller saw, so two retriers cannot both send. With
    `now`, the attempt's start is recorded in `sent_at` while the row is pending (see
    `stuck_claims`); `mark_reminder_sent` overwrites it, `mark_reminder_failed` clears it.
    """
    statement = (
        update(ReminderSent)
        .where(
            col(ReminderSent.id) == reminder_id,
            col(ReminderSent.attempts) == seen_attempts,
            col(ReminderSent.status).in_([ReminderStatus.failed, ReminderStatus.pending]),
        )
        .values(status=ReminderStatus.pending, attempts=ReminderSent.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    won = session.exec(statement).rowcount == 1
    reminder = session.get(ReminderSent, reminder_id)
    if reminder is not None:
        session.refresh(reminder)
        if won and now is not None:
            reminder.sent_at = now
            session.flush()
    return won


def retryable_reminders(
    session: Session, *, claimed_before: datetime, max_attempts: int
) -> list[ReminderSent]:
    """Failed reminders, and pending ones claimed before `claimed_before` (the sender died),
    with fewer than `max_attempts` attempts; oldest first."""
    statement = (
        select(ReminderSent)
        .where(
            col(ReminderSent.attempts) < max_attempts,
            (col(ReminderSent.status) == ReminderStatus.failed)
            | (
                (col(ReminderSent.status) == ReminderStatus.pending)
                & (col(ReminderSent.created_at) < claimed_before)
            ),
        )
        .order_by(col(ReminderSent.created_at), col(ReminderSent.id))
    )
    return list(session.exec(statement))


def get_reminder(session: Session, *, reminder_id: int) -> ReminderSent | None:
    """The reminder row with this id."""
    return session.get(ReminderSent, reminder_id)


def reminders_for(
    session: Session, *, due_item_id: int | None = None, person_id: int | None = None
) -> list[ReminderSent]:
    """Reminders claimed for a due item and/or a person, oldest first."""
    statement = select(ReminderSent).order_by(col(ReminderSent.created_at), col(ReminderSent.id))
    if due_item_id is not None:
        statement = statement.where(ReminderSent.due_item_id == due_item_id)
    if person_id is not None:
        statement = statement.where(ReminderSent.person_id == person_id)
    return list(session.exec(statement))


def was_claimed(
    session: Session, *, due_item_id: int | None, unit_id: int | None, person_id: int, moment_key: str
) -> bool:
    """Whether this reminder was already claimed (sent or being sent); `unit_id` None with no due item."""
    statement = select(ReminderSent.id).where(
        ReminderSent.person_id == person_id, ReminderSent.moment_key == moment_key
    )
    if due_item_id is None:
        statement = statement.where(col(ReminderSent.due_item_id).is_(None))
    else:
        statement = statement.where(ReminderSent.due_item_id == due_item_id, ReminderSent.unit_id == unit_id)
    return session.exec(statement).first() is not None


SNOOZE_PREFIX = "snooze@"


NUDGE_PREFIX = "nudge@"


@dataclass
class ReminderTarget:
    """Someone who may receive a due item's reminder: a liaison of a unit that has not filed."""

    obligation_id: int
    unit_id: int
    unit_name: str
    role: Role
    person: Person


def reminder_targets(session: Session, *, due_item_id: int, unit_ids: Sequence[int] | None = None) -> list[ReminderTarget]:
    """Liaisons (primary first) of active units with an open or returned obligation, in one query; of
    `unit_ids` only, when given (a wave reads its units a page at a time: `owing_units`)."""
    from bot.storage.due import PENDING

    statement: Any = (  # the person as a row, the rest as columns: a wave holds a page of these, not four rows each
        sql_select(col(Obligation.id), col(Unit.id), col(Unit.name), col(RoleAssignment.role), Person)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .join(RoleAssignment, col(RoleAssignment.unit_id) == Obligation.unit_id)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(
            col(Obligation.due_item_id) == due_item_id,
            col(Obligation.status).in_(PENDING),
            col(Unit.active).is_(True),
            col(RoleAssignment.ended_at).is_(None),
            col(RoleAssignment.role).in_([Role.primary, Role.backup]),
        )
        .order_by(col(Unit.id), col(RoleAssignment.role).desc(), col(RoleAssignment.id))
    )
    if unit_ids is not None:
        statement = statement.where(col(Obligation.unit_id).in_(list(unit_ids)))
    return [
        ReminderTarget(obligation_id, unit_id, unit_name, role, person)
        for obligation_id, unit_id, unit_name, role, person in session.execute(statement)
    ]


def owing_units(session: Session, *, due_item_id: int) -> list[int]:
    """Ids of the active units with an open or returned obligation of a due item, in order (a wave's
    pages: `reminder_targets(unit_ids=...)`)."""
    from bot.storage.due import PENDING

    statement = (
        select(col(Obligation.unit_id))
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(Obligation.due_item_id == due_item_id, col(Obligation.status).in_(PENDING), col(Unit.active).is_(True))
        .order_by(col(Obligation.unit_id))
    )
    return [unit_id for unit_id in session.exec(statement) if unit_id is not None]


def liaison_role(session: Session, *, person_id: int, unit_id: int | None) -> tuple[Role, Unit] | None:
    """The person's active primary/backup role in an active unit (primary first), with the unit;
    None if they no longer hold one (replaced, removed, the unit deactivated)."""
    if unit_id is None:
        return None
    statement = (
        select(RoleAssignment, Unit)
        .join(Unit, col(Unit.id) == RoleAssignment.unit_id)
        .where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.unit_id == unit_id,
            col(RoleAssignment.ended_at).is_(None),
            col(RoleAssignment.role).in_([Role.primary, Role.backup]),
            col(Unit.active).is_(True),
        )
        .order_by(col(RoleAssignment.role).desc(), col(RoleAssignment.id))
    )
    row = session.exec(statement).first()
    return None if row is None else (row[0].role, row[1])


def claimed_targets(session: Session, *, due_item_id: int, moment_key: str) -> set[tuple[int, int]]:
    """(unit id, person id) already claimed for a due item's moment (to skip them without an
    INSERT each); per unit, as a person reminded for one unit is still owed the other's."""
    statement = select(ReminderSent.unit_id, ReminderSent.person_id).where(
        ReminderSent.due_item_id == due_item_id, ReminderSent.moment_key == moment_key
    )
    return {(unit_id, person_id) for unit_id, person_id in session.exec(statement) if unit_id is not None}


def lock_obligation(session: Session, *, due_item_id: int, unit_id: int) -> None:
    """Hold one unit's obligation of a due item until the transaction ends (PostgreSQL: a row
    lock; SQLite: every transaction already holds the write lock from its start, BEGIN IMMEDIATE).

    Snoozes of the obligation are scheduled, moved and taken for sending under it, so that two
    processes cannot both leave a pending snooze or both send one.
    """
    statement = (
        select(Obligation.id)
        .where(Obligation.due_item_id == due_item_id, Obligation.unit_id == unit_id)
        .with_for_update()
    )
    session.exec(statement).first()


UNREACHED_WITH = "unreachable: in one message with reminder"  # an escalation row that shared a 403'd message


def last_nudge(session: Session, *, due_item_id: int, unit_id: int) -> ReminderSent | None:
    """The latest nudge (一键催办) of a unit for a due item."""
    statement = (
        select(ReminderSent)
        .where(
            ReminderSent.due_item_id == due_item_id,
            ReminderSent.unit_id == unit_id,
            ReminderSent.kind == ReminderKind.nudge,
        )
        .order_by(col(ReminderSent.created_at).desc(), col(ReminderSent.id).desc())
    )
    return session.exec(statement).first()
