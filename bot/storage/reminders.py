"""Reminders: claimed in the database before sending, so none is ever sent twice.

The UNIQUE key (due_item_id, unit_id, person_id, moment_key) decides which process sends a
reminder: `claim_reminder` inserts the row and only the inserter sends. Claim in its own
`storage.session()` block so the claim is committed before the message goes out.

The unit is part of the key because one person may be liaison of two units that owe the same
due item (a 所 and a working group): each unit's obligation gets its own reminder. So a row
tied to a due item always names its unit (a NULL unit_id would defeat the key), and every
"was this person already reminded" question here is asked per (unit, person).

A snooze (稍后提醒) is a row keyed `snooze@<time>` with no attempt yet; there is at most one such
pending row per (due item, unit, person): `schedule_snooze` moves it when the person presses
again, and it and `take_snooze` work under `lock_obligation`, so two processes neither leave
two nor send two. Rows given up for good carry `FINAL` attempts; their error says why —
"not delivered" (`UNDELIVERED`) and "delivery unknown" ones are named in the coordinators' digest.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, func, select, update

from bot.models import Obligation, Person, ReminderKind, ReminderSent, ReminderStatus, Role, RoleAssignment, Unit
from bot.storage.sql import insert_ignoring_conflicts

MAX_ERROR_LENGTH = 1000
FINAL = 1_000_000  # attempts recorded for a reminder given up for good: never retried
UNDELIVERED = "not delivered"  # the error of a row given up undelivered (listed in the digest)
DELIVERY_UNKNOWN = "delivery unknown"  # the error of a row that may or may not have arrived (listed too)


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

    A reminder of a due item is about one unit's obligation and needs its `unit_id`.
    `due_item_id` may be None for messages about no single deadline (a digest); those are
    unique by (person_id, moment_key).
    """
    if due_item_id is not None and unit_id is None:
        # NULLs are distinct in a UNIQUE key: such a row could be claimed any number of times.
        raise ValueError("a reminder of a due item needs its unit")
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


# --- queries of the reminder services (bot.services.reminders.core, nudge, digest) ------------------

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


def reminder_targets(session: Session, *, due_item_id: int) -> list[ReminderTarget]:
    """Liaisons (primary first) of active units with an open or returned obligation, in one query."""
    from bot.storage.due import PENDING

    statement = (
        select(Obligation, Unit, RoleAssignment, Person)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .join(RoleAssignment, col(RoleAssignment.unit_id) == Obligation.unit_id)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(
            Obligation.due_item_id == due_item_id,
            col(Obligation.status).in_(PENDING),
            col(Unit.active).is_(True),
            col(RoleAssignment.ended_at).is_(None),
            col(RoleAssignment.role).in_([Role.primary, Role.backup]),
        )
        .order_by(col(Unit.id), col(RoleAssignment.role).desc(), col(RoleAssignment.id))
    )
    return [
        ReminderTarget(o.id, u.id, u.name, a.role, p)  # type: ignore[arg-type]
        for o, u, a, p in session.exec(statement)
    ]


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


UNREACHED_WITH = "unreachable: in one message with reminder"  # an escalation row that shared a 403'd message


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


def last_message_id(session: Session, *, person_id: int) -> int | None:
    """The highest Telegram message id recorded for a person's reminders (a floor for probing)."""
    statement = select(func.max(ReminderSent.telegram_message_id)).where(ReminderSent.person_id == person_id)
    return session.exec(statement).first()


def give_up_reminder(session: Session, *, reminder_id: int, error: str, attempts: int, now: datetime) -> ReminderSent:
    """Failed for good (permanent error, or delivery unknown): never retried automatically."""
    reminder = mark_reminder_failed(session, reminder_id=reminder_id, error=error, unreachable=False, now=now)
    reminder.attempts = max(reminder.attempts, attempts)
    session.flush()
    return reminder


def reminded_since(
    session: Session, *, due_item_id: int, unit_id: int, person_id: int, since: datetime, exclude_id: int
) -> bool:
    """Whether the person got another reminder of this due item for this unit after `since` (sent
    or being sent); one for their other unit does not stand in for it.

    What counts is when that reminder went out (its last attempt: `sent_at`, else its claim),
    not when it was made: a snooze pressed earlier but sent after `since` counts too.
    """
    went_out = func.coalesce(col(ReminderSent.sent_at), col(ReminderSent.created_at))
    statement = select(ReminderSent.id).where(
        ReminderSent.due_item_id == due_item_id,
        ReminderSent.unit_id == unit_id,
        ReminderSent.person_id == person_id,
        ReminderSent.id != exclude_id,
        went_out > since,
        col(ReminderSent.status).in_([ReminderStatus.sent, ReminderStatus.pending]),
        ReminderSent.attempts > 0,
    )
    return session.exec(statement).first() is not None


def stuck_claims(session: Session, *, started_before: datetime) -> list[ReminderSent]:
    """Pending reminders with an attempt begun before `started_before`: their sender may have died.

    An attempt begins at the claim (`created_at`) or at a reclaim that recorded its start
    (`sent_at` while pending). Snoozes not yet attempted (attempts 0) are not claims.
    """
    started = func.coalesce(col(ReminderSent.sent_at), col(ReminderSent.created_at))
    statement = (
        select(ReminderSent)
        .where(ReminderSent.status == ReminderStatus.pending, col(ReminderSent.attempts) >= 1, started < started_before)
        .order_by(col(ReminderSent.created_at), col(ReminderSent.id))
    )
    return list(session.exec(statement))


def message_ids_of(session: Session, *, person_id: int) -> set[int]:
    """The Telegram message ids recorded for a person's reminders (the bot's own messages)."""
    statement = select(ReminderSent.telegram_message_id).where(
        ReminderSent.person_id == person_id, col(ReminderSent.telegram_message_id).is_not(None)
    )
    return {int(i) for i in session.exec(statement) if i is not None}


def last_message_id_before(session: Session, *, person_id: int, before: datetime) -> int | None:
    """The highest message id of a person's reminders recorded sent at or before `before`: a floor
    below any message sent after `before`."""
    statement = select(func.max(ReminderSent.telegram_message_id)).where(
        ReminderSent.person_id == person_id, col(ReminderSent.sent_at) <= before, ReminderSent.status == ReminderStatus.sent
    )
    return session.exec(statement).first()


def unknown_deliveries(session: Session, *, since: datetime) -> list[tuple[ReminderSent, Person, Unit | None]]:
    """Reminders given up as "delivery unknown" at or after `since` (read from the error's time stamp)."""
    return _given_up(session, since=since, marker=DELIVERY_UNKNOWN)


def undelivered(session: Session, *, since: datetime) -> list[tuple[ReminderSent, Person, Unit | None]]:
    """Messages given up as surely not delivered at or after `since`: retried until their time ran
    out, or refused by Telegram (400). Rows given up as not needed (filed, replaced) are not here."""
    return _given_up(session, since=since, marker=UNDELIVERED)


def _given_up(session: Session, *, since: datetime, marker: str) -> list[tuple[ReminderSent, Person, Unit | None]]:
    statement = (
        select(ReminderSent, Person, Unit)
        .join(Person, col(Person.id) == ReminderSent.person_id)
        .join(Unit, col(Unit.id) == ReminderSent.unit_id, isouter=True)
        .where(ReminderSent.status == ReminderStatus.failed, col(ReminderSent.last_error).contains(marker))
        .order_by(col(ReminderSent.created_at), col(ReminderSent.id))
    )
    out = []
    for row, person, unit in session.exec(statement):
        try:
            at = datetime.fromisoformat((row.last_error or "").split(" ", 1)[0])
        except ValueError:
            continue
        if at >= since:
            out.append((row, person, unit))
    return out


def last_unreachable_errors(session: Session, *, person_ids: list[int]) -> dict[int, str]:
    """Per person, the error of their latest reminder that ended unreachable (403)."""
    statement = (
        select(ReminderSent.person_id, ReminderSent.last_error)
        .where(col(ReminderSent.person_id).in_(person_ids), ReminderSent.status == ReminderStatus.unreachable)
        .order_by(col(ReminderSent.created_at), col(ReminderSent.id))
    )
    return {person_id: error or "" for person_id, error in session.exec(statement)}
