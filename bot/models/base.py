"""What every table shares: the naming convention, the vocabularies (roles, statuses, kinds) and
the column helpers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Field, SQLModel

from bot.db import UTCDateTime

# Naming convention so constraint names are the same on every backend and in migrations.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class _Stored(Protocol):
    id: int | None


def id_of(row: _Stored) -> int:
    """The id of a row read from the database (only a row not yet flushed has none)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: not stored yet")
    return row.id


class Role(StrEnum):
    """What a person is for the campaign: 联络员 (primary), B角 (backup), 协调员, 领导."""

    primary = "primary"
    backup = "backup"
    coordinator = "coordinator"
    leader = "leader"
    head = "head"  # 单位负责人: approves the unit's filings of a report that needs sign-off


UNIT_ROLES = frozenset({Role.primary, Role.backup})  # the unit's liaisons
UNIT_SCOPED_ROLES = UNIT_ROLES | {Role.head}  # roles held for one unit


class ObligationStatus(StrEnum):
    """Whether a unit has filed what a due item asks for."""

    open = "open"
    done = "done"
    returned = "returned"
    awaiting = "awaiting"  # 待审核: filed, waiting for the unit head's approval (sign-off)


class SubmissionKind(StrEnum):
    """What a submission is: 典型案例, 统计表, 工作总结, a confirmation, 零报告, or free text."""

    case = "case"
    statistics = "statistics"
    summary = "summary"
    confirmation = "confirmation"
    zero = "zero"
    free = "free"


class SubmissionStatus(StrEnum):
    """Where a submission version stands in review."""

    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"
    superseded = "superseded"
    pending = "pending"  # 待审核: waiting for the unit head's approval; it counts only once approved


class ReminderKind(StrEnum):
    """Why a message about a deadline was sent."""

    reminder = "reminder"
    overdue = "overdue"
    nudge = "nudge"
    digest = "digest"
    escalation = "escalation"
    filing = "filing"  # a coordinator told of a unit's filing (bot.services.notices.filings)
    announce = "announce"  # a liaison told of a new ad-hoc deadline their unit owes
    notice = "notice"  # an announcement (通知) asking for a receipt (回执)


class ReminderStatus(StrEnum):
    """Delivery state of one claimed reminder."""

    pending = "pending"
    sent = "sent"
    failed = "failed"
    unreachable = "unreachable"


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    """A UTCDateTime field."""
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)
    return Field(sa_type=UTCDateTime, nullable=False, index=index)


def _fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    """An integer foreign key field."""
    if nullable:
        return Field(default=None, foreign_key=target, nullable=True, index=index)
    return Field(foreign_key=target, nullable=False, index=index)
