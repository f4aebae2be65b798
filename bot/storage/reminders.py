"""Reminders: claimed in the database before sending, so none is ever sent twice.

The UNIQUE key (due_item_id, person_id, moment_key) decides which process sends a reminder:
`claim_reminder` inserts the row and only the inserter sends. Claim in its own
`storage.session()` block so the claim is committed before the message goes out.
"""

from datetime import datetime

from sqlmodel import Session, col, select, update

from bot.models import ReminderKind, ReminderSent, ReminderStatus
from bot.storage.base import insert_ignoring_conflicts

MAX_ERROR_LENGTH = 1000


def claim_reminder(
    session: Session,
    *,
    due_item_id: int | None,
    unit_id: int | None,
    person_id: int,
    moment_key: str,
    kind: ReminderKind,
    now: datetime,
) -> int | None:
    """Claim the right to send one reminder: its row id, or None if it was already claimed.

    `due_item_id` may be None for messages about no single deadline (a digest); those are
    unique by (person_id, moment_key).
    """
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
    reminder.last_error = f"{now.isoformat()} {error}"[:MAX_ERROR_LENGTH]
    session.flush()
    return reminder


def reclaim_reminder(session: Session, *, reminder_id: int, seen_attempts: int) -> bool:
    """Claim another attempt at a failed (or stuck pending) reminder; True if this caller won.

    Conditional on the attempt count the caller saw, so two retriers cannot both send.
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
    session: Session, *, due_item_id: int | None, person_id: int, moment_key: str
) -> bool:
    """Whether this reminder was already claimed (sent or being sent)."""
    statement = select(ReminderSent.id).where(
        ReminderSent.person_id == person_id, ReminderSent.moment_key == moment_key
    )
    if due_item_id is None:
        statement = statement.where(col(ReminderSent.due_item_id).is_(None))
    else:
        statement = statement.where(ReminderSent.due_item_id == due_item_id)
    return session.exec(statement).first() is not None
