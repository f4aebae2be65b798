"""Read queries of the web dashboard: the matrix of one report, a unit's filings and reminders.

Like `bot.storage.views`, each page costs a fixed number of queries whatever the number of
units: the matrix reads the owing units once, one page of cells, and one GROUP BY of counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from typing import Any

from sqlalchemy import and_, func, literal_column
from sqlalchemy.orm import aliased
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.models import Attachment, DueItem, Obligation, ObligationStatus, Person, ReminderSent, Submission, SubmissionStatus, Unit


@dataclass(frozen=True)
class UnitLine:
    """An active unit as the matrix lists it."""

    id: int
    code: str
    name: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """One unit's obligation for one due item, and whether a filing waits for review."""

    obligation_id: int
    due_item_id: int
    unit_id: int
    status: ObligationStatus
    late: bool
    completed_at: datetime | None
    waiting_review: bool


def due_items_of(session: Session, *, report_key: str) -> list[DueItem]:
    """A report's due items, earliest deadline first."""
    return list(session.exec(select(DueItem).where(DueItem.report_key == report_key).order_by(col(DueItem.due_at), col(DueItem.id))))


def owing_units(session: Session, *, due_item_ids: Sequence[int]) -> list[UnitLine]:
    """The active units owing any of these due items (one report's), by code: one EXISTS per unit on the (due item, unit) key."""
    if not due_item_ids:
        return []
    owes = select(Obligation.id).where(Obligation.unit_id == Unit.id, col(Obligation.due_item_id).in_(list(due_item_ids))).exists()
    statement: Any = sa_select(col(Unit.id), col(Unit.code), col(Unit.name), col(Unit.tags)).where(col(Unit.active).is_(True), owes).order_by(col(Unit.code))
    return [UnitLine(r.id, r.code, r.name, tuple(r.tags or ())) for r in session.exec(statement)]


def parent_units(session: Session) -> list[tuple[int, str]]:
    """(id, name) of the active units with active units below them (the levels of the matrix's filter), by code."""
    child = aliased(Unit)
    below = select(child.id).where(child.parent_id == Unit.id, col(child.active).is_(True)).exists()
    statement: Any = sa_select(col(Unit.id), col(Unit.name)).where(col(Unit.active).is_(True), below).order_by(col(Unit.code))
    return [(int(r[0]), str(r[1])) for r in session.exec(statement)]


def _waiting() -> Any:
    """Whether the obligation has a filing awaiting review. The status is written as a literal, not
    a parameter: only then may SQLite answer from the partial index `ix_submission_waiting` alone."""
    return (
        select(Submission.id)
        .where(Submission.obligation_id == Obligation.id, col(Submission.status) == literal_column(f"'{SubmissionStatus.submitted.value}'"))
        .exists()
    )


def cells(session: Session, *, due_item_ids: Sequence[int], unit_ids: Sequence[int]) -> list[Cell]:
    """The obligations of these units for these due items: the obligations, then which of them wait for review.

    Two queries: with the EXISTS among the first's columns PostgreSQL hashed every waiting filing
    of the campaign (~200,000 at 3,000 units) for one page of 2,400 cells; in a WHERE it probes."""
    if not due_item_ids or not unit_ids:
        return []
    statement: Any = sa_select(
        col(Obligation.id), col(Obligation.due_item_id), col(Obligation.unit_id), col(Obligation.status), col(Obligation.late), col(Obligation.completed_at),
    ).where(col(Obligation.due_item_id).in_(list(due_item_ids)), col(Obligation.unit_id).in_(list(unit_ids)))
    rows = list(session.exec(statement))
    found: Any = sa_select(col(Obligation.id)).where(
        col(Obligation.due_item_id).in_(list(due_item_ids)), col(Obligation.unit_id).in_(list(unit_ids)),
        col(Obligation.status) == ObligationStatus.done, _waiting(),
    )
    waiting = {int(r[0]) for r in session.exec(found)}
    return [Cell(r[0], r[1], r[2], ObligationStatus(r[3]), bool(r[4]), r[5], r[0] in waiting) for r in rows]


def state_counts(session: Session, *, due_item_ids: Sequence[int], unit_ids: Sequence[int] | None) -> list[tuple[int, str, bool, bool, int]]:
    """(due item, status, late, waiting review, how many) for these due items' obligations of active units (or of `unit_ids`).

    Two GROUP BYs rather than one with the EXISTS as a key: all obligations by state, then the
    done ones with a filing awaiting review (a semi-join on `ix_submission_waiting`), subtracted
    from their group. Only a done obligation can be waiting (`matrix.state_of`). The due items
    are given by id so both databases start from the (due item, unit) key, not from a status."""
    if not due_item_ids:
        return []

    def scoped(statement: Any) -> Any:
        statement = statement.join(Unit, and_(col(Unit.id) == Obligation.unit_id, col(Unit.active).is_(True))).where(
            col(Obligation.due_item_id).in_(list(due_item_ids))
        )
        return statement if unit_ids is None else statement.where(col(Obligation.unit_id).in_(list(unit_ids)))

    key = (col(Obligation.due_item_id), col(Obligation.status), col(Obligation.late))
    totals = session.exec(scoped(sa_select(*key, func.count().label("n")).select_from(Obligation)).group_by(*key)).all()
    waiting_rows = session.exec(
        scoped(sa_select(*key, func.count().label("n")).select_from(Obligation))
        .where(col(Obligation.status) == ObligationStatus.done, _waiting())
        .group_by(*key)
    ).all()
    waiting = {(r[0], str(r[1]), bool(r[2])): int(r[3]) for r in waiting_rows}
    out: list[tuple[int, str, bool, bool, int]] = []
    for r in totals:
        k = (r[0], str(r[1]), bool(r[2]))
        w = waiting.get(k, 0)
        if int(r[3]) - w:
            out.append((k[0], k[1], k[2], False, int(r[3]) - w))
        if w:
            out.append((k[0], k[1], k[2], True, w))
    return out


@dataclass(frozen=True)
class UnitFiling:
    """One version of one item a unit filed, with its files."""

    submission: Submission
    person_name: str
    attachments: list[Attachment]


@dataclass(frozen=True)
class UnitObligation:
    """A unit's obligation for a due item, with every version filed for it (latest first)."""

    obligation: Obligation
    due_item: DueItem
    filings: list[UnitFiling]


def unit_obligations(session: Session, *, unit_id: int) -> list[UnitObligation]:
    """Every obligation of a unit, latest deadline first, with all its submission versions and files: three queries."""
    pairs = list(session.exec(
        select(Obligation, DueItem).join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .where(Obligation.unit_id == unit_id).order_by(col(DueItem.due_at).desc(), col(DueItem.report_key))
    ))
    found = list(session.exec(
        select(Submission, Person).join(Person, col(Person.id) == Submission.person_id)
        .where(Submission.unit_id == unit_id).order_by(col(Submission.item_no), col(Submission.version).desc())
    ))
    ids = [s.id for s, _ in found]
    files: dict[int, list[Attachment]] = {}
    if ids:
        for a in session.exec(select(Attachment).where(col(Attachment.submission_id).in_(ids)).order_by(col(Attachment.id))):
            files.setdefault(a.submission_id or 0, []).append(a)
    by_obligation: dict[int, list[UnitFiling]] = {}
    for sub, person in found:
        name = person.name or person.first_name or str(person.telegram_user_id)
        by_obligation.setdefault(sub.obligation_id, []).append(UnitFiling(sub, name, files.get(sub.id or 0, [])))
    return [UnitObligation(o, d, by_obligation.get(o.id or 0, [])) for o, d in pairs]


@dataclass(frozen=True)
class ReminderLine:
    """A reminder sent (or tried) to a liaison of a unit, and its fate."""

    row: ReminderSent
    person_name: str
    report_key: str | None
    period_label: str | None


def unit_reminders(session: Session, *, unit_id: int, limit: int = 200) -> list[ReminderLine]:
    """The latest reminders about a unit's obligations, newest first."""
    statement = (
        select(ReminderSent, Person, DueItem)
        .join(Person, col(Person.id) == ReminderSent.person_id)
        .outerjoin(DueItem, col(DueItem.id) == ReminderSent.due_item_id)
        .where(ReminderSent.unit_id == unit_id)
        .order_by(col(ReminderSent.created_at).desc(), col(ReminderSent.id).desc())
        .limit(limit)
    )
    out = []
    for r, p, d in session.exec(statement):
        out.append(ReminderLine(r, p.name or p.first_name or str(p.telegram_user_id), d.report_key if d else None, d.period_label if d else None))
    return out


def item_versions(session: Session, *, obligation_id: int, item_no: int) -> list[Submission]:
    """Every version of one item of an obligation, latest first."""
    return list(session.exec(
        select(Submission).where(Submission.obligation_id == obligation_id, Submission.item_no == item_no).order_by(col(Submission.version).desc())
    ))
