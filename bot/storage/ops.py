"""Queries of the operations tables (`bot.ops`): updates taken once, the poller's lease, the shared
send budget, and counts for /metrics. Each insert that two workers may race on is one statement
(INSERT … ON CONFLICT), so the database decides who wins."""

from __future__ import annotations

from datetime import datetime, timedelta

from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.models import PollerLease, ProcessedUpdate, ReminderSent, ReminderStatus, SendSlot
from bot.storage.sql import insert_for  # (the storage layer's one dialect switch)


def _insert(s: Session, model: Any) -> Any:
    return insert_for(s)(model)


def claim_update(s: Session, *, update_id: int, now: datetime) -> bool:
    """Take an update for this worker; False if another worker (or an earlier delivery) took it."""
    statement = (
        _insert(s, ProcessedUpdate)
        .values(update_id=update_id, received_at=now)
        .on_conflict_do_nothing()
        .returning(col(ProcessedUpdate.update_id))
    )  # (RETURNING, not rowcount: an ORM insert's rowcount does not tell a skipped row on every driver)
    return s.execute(statement).first() is not None


def forget_updates(s: Session, *, before: datetime) -> int:
    """Drop the record of updates taken before `before` (Telegram redelivers for at most a day)."""
    result = s.execute(delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < before))
    return int(result.rowcount)  # type: ignore[attr-defined]  # (a CursorResult for a DELETE)


def take_lease(s: Session, *, bot_id: int, holder: str, now: datetime, ttl: timedelta) -> PollerLease:
    """Take or renew the poller's lease for `bot_id` unless someone else holds one that has not expired.

    Returns the lease as it stands afterwards: `holder` is ours if we have it."""
    statement = (
        _insert(s, PollerLease)
        .values(bot_id=bot_id, holder=holder, acquired_at=now, expires_at=now + ttl)
        .on_conflict_do_nothing()
    )
    s.execute(statement)
    lease = s.exec(select(PollerLease).where(col(PollerLease.bot_id) == bot_id).with_for_update()).one()
    if lease.holder == holder or lease.expires_at <= now:
        if lease.holder != holder:
            lease.acquired_at = now
        lease.holder = holder
        lease.expires_at = now + ttl
        s.add(lease)
        s.flush()
    return lease


def release_lease(s: Session, *, bot_id: int, holder: str) -> None:
    """Give the lease up, if we hold it."""
    s.execute(delete(PollerLease).where(col(PollerLease.bot_id) == bot_id, col(PollerLease.holder) == holder))


def claim_send_slot(s: Session, *, second: int, per_second: int) -> bool:
    """Count one send in `second` if fewer than `per_second` were counted there (by every worker)."""
    insert = _insert(s, SendSlot).values(second=second, used=1)
    statement = insert.on_conflict_do_update(
        index_elements=["second"], set_={"used": SendSlot.used + 1}, where=col(SendSlot.used) < per_second
    ).returning(col(SendSlot.used))
    return s.execute(statement).first() is not None


def forget_send_slots(s: Session, *, before: int) -> None:
    """Drop the counts of seconds before `before`."""
    s.execute(delete(SendSlot).where(col(SendSlot.second) < before))


def send_slots(s: Session) -> dict[int, int]:
    """Every counted second and its sends."""
    return {row.second: row.used for row in s.exec(select(SendSlot))}


def reminders_by_status(s: Session) -> dict[str, int]:
    """How many reminders are sent, pending, failed, unreachable … (for /metrics)."""
    rows = s.execute(select(col(ReminderSent.status), func.count()).group_by(ReminderSent.status)).all()
    counts = {status.value: 0 for status in ReminderStatus}
    counts.update({str(getattr(status, "value", status)): int(n) for status, n in rows})
    return counts
