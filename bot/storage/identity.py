"""Who a Telegram user is, in one statement: the person, their active roles with units, their drafts, and the
units below the units a coordinator or leader is bound to (units in levels).

Every update starts by asking this (`bot.services.people.identity`); one round trip, whatever the roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, bindparam, String, and_, cast, literal, null, select as sa_select, union_all
from sqlmodel import Session, col

from bot.models import Draft, Person, Role, RoleAssignment, Unit
from bot.db import UTCDateTime


@dataclass(frozen=True)
class HeldRole:
    """An active role assignment, with its unit's name, code and whether the unit is active."""

    assignment_id: int
    role: Role
    unit_id: int | None
    unit_name: str | None
    unit_code: str | None
    unit_active: bool


@dataclass(frozen=True)
class HeldDraft:
    """A conversation in progress."""

    draft_id: int
    flow: str
    state: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass
class Found:
    """What the database holds about one Telegram user (`person_id` None: not known)."""

    person_id: int | None = None
    language: str | None = None
    reachable: bool = True
    roles: list[HeldRole] = field(default_factory=list)
    drafts: list[HeldDraft] = field(default_factory=list)  # most recently touched first
    below_bound: set[int] = field(default_factory=set)  # the bound units (active) and every unit under them


def _row(kind: str, **values: Any) -> Any:
    columns: dict[str, Any] = {
        "n1": Integer(), "n2": Integer(), "s1": String(), "s2": String(), "s3": String(), "b": Boolean(), "j": JSON(), "t": UTCDateTime(),
    }
    out = [literal(kind, String()).label("k")]
    for name, kind_type in columns.items():
        value = values.get(name)
        out.append((value if value is not None else cast(null(), kind_type)).label(name))
    return out


def find(session: Session, *, telegram_user_id: int) -> Found:
    """The person behind a Telegram user id, with everything an update needs to know about them (one statement)."""
    found = Found()
    for k, n1, n2, s1, s2, s3, b, j, t in session.connection().execute(_STATEMENT, {"telegram_user_id": telegram_user_id}):
        if k == "p":
            found.person_id, found.language, found.reachable = n1, s1, bool(b)
        elif k == "r":
            found.roles.append(HeldRole(n2, Role(s1), n1, s2, s3, bool(b)))
        elif k == "d":
            found.drafts.append(HeldDraft(n1, s1, s2, dict(j or {}), t))
        elif n1 is not None:
            found.below_bound.add(n1)
    found.drafts.sort(key=lambda d: (d.updated_at, d.draft_id), reverse=True)
    return found


def _statement() -> Any:
    """Built once (building it costs more than running it): the user's id is a bound parameter."""
    telegram_user_id = bindparam("telegram_user_id", type_=BigInteger())
    person = sa_select(col(Person.id)).where(col(Person.telegram_user_id) == telegram_user_id).scalar_subquery()
    active = and_(col(RoleAssignment.person_id) == person, col(RoleAssignment.ended_at).is_(None))
    bound = (
        sa_select(col(RoleAssignment.unit_id).label("uid"))
        .join(Unit, col(Unit.id) == RoleAssignment.unit_id)
        .where(active, col(RoleAssignment.role).in_([Role.coordinator, Role.leader]), col(Unit.active).is_(True))
        .cte("below_bound", recursive=True)
    )
    below = bound.union(sa_select(col(Unit.id)).join(bound, col(Unit.parent_id) == bound.c.uid))
    statement = union_all(
        sa_select(*_row("p", n1=col(Person.id), s1=col(Person.language), b=col(Person.reachable))).where(
            col(Person.telegram_user_id) == telegram_user_id
        ),
        sa_select(
            *_row("r", n1=col(RoleAssignment.unit_id), n2=col(RoleAssignment.id), s1=col(RoleAssignment.role),
                  s2=col(Unit.name), s3=col(Unit.code), b=col(Unit.active))
        )
        .select_from(RoleAssignment)
        .outerjoin(Unit, col(Unit.id) == RoleAssignment.unit_id)
        .where(active),
        sa_select(
            *_row("d", n1=col(Draft.id), s1=col(Draft.flow), s2=col(Draft.state), j=col(Draft.data), t=col(Draft.updated_at))
        ).where(col(Draft.person_id) == person),
        sa_select(*_row("s", n1=below.c.uid)),
    )
    return statement


_STATEMENT = _statement()
