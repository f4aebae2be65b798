"""Roles: who is the 联络员 (primary), B角 (backup), 协调员 or 领导; history is kept."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from bot.models import UNIT_ROLES, UNIT_SCOPED_ROLES, CommandMenu, Person, Role, RoleAssignment, Unit
from bot.storage.sql import insert_for

ROLE_ORDER = {Role.primary: 0, Role.backup: 1, Role.head: 2, Role.coordinator: 3, Role.leader: 4}


@dataclass
class RoleChange:
    """The result of `assign_role`: the active assignment and whom it replaced."""

    assignment: RoleAssignment
    created: bool
    replaced: list[Person] = field(default_factory=list)


@dataclass
class UnitLiaison:
    """An active liaison of a unit."""

    role: Role
    person: Person
    assignment: RoleAssignment


def _active(statement):
    return statement.where(col(RoleAssignment.ended_at).is_(None))


def _end(assignments: Iterable[RoleAssignment], *, reason: str, now: datetime) -> None:
    for assignment in assignments:
        assignment.ended_at = now
        assignment.ended_reason = reason


def assign_role(
    session: Session, *, person_id: int, role: Role, now: datetime, unit_id: int | None = None
) -> RoleChange:
    """Give a person a role; a new primary for a unit ends the previous primary's assignment.

    Primary and backup need a unit; coordinator and leader are campaign-wide (unit None) or
    bound to a unit (then they act for its subtree only: units in levels).
    A person holds one liaison role per unit: becoming primary ends their backup role there
    and vice versa. Assigning a role already held changes nothing.
    """
    role = Role(role)
    if role in UNIT_SCOPED_ROLES and unit_id is None:
        raise ValueError(f"role {role.value} needs a unit")
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise LookupError(f"no unit with id {unit_id}")
    if session.get(Person, person_id) is None:
        raise LookupError(f"no person with id {person_id}")

    mine = list(
        session.exec(
            _active(select(RoleAssignment)).where(
                RoleAssignment.person_id == person_id, RoleAssignment.unit_id == unit_id
            )
        )
        if unit_id is not None
        else session.exec(
            _active(select(RoleAssignment)).where(
                RoleAssignment.person_id == person_id,
                col(RoleAssignment.unit_id).is_(None),
                RoleAssignment.role == role,
            )
        )
    )
    same = [a for a in mine if a.role == role]
    if same:
        return RoleChange(assignment=same[0], created=False)
    # Changing between primary and backup in the same unit (a unit's coordinator keeps their liaison role).
    if role in UNIT_ROLES:
        _end([a for a in mine if a.role in UNIT_ROLES], reason=f"became {role.value}", now=now)

    replaced: list[Person] = []
    if role is Role.primary:
        previous = list(
            session.exec(
                _active(select(RoleAssignment)).where(
                    RoleAssignment.unit_id == unit_id, RoleAssignment.role == Role.primary
                )
            )
        )
        _end(previous, reason="replaced", now=now)
        for assignment in previous:
            person = session.get(Person, assignment.person_id)
            if person is not None:
                replaced.append(person)
    session.flush()  # the ended rows must leave the "one active primary" index first
    assignment = RoleAssignment(person_id=person_id, unit_id=unit_id, role=role, started_at=now)
    session.add(assignment)
    session.flush()
    return RoleChange(assignment=assignment, created=True, replaced=replaced)


def end_role(
    session: Session,
    *,
    person_id: int,
    role: Role,
    now: datetime,
    unit_id: int | None = None,
    reason: str = "removed",
) -> int:
    """End a person's active role (in a unit, or campaign-wide); how many assignments ended."""
    statement = _active(select(RoleAssignment)).where(
        RoleAssignment.person_id == person_id, RoleAssignment.role == Role(role)
    )
    if unit_id is None:
        statement = statement.where(col(RoleAssignment.unit_id).is_(None))
    else:
        statement = statement.where(RoleAssignment.unit_id == unit_id)
    assignments = list(session.exec(statement))
    _end(assignments, reason=reason, now=now)
    session.flush()
    return len(assignments)


def roles_of(session: Session, *, person_id: int) -> list[RoleAssignment]:
    """The person's active role assignments, primary first."""
    assignments = list(
        session.exec(_active(select(RoleAssignment)).where(RoleAssignment.person_id == person_id))
    )
    return sorted(assignments, key=lambda a: (ROLE_ORDER[a.role], a.unit_id or 0, a.id or 0))


def units_of(session: Session, *, person_id: int) -> list[Unit]:
    """The active units the person is a liaison (primary or backup) of, by code."""
    held = _active(select(RoleAssignment.unit_id)).where(
        RoleAssignment.person_id == person_id, col(RoleAssignment.role).in_(list(UNIT_ROLES))
    )
    statement = (
        select(Unit)
        .where(col(Unit.id).in_(held), col(Unit.active).is_(True))
        .order_by(col(Unit.code))
    )
    return list(session.exec(statement))


def liaisons_of_unit(session: Session, *, unit_id: int) -> list[UnitLiaison]:
    """The active liaisons of a unit: the primary first, then backups by start time."""
    statement = (
        _active(select(RoleAssignment, Person))
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(RoleAssignment.unit_id == unit_id, col(RoleAssignment.role).in_(list(UNIT_ROLES)))
    )
    rows = [UnitLiaison(role=a.role, person=p, assignment=a) for a, p in session.exec(statement)]
    return sorted(rows, key=lambda r: (ROLE_ORDER[r.role], r.assignment.started_at, r.assignment.id or 0))


def people_with_role(session: Session, *, role: Role, unit_id: int | None = None) -> list[Person]:
    """People actively holding `role` (in `unit_id` if given), by person id."""
    holders = _active(select(RoleAssignment.person_id)).where(RoleAssignment.role == Role(role))
    if unit_id is not None:
        holders = holders.where(RoleAssignment.unit_id == unit_id)
    statement = select(Person).where(col(Person.id).in_(holders)).order_by(col(Person.id))
    return list(session.exec(statement))


def people_ever_in_a_role(session: Session) -> list[Person]:
    """Everyone who holds or has held any role, by person id."""
    statement = select(Person).where(col(Person.id).in_(select(RoleAssignment.person_id))).order_by(col(Person.id))
    return list(session.exec(statement))


def campaign_holders(session: Session, *, role: Role) -> list[tuple[RoleAssignment, Person]]:
    """The active campaign-wide assignments of `role` (coordinator, leader) with their people, oldest first."""
    statement = (
        _active(select(RoleAssignment, Person))
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(RoleAssignment.role == Role(role), col(RoleAssignment.unit_id).is_(None))
        .order_by(col(RoleAssignment.started_at), col(RoleAssignment.id))
    )
    return [(a, p) for a, p in session.exec(statement)]


def unit_holders(session: Session, *, role: Role) -> list[tuple[RoleAssignment, Person]]:
    """The active unit-bound assignments of `role` (a coordinator of one level) with their people."""
    statement = (
        _active(select(RoleAssignment, Person))
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(RoleAssignment.role == Role(role), col(RoleAssignment.unit_id).is_not(None))
        .order_by(col(RoleAssignment.started_at), col(RoleAssignment.id))
    )
    return [(a, p) for a, p in session.exec(statement)]


def end_assignment(session: Session, *, assignment: RoleAssignment, reason: str, now: datetime) -> None:
    """End one active assignment (history is kept)."""
    _end([assignment], reason=reason, now=now)
    session.flush()


def role_history(session: Session, *, unit_id: int) -> list[RoleAssignment]:
    """Every assignment ever made for a unit, oldest first (ended ones included)."""
    statement = (
        select(RoleAssignment)
        .where(RoleAssignment.unit_id == unit_id)
        .order_by(col(RoleAssignment.started_at), col(RoleAssignment.id))
    )
    return list(session.exec(statement))


def menus_set(session: Session) -> dict[int, str]:
    """Telegram user id -> the digest of the command menu last set for their chat."""
    statement = select(col(CommandMenu.telegram_user_id), col(CommandMenu.digest))
    return {uid: digest for uid, digest in session.exec(statement)}


def record_menu(session: Session, *, telegram_user_id: int, digest: str, now: datetime) -> None:
    """Remember the menu just set for a chat (one statement, also when two processes set it at once)."""
    statement = insert_for(session)(CommandMenu).values(telegram_user_id=telegram_user_id, digest=digest, set_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=["telegram_user_id"], set_={"digest": digest, "set_at": now}))
