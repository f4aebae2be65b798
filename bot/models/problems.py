"""Tables of the 问题清单 (problem lists closed by 销号): problems and their append-only trail.

Queries live in
`bot.storage.problems`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, event
from sqlmodel import Field, SQLModel

from bot.db import EnumString
from bot.models.base import _fk, _ts


class ProblemStatus(StrEnum):
    """Where a problem stands: 待整改 → 整改已报 → 已验收 → 已销号 (a return goes back to open)."""

    open = "open"
    reported = "reported"
    verified = "verified"
    closed = "closed"


class Problem(SQLModel, table=True):
    """One problem on the 问题清单: found in an inspection, rectified by its unit, verified and closed (销号) by the level above."""

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, index=True)  # 序号, shown to people as №N
    unit_id: int = _fk("unit.id")
    description: str = Field(sa_type=Text)
    source: str = Field(default="", max_length=200)  # 问题来源: which inspection found it
    severity: str = Field(default="", max_length=32)
    responsible: str = Field(default="", max_length=100)  # 责任人
    due_at: datetime = _ts(index=True)  # 整改时限: the end of that day in the campaign's zone
    status: ProblemStatus = Field(default=ProblemStatus.open, sa_type=EnumString(ProblemStatus), index=True)
    rectification: str | None = Field(default=None, sa_type=Text)  # 整改情况: the last report
    verification: str | None = Field(default=None, sa_type=Text)  # 验收情况
    returned_times: int = 0
    acknowledged_at: datetime | None = _ts(nullable=True)  # 签收
    reported_at: datetime | None = _ts(nullable=True)
    closed_at: datetime | None = _ts(nullable=True)  # 销号时间
    escalated_at: datetime | None = _ts(nullable=True)
    created_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ProblemEvent(SQLModel, table=True):
    """One step of a problem (registered, acknowledged, reported, returned, verified, closed, reminded, escalated):
    who, when, what. Rows are only ever added: the ORM refuses to change or delete one."""

    __tablename__ = "problem_event"

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = _fk("problem.id")
    at: datetime = _ts()
    actor_person_id: int | None = _fk("person.id", nullable=True, index=False)
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    comment: str | None = Field(default=None, sa_type=Text)
    attachment_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class TrailIsAppendOnly(Exception):
    """Someone tried to change or delete a step of a problem's trail."""


@event.listens_for(ProblemEvent, "before_update")
@event.listens_for(ProblemEvent, "before_delete")
def _refuse(mapper: Any, connection: Any, target: ProblemEvent) -> None:
    raise TrailIsAppendOnly(f"problem_event {target.id} is part of an audit trail and cannot be changed")
