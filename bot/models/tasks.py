"""Tables of 工作任务 (任务分工): tasks with their lead (牵头) and supporting (配合) units, and their progress.

Imported at the end of `bot.models`. Queries live in `bot.storage.tasks`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db import EnumString
from bot.models.base import _fk, _ts


class TaskRole(StrEnum):
    """A unit's part in a task: 牵头 (lead: reports progress) or 配合 (supporting: adds its part)."""

    lead = "lead"
    support = "support"


class Task(SQLModel, table=True):
    """One 工作任务 of the 任务分工表: 工作任务 (group) / 细化序号 (key) / 目标任务 (title) / 具体内容 (content)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True, index=True)  # 细化序号
    group: str = Field(default="", max_length=200)  # 工作任务
    title: str = Field(max_length=300)  # 目标任务
    content: str = Field(default="", sa_type=Text)  # 具体内容
    due_at: datetime | None = _ts(nullable=True)
    progress: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # a schedule of recurring progress reports (schedules.rules)
    reminders: list[str] = Field(default_factory=list, sa_type=JSON)  # reminder offsets of its deadlines; empty: the default ones
    source: str = Field(default="config", max_length=16)  # config or import
    active: bool = True
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class TaskUnit(SQLModel, table=True):
    """A unit assigned to a task, as lead or supporting, and when it acknowledged (签收) it."""

    __tablename__ = "task_unit"
    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = _fk("task.id", index=False)
    unit_id: int = _fk("unit.id")
    role: TaskRole = Field(sa_type=EnumString(TaskRole))
    acknowledged_at: datetime | None = _ts(nullable=True)
    acknowledged_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    created_at: datetime = _ts()


class TaskReport(SQLModel, table=True):
    """One progress report on a task by a unit (the lead's progress, or a supporting unit's part); kept, never changed."""

    __tablename__ = "task_report"

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = _fk("task.id")
    unit_id: int = _fk("unit.id", index=False)
    person_id: int | None = _fk("person.id", nullable=True, index=False)
    role: TaskRole = Field(sa_type=EnumString(TaskRole))
    text: str = Field(sa_type=Text)
    attachment_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    at: datetime = _ts()
