"""Deadlines: due items (report × period) and the obligations of units towards them."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func, select as sa_select
from sqlmodel import Session, col, select

from bot.models import DueItem, Obligation, ObligationStatus, Submission, SubmissionKind, SubmissionStatus, Unit
from bot.storage.sql import insert_ignoring_conflicts
from bot.storage.units import units_by_codes

PENDING = (ObligationStatus.open, ObligationStatus.returned)


@dataclass
class ObligationView:
    """An obligation with its due item and unit."""

    obligation: Obligation
    due_item: DueItem
    unit: Unit


def ensure_due_item(
    session: Session,
    *,
    report_key: str,
    period_key: str,
    period_label: str,
    due_at: datetime,
    unit_codes: Iterable[str],
    now: datetime,
) -> DueItem:
    """Make sure the due item and an obligation per unit exist; idempotent and race-safe.

    A changed due date or label (the config changed) is updated. Units no longer listed keep
    their obligations: what was owed stays on record.
    """
    codes = list(dict.fromkeys(unit_codes))
    units = units_by_codes(session, codes=codes)
    missing = [c for c in codes if c not in units]
    if missing:
        raise LookupError(f"unknown unit codes: {', '.join(missing)}")
    insert_ignoring_conflicts(
        session,
        DueItem,
        {
            "report_key": report_key,
            "period_key": period_key,
            "period_label": period_label,
            "due_at": due_at,
            "created_at": now,
        },
    )
    item = get_due_item(session, report_key=report_key, period_key=period_key)
    assert item is not None and item.id is not None
    session.refresh(item)
    if item.due_at != due_at or item.period_label != period_label:
        item.due_at = due_at
        item.period_label = period_label
        session.flush()
    for code in codes:
        insert_ignoring_conflicts(
            session,
            Obligation,
            {"due_item_id": item.id, "unit_id": units[code].id, "status": ObligationStatus.open, "late": False},
        )
    return item


def get_due_item(session: Session, *, report_key: str, period_key: str) -> DueItem | None:
    """The due item of a report for a period."""
    statement = select(DueItem).where(DueItem.report_key == report_key, DueItem.period_key == period_key)
    return session.exec(statement).first()


def list_due_items(
    session: Session,
    *,
    report_key: str | None = None,
    due_from: datetime | None = None,
    due_before: datetime | None = None,
) -> list[DueItem]:
    """Due items by due date, optionally of one report and within [due_from, due_before)."""
    statement = select(DueItem).order_by(col(DueItem.due_at), col(DueItem.id))
    if report_key is not None:
        statement = statement.where(DueItem.report_key == report_key)
    if due_from is not None:
        statement = statement.where(col(DueItem.due_at) >= due_from)
    if due_before is not None:
        statement = statement.where(col(DueItem.due_at) < due_before)
    return list(session.exec(statement))


def get_obligation(session: Session, *, due_item_id: int, unit_id: int) -> Obligation | None:
    """What a unit owes for a due item."""
    statement = select(Obligation).where(
        Obligation.due_item_id == due_item_id, Obligation.unit_id == unit_id
    )
    return session.exec(statement).first()


def _views(session: Session, statement) -> list[ObligationView]:
    return [ObligationView(obligation=o, due_item=d, unit=u) for o, d, u in session.exec(statement)]


def _joined():
    return (
        select(Obligation, DueItem, Unit)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
    )


def obligations_of_due_item(session: Session, *, due_item_id: int) -> list[ObligationView]:
    """Every unit's obligation for a due item, by unit code (for /status)."""
    statement = _joined().where(Obligation.due_item_id == due_item_id).order_by(col(Unit.code))
    return _views(session, statement)


def open_obligations(session: Session, *, unit_id: int) -> list[ObligationView]:
    """What a unit still has to file (open or returned), earliest deadline first."""
    statement = (
        _joined()
        .where(Obligation.unit_id == unit_id, col(Obligation.status).in_(PENDING))
        .order_by(col(DueItem.due_at), col(DueItem.id))
    )
    return _views(session, statement)


def outstanding(
    session: Session, *, due_before: datetime | None = None, report_key: str | None = None
) -> list[ObligationView]:
    """Unfiled obligations of active units (optionally due before a moment: the overdue ones)."""
    statement = (
        _joined()
        .where(col(Obligation.status).in_(PENDING), col(Unit.active).is_(True))
        .order_by(col(DueItem.due_at), col(Unit.code))
    )
    if due_before is not None:
        statement = statement.where(col(DueItem.due_at) < due_before)
    if report_key is not None:
        statement = statement.where(DueItem.report_key == report_key)
    return _views(session, statement)


def _obligation(session: Session, obligation_id: int) -> Obligation:
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise LookupError(f"no obligation with id {obligation_id}")
    return obligation


def mark_obligation_done(session: Session, *, obligation_id: int, now: datetime) -> Obligation:
    """The unit has filed: done, late if after the deadline (补报).

    Only the move from open/returned to done sets when it was completed and whether late: another
    item or an amendment filed after the deadline leaves a filing made on time on time.
    """
    obligation = _obligation(session, obligation_id)
    if obligation.status is ObligationStatus.done:
        return obligation
    due_item = session.get(DueItem, obligation.due_item_id)
    assert due_item is not None
    obligation.status = ObligationStatus.done
    obligation.completed_at = now
    obligation.late = now > due_item.due_at
    session.flush()
    return obligation


def mark_obligation_returned(session: Session, *, obligation_id: int) -> Obligation:
    """A coordinator returned the filing (退回修改): the obligation is open again."""
    obligation = _obligation(session, obligation_id)
    obligation.status = ObligationStatus.returned
    obligation.completed_at = None
    session.flush()
    return obligation


def get_obligation_view(session: Session, *, obligation_id: int) -> ObligationView | None:
    """An obligation with its due item and unit."""
    found = _views(session, _joined().where(Obligation.id == obligation_id))
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class ListedObligation:
    """What a liaison's views read of an obligation."""

    id: int
    unit_id: int
    status: ObligationStatus
    late: bool


@dataclass(frozen=True, slots=True)
class ListedItem:
    """What a liaison's views read of a due item."""

    id: int
    report_key: str
    period_key: str
    period_label: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class ListedUnit:
    """What a liaison's views read of a unit."""

    id: int
    name: str
    code: str
    tags: tuple[str, ...]


class CurrentItem(NamedTuple):
    """The latest version of one item of an obligation, as much as the /due and /submit buttons need."""

    obligation_id: int
    item_no: int
    kind: SubmissionKind
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class Listed:
    """An obligation a liaison's views list (/due, /submit), with its due item, unit and the latest version
    of each item filed for it: rows, not ORM objects, since both views run on every call (building three
    mapped objects a row cost them a third)."""

    obligation: ListedObligation
    due_item: ListedItem
    unit: ListedUnit
    current: tuple[CurrentItem, ...]  # by item number


def listed_obligations(
    session: Session, *, unit_ids: Iterable[int], due_before: datetime, filed_since: datetime, filed: Iterable[ObligationStatus]
) -> list[Listed]:
    """The obligations of some units a liaison's views list, earliest deadline first, with what is filed for
    them (one query, whatever the history): due before `due_before`, and either not yet `filed` or due since
    `filed_since`."""
    ids = list(unit_ids)
    if not ids:
        return []
    params = {"unit_ids": ids, "due_before": due_before, "filed_since": filed_since, "filed": list(filed)}
    rows: list[tuple[ListedObligation, ListedItem, ListedUnit, list[CurrentItem]]] = []
    units: dict[int, ListedUnit] = {}
    for oid, uid, status, late, iid, report_key, period_key, label, due_at, name, code, tags, item_no, kind, submitted_at in (
        session.connection().execute(_LISTED, params)
    ):
        if not rows or rows[-1][0].id != oid:  # an obligation's rows come together, one per item filed (or one, none filed)
            unit = units.get(uid)
            if unit is None:
                unit = units[uid] = ListedUnit(uid, name, code, tuple(tags or ()))
            rows.append((ListedObligation(oid, uid, status, bool(late)), ListedItem(iid, report_key, period_key, label or "", due_at), unit, []))
        if item_no is not None:
            rows[-1][3].append(CurrentItem(oid, item_no, kind, submitted_at))
    return [Listed(o, d, u, tuple(current)) for o, d, u, current in rows]


def _listed() -> Any:
    """Built once (building a statement costs more than running this one, on every /due and /submit)."""
    return (
        sa_select(
            col(Obligation.id), col(Obligation.unit_id), col(Obligation.status), col(Obligation.late),
            col(DueItem.id), col(DueItem.report_key), col(DueItem.period_key), col(DueItem.period_label), col(DueItem.due_at),
            col(Unit.name), col(Unit.code), col(Unit.tags),
            col(Submission.item_no), col(Submission.kind), col(Submission.submitted_at),
        )
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .outerjoin(Submission, and_(col(Submission.obligation_id) == Obligation.id, col(Submission.status) != SubmissionStatus.superseded))
        .where(
            col(Obligation.unit_id).in_(bindparam("unit_ids", expanding=True)),
            col(DueItem.due_at) < bindparam("due_before"),
            col(Obligation.status).not_in(bindparam("filed", expanding=True)) | (col(DueItem.due_at) >= bindparam("filed_since")),
        )
        .order_by(col(DueItem.due_at), col(DueItem.id), col(Obligation.id), col(Submission.item_no))
    )


_LISTED = _listed()


def obligations_of_unit(
    session: Session, *, unit_id: int, due_before: datetime | None = None
) -> list[ObligationView]:
    """Every obligation of a unit (optionally due before a moment), earliest deadline first."""
    statement = _joined().where(Obligation.unit_id == unit_id).order_by(col(DueItem.due_at), col(DueItem.id))
    if due_before is not None:
        statement = statement.where(col(DueItem.due_at) < due_before)
    return _views(session, statement)


def next_open_deadlines(session: Session, *, report_keys: Sequence[str], unit_ids: Collection[int] | None = None) -> dict[str, datetime]:
    """Per report key, the earliest deadline still owed (open or returned) by active units (among `unit_ids`, if given)."""
    if not report_keys:
        return {}
    statement = (
        select(DueItem.report_key, func.min(DueItem.due_at))
        .join(Obligation, col(Obligation.due_item_id) == DueItem.id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(DueItem.report_key).in_(list(report_keys)), col(Obligation.status).in_(PENDING), col(Unit.active).is_(True))
        .group_by(DueItem.report_key)
    )
    if unit_ids is not None:
        statement = statement.where(col(Obligation.unit_id).in_(sorted(unit_ids)))
    return {key: at for key, at in session.exec(statement)}  # (min keeps the column's type: aware UTC)
