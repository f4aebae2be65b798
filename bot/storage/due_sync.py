"""Due items and obligations written as a set: a few statements whatever the number of units.

`sync` compares what the schedule wants with what the database holds (two reads) and writes
only the difference (bulk inserts ignoring conflicts, bulk updates of changed dates and labels),
so a first start at thousands of units takes seconds and a restart with nothing changed is
skipped altogether by the digest kept in `sync_state`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from bot.models import DueItem, Obligation, ObligationStatus, SyncState, Unit
from bot.storage.sql import insert_many_ignoring_conflicts, select_columns


@dataclass(frozen=True)
class DueSpec:
    """A due item as the schedule wants it, with the codes of the units that owe it."""

    report_key: str
    period_key: str
    period_label: str
    due_at: datetime
    unit_codes: tuple[str, ...]


def sync(session: Session, *, specs: Sequence[DueSpec], now: datetime) -> int:
    """Create the missing due items and obligations, update changed dates and labels; the number of new obligations.

    Units no longer listed keep their obligations: what was owed stays on record.
    """
    wanted_codes = {c for spec in specs for c in spec.unit_codes}
    unit_ids = {code: uid for uid, code in session.exec(select(Unit.id, Unit.code)) if uid is not None}
    missing = sorted(wanted_codes - unit_ids.keys())
    if missing:
        raise LookupError(f"unknown unit codes: {', '.join(missing)}")
    keys = {(spec.report_key, spec.period_key) for spec in specs}
    existing = _items(session, keys)
    insert_many_ignoring_conflicts(
        session,
        DueItem,
        [
            {"report_key": s.report_key, "period_key": s.period_key, "period_label": s.period_label, "due_at": s.due_at, "created_at": now}
            for s in specs
            if (s.report_key, s.period_key) not in existing
        ],
    )
    changed = [
        {"row_id": existing[(s.report_key, s.period_key)][0], "new_due_at": s.due_at, "new_label": s.period_label}
        for s in specs
        if (s.report_key, s.period_key) in existing and existing[(s.report_key, s.period_key)][1:] != (s.due_at, s.period_label)
    ]
    if changed:
        table = getattr(DueItem, "__table__")  # noqa: B009
        statement = update(table).where(table.c.id == bindparam("row_id")).values(due_at=bindparam("new_due_at"), period_label=bindparam("new_label"))
        session.connection().execute(statement, changed)  # one executemany
    ids = {key: row[0] for key, row in _items(session, keys).items()}
    owed = set(session.exec(select(Obligation.due_item_id, Obligation.unit_id)).all())
    new = [
        {"due_item_id": ids[(s.report_key, s.period_key)], "unit_id": unit_ids[code], "status": ObligationStatus.open, "late": False}
        for s in specs
        for code in dict.fromkeys(s.unit_codes)
        if (ids[(s.report_key, s.period_key)], unit_ids[code]) not in owed
    ]
    insert_many_ignoring_conflicts(session, Obligation, new)
    return len(new)


def _items(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, datetime, str]]:
    rows = session.exec(select_columns(DueItem.id, DueItem.report_key, DueItem.period_key, DueItem.due_at, DueItem.period_label))
    return {(r, p): (i, d, label) for i, r, p, d, label in rows if i is not None and (r, p) in keys}


def fingerprint(session: Session, *, key: str) -> str | None:
    """The digest a derived set was last built from, if any."""
    row = session.get(SyncState, key)
    return row.fingerprint if row else None


def remember(session: Session, *, key: str, fingerprint: str, now: datetime) -> None:
    """Keep the digest a derived set was just built from."""
    row = session.get(SyncState, key)
    if row is None:
        session.add(SyncState(key=key, fingerprint=fingerprint, synced_at=now))
    else:
        row.fingerprint, row.synced_at = fingerprint, now
    session.flush()


__all__ = ["DueSpec", "fingerprint", "remember", "sync"]
