"""What became of sent reminders: message ids for probing, stuck claims, rows given up for good
("not delivered", "delivery unknown": named in the coordinators' digest)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from bot.models import DueItem, Obligation, Person, ReminderSent, ReminderStatus, Unit, id_of
from bot.storage.due import PENDING, get_obligation
from bot.storage.reminders import DELIVERY_UNKNOWN, FINAL, UNDELIVERED, ReminderTarget, liaison_role, mark_reminder_failed

# Why a snooze, retry or stuck claim is not sent: the person was replaced or removed as the
# unit's liaison, or the unit was deactivated, since the reminder was made.
NOT_A_LIAISON = "not needed: no longer a liaison of the unit"


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


def subject_of(session: Session, row: ReminderSent) -> tuple[DueItem | None, Obligation | None, Person | None]:
    """What a reminder row is about as the database holds it now: its due item, the unit's obligation, the person."""
    item = session.get(DueItem, row.due_item_id) if row.due_item_id is not None else None
    obligation = get_obligation(session, due_item_id=row.due_item_id, unit_id=row.unit_id) if row.unit_id and row.due_item_id else None
    return item, obligation, session.get(Person, row.person_id)


def still_to_send(
    session: Session, row: ReminderSent, *, since: datetime, filed: str, reminded: str, reachable: bool, now: datetime
) -> tuple[DueItem, ReminderTarget] | None:
    """What to send for a reminder taken to be sent again (a failed one retried, a snooze whose time came),
    checked in the transaction that took it; None, the row given up for good, when it is not needed any
    more: the unit filed (`filed`), the person is no longer its liaison (`NOT_A_LIAISON`), or (with
    `reachable`) has blocked the bot (`filed` too), or got another reminder of the item since `since`
    (`reminded`): never two for one moment or one press."""
    assert row.id is not None
    item, obligation, person = subject_of(session, row)
    if item is None or obligation is None or person is None or obligation.status not in PENDING or (reachable and not person.reachable):
        give_up_reminder(session, reminder_id=row.id, error=filed, attempts=FINAL, now=now)
        return None
    held = liaison_role(session, person_id=id_of(person), unit_id=row.unit_id)
    if held is None:
        give_up_reminder(session, reminder_id=row.id, error=NOT_A_LIAISON, attempts=FINAL, now=now)
        return None
    if reminded_since(session, due_item_id=id_of(item), unit_id=obligation.unit_id, person_id=id_of(person), since=since, exclude_id=row.id):
        give_up_reminder(session, reminder_id=row.id, error=reminded, attempts=FINAL, now=now)
        return None
    role, unit = held
    return item, ReminderTarget(id_of(obligation), id_of(unit), unit.name, role, person)


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


def touch_claims(session: Session, *, reminder_ids: list[int], now: datetime) -> int:
    """Keep pending claims alive: their attempt's start (`sent_at` while pending) becomes `now`."""
    statement = (
        update(ReminderSent)
        .where(col(ReminderSent.id).in_(reminder_ids), col(ReminderSent.status) == ReminderStatus.pending)
        .values(sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(session.exec(statement).rowcount or 0)


def message_ids_of(session: Session, *, person_id: int) -> set[int]:
    """The Telegram message ids recorded for a person's reminders (the bot's own messages)."""
    statement = select(ReminderSent.telegram_message_id).where(
        ReminderSent.person_id == person_id, col(ReminderSent.telegram_message_id).is_not(None)
    )
    return {int(i) for i in session.exec(statement) if i is not None}


def last_message_id_before(session: Session, *, person_id: int, before: datetime) -> int | None:
    """The highest message id of a person's reminders recorded sent strictly before `before`: a floor
    below any message sent after `before` (one recorded at the same instant may be later: a fixed
    clock, two processes)."""
    statement = select(func.max(ReminderSent.telegram_message_id)).where(
        ReminderSent.person_id == person_id, col(ReminderSent.sent_at) < before, ReminderSent.status == ReminderStatus.sent
    )
    return session.exec(statement).first()


def probe_floor(session: Session, *, reminder_id: int) -> int:
    """Where a probe for a claimed reminder's message starts: the floor recorded with its claim (below
    its message, whenever it was sent); for a row claimed without one, the person's last reminder
    recorded sent before the claim. Never a message recorded since, which may be above ours (the
    heartbeat moves a claim's `sent_at` forward; another process may record a later send meanwhile)."""
    row = session.get(ReminderSent, reminder_id)
    if row is None:
        return 0
    if row.probe_floor is not None:
        return row.probe_floor
    return last_message_id_before(session, person_id=row.person_id, before=row.created_at) or 0


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
    out: list[tuple[ReminderSent, Person, Unit | None]] = []
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
