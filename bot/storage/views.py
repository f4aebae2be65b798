"""Read queries for the coordinator views (/outstanding, /status, /chart).

Each view is answered by a fixed, small number of queries whatever the number of units:
lists are paged in SQL (LIMIT/OFFSET over a stable order), counts are GROUP BYs, and the
liaison of each row comes from the same statement (LEFT JOIN on the active primary), never
one query per row. Only active units are shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.storage.sql import select_columns
from bot.models import (
    DueItem,
    Obligation,
    ObligationStatus,
    Person,
    Role,
    RoleAssignment,
    SubmissionStatus,
    Unit,
)


PENDING = (ObligationStatus.open.value, ObligationStatus.returned.value)


CURRENT = (SubmissionStatus.submitted.value, SubmissionStatus.accepted.value)


@dataclass(frozen=True)
class Scope:
    """Which due items a view covers: by report, by (report, period) pairs, and due before a moment."""

    report_keys: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()  # (report_key, period_key)
    due_before: datetime | None = None
    unit_ids: frozenset[int] | None = None  # a coordinator of one level: their subtree; None: every unit

    def where(self, statement: Any) -> Any:
        if self.report_keys:
            statement = statement.where(col(DueItem.report_key).in_(self.report_keys))
        if self.pairs:
            statement = statement.where(
                or_(*(and_(col(DueItem.report_key) == r, col(DueItem.period_key) == p) for r, p in self.pairs))
            )
        if self.due_before is not None:
            statement = statement.where(col(DueItem.due_at) < self.due_before)
        return statement


def counted_units(statement: Any, unit_ids: frozenset[int] | None) -> Any:
    """Restrict a statement over Obligation to active units (and the given ones, None: every unit)
    without joining Unit: a count then reads the obligation index alone (the few inactive units are
    a list looked up once, where a join looked up every obligation's unit)."""
    statement = statement.where(col(Obligation.unit_id).not_in(select(Unit.id).where(col(Unit.active).is_(False))))
    return statement if unit_ids is None else statement.where(col(Obligation.unit_id).in_(sorted(unit_ids)))


def only_units(statement: Any, unit_ids: frozenset[int] | None) -> Any:
    """Restrict a statement that joins Unit to the given units (None: no restriction)."""
    return statement if unit_ids is None else statement.where(col(Unit.id).in_(sorted(unit_ids)))


@dataclass(frozen=True)
class ItemRef:
    """A due item as the views show it."""

    id: int
    report_key: str
    period_key: str
    period_label: str
    due_at: datetime


@dataclass(frozen=True)
class UnitRow:
    """One unit's obligation for a due item, with its primary liaison (if any)."""

    item: ItemRef
    obligation_id: int
    unit_id: int
    unit_code: str
    unit_name: str
    status: ObligationStatus
    late: bool
    completed_at: datetime | None
    liaison_name: str | None
    mobile: str | None
    reachable: bool | None  # None: no liaison registered


@dataclass
class Counts:
    """How the units of a due item stand."""

    on_time: int = 0
    late: int = 0
    open: int = 0
    returned: int = 0
    awaiting: int = 0  # 待审核: filed, waiting for the unit head's sign-off (neither filed nor missing)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.open + self.returned + self.awaiting


def _primary() -> tuple[Any, Any]:
    ra = aliased(RoleAssignment)
    person = aliased(Person)
    return ra, person


def _item(row: Any) -> ItemRef:
    return ItemRef(row.item_id, row.report_key, row.period_key, row.period_label, row.due_at)


def _unit_rows(session: Session, statement: Any) -> list[UnitRow]:
    out = []
    for r in session.exec(statement):
        out.append(
            UnitRow(
                item=_item(r),
                obligation_id=r.obligation_id,
                unit_id=r.unit_id,
                unit_code=r.code,
                unit_name=r.name,
                status=ObligationStatus(r.status),
                late=bool(r.late),
                completed_at=r.completed_at,
                liaison_name=r.liaison_name if r.person_id is not None else None,
                mobile=r.mobile,
                reachable=bool(r.reachable) if r.person_id is not None else None,
            )
        )
    return out


def _unit_select() -> Any:
    ra, person = _primary()
    return (
        select_columns(
            col(DueItem.id).label("item_id"),
            DueItem.report_key,
            DueItem.period_key,
            DueItem.period_label,
            DueItem.due_at,
            col(Obligation.id).label("obligation_id"),
            Obligation.unit_id,
            Obligation.status,
            Obligation.late,
            Obligation.completed_at,
            Unit.code,
            Unit.name,
            col(person.id).label("person_id"),
            func.coalesce(person.name, person.first_name).label("liaison_name"),
            person.mobile,
            person.reachable,
        )
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .outerjoin(
            ra,
            and_(
                ra.unit_id == Unit.id,
                ra.role == Role.primary,
                col(ra.ended_at).is_(None),
            ),
        )
        .outerjoin(person, person.id == ra.person_id)
        .where(col(Unit.active).is_(True))
    )


def outstanding_groups(session: Session, *, scope: Scope) -> list[tuple[ItemRef, int]]:
    """The due items with unfiled obligations in scope, earliest first, with how many units owe each."""
    def counted(*statuses: str) -> Any:
        return counted_units(
            select(col(Obligation.due_item_id).label("due_item_id"), func.count().label("n")).where(col(Obligation.status).in_(statuses)),
            scope.unit_ids,
        ).group_by(col(Obligation.due_item_id))

    if session.get_bind().dialect.name == "sqlite":
        # Counted per status from ix_obligation_status_item_unit (status, due_item_id, …): each status's
        # entries come in due-item order, no table rows read. Over both statuses at once SQLite chose to
        # scan every obligation for its GROUP BY order (6× slower at 10,000 units).
        per_status = union_all(*(counted(status) for status in PENDING)).subquery()
        pending = select(per_status.c.due_item_id, func.sum(per_status.c.n).label("n")).group_by(per_status.c.due_item_id).subquery()
    else:  # PostgreSQL finds both statuses in one bitmap scan and hashes the groups (a union went parallel, slower)
        pending = counted(*PENDING).subquery()
    statement = (
        select_columns(
            col(DueItem.id).label("item_id"),
            DueItem.report_key,
            DueItem.period_key,
            DueItem.period_label,
            DueItem.due_at,
            pending.c.n,
        )
        .join(pending, pending.c.due_item_id == DueItem.id)
        .order_by(col(DueItem.due_at), col(DueItem.id))
    )
    return [(_item(r), int(r.n)) for r in session.exec(scope.where(statement))]


def awaiting_count(session: Session, *, scope: Scope) -> int:
    """How many obligations in scope wait for sign-off (待审核): filed, so not outstanding, but not yet counted."""
    statement = counted_units(
        select(func.count())
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .where(Obligation.status == ObligationStatus.awaiting),
        scope.unit_ids,
    )
    return int(session.exec(scope.where(statement)).one())


def outstanding_page(
    session: Session, *, groups: Sequence[tuple[ItemRef, int]], offset: int, limit: int, unit_ids: frozenset[int] | None = None
) -> list[UnitRow]:
    """Rows `offset`..`offset+limit` of the unfiled obligations of `groups` (as `outstanding_groups`
    gives them: earliest deadline first), each item's units by code: one query for the items the page touches."""
    touched: list[int] = []
    skip = 0
    first = 0  # the row number of the current item's first unit
    for item, n in groups:
        if first >= offset + limit:
            break
        if first + n > offset:
            if not touched:
                skip = offset - first
            touched.append(item.id)
        first += n
    if not touched or limit <= 0:
        return []
    position = case({item_id: i for i, item_id in enumerate(touched)}, value=col(Obligation.due_item_id))
    statement = (
        only_units(_unit_select(), unit_ids)
        .where(col(Obligation.due_item_id).in_(touched), col(Obligation.status).in_(PENDING))
        .order_by(position, col(Unit.code))
        .offset(skip)
        .limit(limit)
    )
    return _unit_rows(session, statement)


def status_items(session: Session, *, scope: Scope, offset: int, limit: int) -> tuple[list[ItemRef], int]:
    """Due items in scope that some active unit owes, latest deadline first (a page), and how many in all."""
    owed = only_units(
        select(Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(Unit.active).is_(True), Obligation.due_item_id == DueItem.id),
        scope.unit_ids,
    ).exists()
    base = scope.where(select(DueItem).where(owed))
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    items = session.exec(
        base.order_by(col(DueItem.due_at).desc(), col(DueItem.report_key)).offset(offset).limit(limit)
    )
    refs = [ItemRef(d.id, d.report_key, d.period_key, d.period_label, d.due_at) for d in items]
    return refs, int(total)


def status_counts(session: Session, *, due_item_ids: Sequence[int], unit_ids: frozenset[int] | None = None) -> dict[int, Counts]:
    """On time / late / not yet / returned / 待审核 per due item, among active units (one GROUP BY)."""
    out = {i: Counts() for i in due_item_ids}
    if not due_item_ids:
        return out
    statement = counted_units(  # from ix_obligation_item_state alone
        select(Obligation.due_item_id, Obligation.status, Obligation.late, func.count().label("n"))
        .where(col(Obligation.due_item_id).in_(list(due_item_ids))),
        unit_ids,
    ).group_by(col(Obligation.due_item_id), col(Obligation.status), col(Obligation.late))
    for item_id, status, late, n in session.exec(statement):
        counts = out[item_id]
        if status == ObligationStatus.done:
            if late:
                counts.late += n
            else:
                counts.on_time += n
        elif status == ObligationStatus.returned:
            counts.returned += n
        elif status == ObligationStatus.awaiting:
            counts.awaiting += n
        else:
            counts.open += n
    return out


_STATE_ORDER = case(
    (col(Obligation.status) == ObligationStatus.open, 0),
    (col(Obligation.status) == ObligationStatus.returned, 1),
    (col(Obligation.status) == ObligationStatus.awaiting, 2),
    (col(Obligation.late).is_(True), 3),
    else_=4,
)


def item_units_page(
    session: Session, *, due_item_id: int, offset: int, limit: int, state: str | None = None, unit_ids: frozenset[int] | None = None
) -> tuple[list[UnitRow], int]:
    """The units of one due item (not yet, returned, 待审核, late, on time; then by code), a page, and the total."""
    statement = only_units(_unit_select(), unit_ids).where(Obligation.due_item_id == due_item_id)
    if state == "open":
        statement = statement.where(Obligation.status == ObligationStatus.open)
    elif state == "returned":
        statement = statement.where(Obligation.status == ObligationStatus.returned)
    elif state == "awaiting":
        statement = statement.where(Obligation.status == ObligationStatus.awaiting)
    elif state == "late":
        statement = statement.where(Obligation.status == ObligationStatus.done, col(Obligation.late).is_(True))
    elif state == "on_time":
        statement = statement.where(Obligation.status == ObligationStatus.done, col(Obligation.late).is_(False))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = _unit_rows(session, statement.order_by(_STATE_ORDER, col(Unit.code)).offset(offset).limit(limit))
    return rows, int(total)


def get_item(session: Session, *, due_item_id: int) -> ItemRef | None:
    """A due item by id."""
    d = session.get(DueItem, due_item_id)
    return ItemRef(d.id, d.report_key, d.period_key, d.period_label, d.due_at) if d and d.id else None


def items_of(session: Session, *, scope: Scope) -> list[ItemRef]:
    """Every due item in scope, earliest first."""
    statement = scope.where(select(DueItem)).order_by(col(DueItem.due_at), col(DueItem.id))
    return [ItemRef(d.id, d.report_key, d.period_key, d.period_label, d.due_at) for d in session.exec(statement)]


def grid(session: Session, *, due_item_ids: Sequence[int]) -> list[tuple[int, str, str, int, str, bool]]:
    """(unit id, code, name, due item id, status, late) for every active unit's obligation among these items."""
    if not due_item_ids:
        return []
    statement = (
        select_columns(Unit.id, Unit.code, Unit.name, Obligation.due_item_id, Obligation.status, Obligation.late)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(Obligation.due_item_id).in_(list(due_item_ids)), col(Unit.active).is_(True))
        .order_by(col(Unit.code))
    )
    return [(u, c, n, d, str(s), bool(lt)) for u, c, n, d, s, lt in session.exec(statement)]
