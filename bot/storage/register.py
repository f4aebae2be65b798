"""Read queries for the exports: current filings (of given periods; `summaries` reads every period's),
and the roster of liaisons (附件10). The register's lines are `paperwork.register_lines`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bot.storage.sql import select_columns
from bot.models import (
    DueItem,
    Obligation,
    Person,
    Role,
    RoleAssignment,
    Submission,
    Unit,
)
from bot.storage.views import CURRENT


def _raw_utc() -> Any:
    """A reader of timestamp columns selected raw (see `paperwork.register_lines`): SQLite gives its stored
    text (UTC, zone-less), PostgreSQL an aware datetime; either becomes an aware UTC datetime.
    Deadlines repeat on every line, so each distinct value is converted once."""
    seen: dict[Any, datetime] = {}

    def read(value: Any) -> datetime | None:
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = datetime.fromisoformat(value).replace(tzinfo=UTC) if isinstance(value, str) else value.astimezone(UTC)
            if len(seen) < 50_000:
                seen[value] = found
        return found

    return read


@dataclass(frozen=True)
class FiledReport:
    """A current submission (not superseded, not returned) with its unit and due item."""

    unit_code: str
    unit_name: str
    report_key: str
    period_key: str
    period_label: str
    item_no: int
    version: int
    kind: str
    data: dict[str, Any]
    submitted_at: datetime
    late: bool
    submission_id: int


def _filing_select() -> Any:
    return (
        select_columns(
            Unit.code,
            Unit.name,
            DueItem.report_key,
            DueItem.period_key,
            DueItem.period_label,
            Submission.item_no,
            Submission.version,
            Submission.kind,
            Submission.data,
            Submission.submitted_at,
            Submission.late,
            Submission.id,
        )
        .select_from(Submission)
        .join(Obligation, col(Obligation.id) == Submission.obligation_id)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Submission.unit_id)
        .where(col(Submission.status).in_(CURRENT), col(Unit.active).is_(True))
    )


def _filing(r: Any) -> FiledReport:
    return FiledReport(r[0], r[1], r[2], r[3], r[4], r[5], r[6], str(r[7]), dict(r[8] or {}), r[9], bool(r[10]), r[11])


def filings_for(session: Session, *, pairs: Sequence[tuple[str, str]], kinds: Sequence[str] | None = None) -> list[FiledReport]:
    """Current filings for these (report, period) pairs, by report, unit code and item number."""
    if not pairs:
        return []
    statement = _filing_select().where(
        or_(*(and_(col(DueItem.report_key) == r, col(DueItem.period_key) == p) for r, p in pairs))
    )
    if kinds:
        statement = statement.where(col(Submission.kind).in_(list(kinds)))
    statement = statement.order_by(col(DueItem.report_key), col(Unit.code), col(Submission.item_no))
    return [_filing(r) for r in session.exec(statement)]


@dataclass
class RosterEntry:
    """A unit and its active liaisons (primary first), for the 附件10 roster."""

    unit_code: str
    unit_name: str
    liaisons: list[tuple[Role, Person]] = field(default_factory=list)


def roster(session: Session) -> list[RosterEntry]:
    """Every active unit with its active liaisons, by unit code (one query)."""
    statement = (
        select(Unit.code, Unit.name, RoleAssignment.role, Person)
        .select_from(Unit)
        .outerjoin(
            RoleAssignment,
            and_(
                col(RoleAssignment.unit_id) == Unit.id,
                col(RoleAssignment.ended_at).is_(None),
                col(RoleAssignment.role).in_([Role.primary, Role.backup]),
            ),
        )
        .outerjoin(Person, col(Person.id) == RoleAssignment.person_id)
        .where(col(Unit.active).is_(True))
        .order_by(col(Unit.code), col(RoleAssignment.role).desc(), col(RoleAssignment.started_at))
    )
    out: dict[str, RosterEntry] = {}
    for code, name, role, person in session.exec(statement):
        entry = out.setdefault(code, RosterEntry(code, name))
        if person is not None:
            entry.liaisons.append((Role(role), person))
    return list(out.values())
