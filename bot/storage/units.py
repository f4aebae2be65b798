"""Units (所/队/股室, 县区局, 工作组): kept in step with the campaign config."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from bot.models import AuditEvent, Unit
from bot.storage.sql import select_columns

IMPORT_ACTION = "units.import"


class _Row(NamedTuple):
    name: str
    tags: list[str]
    active: bool


class UnitSpec(NamedTuple):
    """A unit as the config describes it."""

    code: str
    name: str
    tags: Sequence[str] = ()
    parent: str | None = None  # the code of the unit above (units in levels); None: top level


@dataclass
class UnitSync:
    """What `upsert_units` changed, by unit code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


def upsert_units(
    session: Session,
    *,
    units: Iterable[UnitSpec | tuple[str, str, Sequence[str]] | tuple[str, str, Sequence[str], str | None]],
    now: datetime,
    deactivate_missing: bool = True,
    keep: Iterable[str] = (),
) -> UnitSync:
    """Create or update the given units and deactivate every unit not among them (unless in `keep`, or `deactivate_missing` is False)."""
    specs = [UnitSpec(*u) for u in units]
    codes = [s.code for s in specs]
    if len(set(codes)) != len(codes):
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        raise ValueError(f"duplicate unit codes: {', '.join(duplicates)}")
    # Compared as plain rows (10,000 units at every start): ORM objects only for the units that change.
    existing = {code: _Row(name, list(tags or []), bool(active)) for code, name, tags, active in session.execute(select_columns(col(Unit.code), col(Unit.name), col(Unit.tags), col(Unit.active)))}
    result = UnitSync()
    changed: dict[str, dict[str, object]] = {}
    for spec in specs:
        tags = list(spec.tags)
        row = existing.get(spec.code)
        if row is None:
            session.add(Unit(code=spec.code, name=spec.name, tags=tags, active=True, created_at=now, updated_at=now))
            result.created.append(spec.code)
            continue
        if not row.active:
            changed.setdefault(spec.code, {})["active"] = True
            result.reactivated.append(spec.code)
        if row.name != spec.name or row.tags != tags:
            changed.setdefault(spec.code, {}).update(name=spec.name, tags=tags)
            result.updated.append(spec.code)
    wanted = set(codes) | set(keep)
    for code, row in existing.items():
        if deactivate_missing and code not in wanted and row.active:
            changed.setdefault(code, {})["active"] = False
            result.deactivated.append(code)
    _apply(session, changed, now=now)
    _link_parents(session, specs, now=now)
    session.flush()
    return result


def _apply(session: Session, changes: dict[str, dict[str, object]], *, now: datetime) -> None:
    """Set the given fields of the units by code, with `updated_at`."""
    if not changes:
        return
    for unit in units_by_codes(session, codes=changes).values():
        for name, value in changes[unit.code].items():
            setattr(unit, name, value)
        unit.updated_at = now


def _link_parents(session: Session, specs: Sequence[UnitSpec], *, now: datetime) -> None:
    """Set each unit's parent by code once every unit exists (a parent may come after its child)."""
    session.flush()
    rows = {code: (uid, parent_id) for uid, code, parent_id in session.exec(select(Unit.id, Unit.code, Unit.parent_id))}
    changes: dict[str, dict[str, object]] = {}
    for spec in specs:
        parent_id = rows[spec.parent][0] if spec.parent and spec.parent in rows else None
        if rows[spec.code][1] != parent_id:
            changes[spec.code] = {"parent_id": parent_id}
    _apply(session, changes, now=now)


def subtree_ids(session: Session, *, unit_ids: Iterable[int]) -> set[int]:
    """The given units and every unit below them, at any depth (one query; the tree is small)."""
    children: dict[int, list[int]] = {}
    for uid, parent in session.exec(select(Unit.id, Unit.parent_id)):
        if parent is not None and uid is not None:
            children.setdefault(parent, []).append(uid)
    out: set[int] = set()
    stack = list(unit_ids)
    while stack:
        uid = stack.pop()
        if uid in out:
            continue
        out.add(uid)
        stack.extend(children.get(uid, []))
    return out


def ancestors(session: Session, *, unit_id: int) -> list[Unit]:
    """The units above `unit_id`, nearest first."""
    out: list[Unit] = []
    unit = session.get(Unit, unit_id)
    seen = {unit_id}
    while unit is not None and unit.parent_id is not None and unit.parent_id not in seen:
        seen.add(unit.parent_id)
        unit = session.get(Unit, unit.parent_id)
        if unit is not None:
            out.append(unit)
    return out


def children_of(session: Session, *, unit_id: int) -> list[Unit]:
    """The active units directly below `unit_id`, by code."""
    statement = select(Unit).where(Unit.parent_id == unit_id, col(Unit.active).is_(True)).order_by(col(Unit.code))
    return list(session.exec(statement))


def get_unit(session: Session, *, unit_id: int) -> Unit | None:
    """The unit with this id."""
    return session.get(Unit, unit_id)


def units_by_ids(session: Session, *, unit_ids: Iterable[int]) -> dict[int, Unit]:
    """Units by id (one query); ids of no unit are left out."""
    ids = list(unit_ids)
    return {u.id: u for u in session.exec(_BY_IDS, params={"unit_ids": ids}) if u.id is not None} if ids else {}


_BY_IDS = select(Unit).where(col(Unit.id).in_(bindparam("unit_ids", expanding=True)))  # built once (every /due)


def get_unit_by_code(session: Session, *, code: str) -> Unit | None:
    """The unit with this code (active or not)."""
    return session.exec(select(Unit).where(Unit.code == code)).first()


def units_by_codes(session: Session, *, codes: Iterable[str]) -> dict[str, Unit]:
    """Units keyed by code; unknown codes are simply absent."""
    wanted = list(set(codes))
    if not wanted:
        return {}
    return {u.code: u for u in session.exec(select(Unit).where(col(Unit.code).in_(wanted)))}


def levels(session: Session) -> dict[str, str]:
    """Unit code -> the name of the unit above it, for the units in levels (active or not; one narrow read, no JSON)."""
    rows = list(session.execute(select_columns(col(Unit.id), col(Unit.code), col(Unit.name), col(Unit.parent_id))))
    names = {uid: name for uid, _, name, _ in rows}
    return {code: names[parent] for _, code, _, parent in rows if parent is not None and parent in names}


def count_units(session: Session) -> int:
    """How many active units."""
    return int(session.exec(select(func.count()).select_from(Unit).where(col(Unit.active).is_(True))).one())


def list_units(session: Session, *, active_only: bool = True, tag: str | None = None) -> list[Unit]:
    """Units ordered by code, optionally only active ones and only those with `tag`."""
    statement = select(Unit).order_by(col(Unit.code))
    if active_only:
        statement = statement.where(col(Unit.active).is_(True))
    units = list(session.exec(statement))
    if tag is not None:  # tags are a JSON list; filtering in Python keeps it portable
        units = [u for u in units if tag in u.tags]
    return units


@dataclass(frozen=True)
class UnitTags:
    """An active unit's code and tags: what decides which reports it owes."""

    code: str
    tags: list[str]


def active_unit_tags(session: Session) -> list[UnitTags]:
    """Code and tags of every active unit, by code (two columns, not whole rows)."""
    statement = select(Unit.code, Unit.tags).where(col(Unit.active).is_(True)).order_by(col(Unit.code))
    return [UnitTags(code, list(tags)) for code, tags in session.exec(statement)]


def imported_unit_codes(session: Session) -> set[str]:
    """Codes of units ever brought in by `liaison-bot import-units` (recorded in the audit trail)."""
    statement = select(AuditEvent.details).where(AuditEvent.action == IMPORT_ACTION)
    return {str(code) for details in session.exec(statement) for code in (details or {}).get("codes", [])}
