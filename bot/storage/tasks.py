"""工作任务: tasks, the units assigned to them (牵头/配合, 签收) and their progress reports."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.models import Person, Task, TaskReport, TaskRole, TaskUnit, Unit


def upsert_task(
    session: Session, *, key: str, group: str, title: str, content: str, due_at: datetime | None, source: str, now: datetime,
    progress: dict[str, Any] | None = None, reminders: list[str] | None = None,
) -> Task:
    """Create or update the task with this 细化序号 (reactivating it)."""
    task = session.exec(select(Task).where(Task.key == key)).first()
    wanted = (group, title, content, due_at, progress, reminders or [], True)
    if task is None:
        task = Task(key=key, group=group, title=title, content=content, due_at=due_at, progress=progress, reminders=reminders or [],
                    source=source, created_at=now, updated_at=now)
        session.add(task)
    elif (task.group, task.title, task.content, task.due_at, task.progress, task.reminders, task.active) != wanted:
        task.group, task.title, task.content, task.due_at, task.progress, task.reminders, task.active = wanted
        task.updated_at = now
    session.flush()
    return task


def assign(session: Session, *, task_id: int, wanted: Mapping[int, TaskRole], now: datetime) -> None:
    """Make the task's units exactly `wanted` (unit id → role); an acknowledgement is kept while the unit stays.
    A change marks the task changed (`updated_at`): who owes its deadlines follows."""
    current = {a.unit_id: a for a in session.exec(select(TaskUnit).where(TaskUnit.task_id == task_id))}
    changed = False
    for unit_id, role in wanted.items():
        found = current.get(unit_id)
        if found is None:
            session.add(TaskUnit(task_id=task_id, unit_id=unit_id, role=role, created_at=now))
            changed = True
        elif found.role != role:
            found.role, changed = role, True
    for unit_id, found in current.items():
        if unit_id not in wanted:
            session.delete(found)
            changed = True
    task = session.get(Task, task_id)
    if changed and task is not None and task.updated_at != now:
        task.updated_at = now
    session.flush()


def deactivate_others(session: Session, *, source: str, keep: Collection[str], now: datetime) -> None:
    """Tasks of `source` (the config) no longer listed stop being shown; their reports are kept."""
    for task in session.exec(select(Task).where(Task.source == source, col(Task.active).is_(True))):
        if task.key not in keep:
            task.active, task.updated_at = False, now
    session.flush()


def get_task(session: Session, *, task_id: int) -> Task | None:
    """A task by id."""
    return session.get(Task, task_id)


@dataclass(frozen=True)
class Assigned:
    """A unit's part in a task, with the unit."""

    link: TaskUnit
    unit: Unit


def assignments(session: Session, *, task_ids: Collection[int]) -> list[Assigned]:
    """The units of these tasks: leads first, then by unit code."""
    if not task_ids:
        return []
    statement = select(TaskUnit, Unit).join(Unit, col(Unit.id) == TaskUnit.unit_id).where(col(TaskUnit.task_id).in_(sorted(task_ids)))
    found = [Assigned(link, unit) for link, unit in session.exec(statement)]
    return sorted(found, key=lambda a: (a.link.task_id, a.link.role != TaskRole.lead, a.unit.code))


def list_tasks(session: Session, *, unit_ids: Collection[int] | None = None) -> list[Task]:
    """Active tasks (those with a unit among `unit_ids`, if given), by 细化序号."""
    statement = select(Task).where(col(Task.active).is_(True))
    if unit_ids is not None:
        mine = select(TaskUnit.task_id).where(col(TaskUnit.unit_id).in_(sorted(unit_ids)))
        statement = statement.where(col(Task.id).in_(mine))
    return sorted(session.exec(statement), key=_order)


def _order(task: Task) -> list[tuple[int, int, str]]:
    """细化序号 in natural order: 2.10 after 2.9, numbers before letters."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in task.key.replace("-", ".").split(".")]


def acknowledge(session: Session, *, task_id: int, unit_id: int, person_id: int, now: datetime) -> bool:
    """签收 for a unit; False if it was already acknowledged or the unit has no part in the task."""
    link = session.exec(select(TaskUnit).where(TaskUnit.task_id == task_id, TaskUnit.unit_id == unit_id).with_for_update()).first()
    if link is None or link.acknowledged_at is not None:
        return False
    link.acknowledged_at, link.acknowledged_by_person_id = now, person_id
    session.flush()
    return True


def add_report(
    session: Session, *, task_id: int, unit_id: int, person_id: int, role: TaskRole, text: str, attachment_ids: list[int], now: datetime
) -> TaskReport:
    """Add a progress report (the unit acknowledges the task by it, if it had not)."""
    report = TaskReport(task_id=task_id, unit_id=unit_id, person_id=person_id, role=role, text=text, attachment_ids=attachment_ids, at=now)
    session.add(report)
    acknowledge(session, task_id=task_id, unit_id=unit_id, person_id=person_id, now=now)
    session.flush()
    return report


@dataclass(frozen=True)
class ReportRow:
    """A progress report with its unit's name and who filed it."""

    report: TaskReport
    unit_name: str
    person: str | None


def reports(session: Session, *, task_ids: Collection[int]) -> list[ReportRow]:
    """The progress reports of these tasks, oldest first."""
    if not task_ids:
        return []
    statement = (
        select(TaskReport, Unit.name, Person)
        .join(Unit, col(Unit.id) == TaskReport.unit_id)
        .outerjoin(Person, col(Person.id) == TaskReport.person_id)
        .where(col(TaskReport.task_id).in_(sorted(task_ids)))
        .order_by(col(TaskReport.at), col(TaskReport.id))
    )
    return [ReportRow(r, name, (p.name or p.first_name or str(p.telegram_user_id)) if p else None) for r, name, p in session.exec(statement)]


def unacknowledged(session: Session, *, created_before: datetime) -> list[tuple[TaskUnit, Task]]:
    """Units of active tasks that have not acknowledged (签收) them, assigned at or before a moment."""
    statement = (
        select(TaskUnit, Task)
        .join(Task, col(Task.id) == TaskUnit.task_id)
        .where(col(TaskUnit.acknowledged_at).is_(None), col(Task.active).is_(True), col(TaskUnit.created_at) <= created_before)
        .order_by(col(Task.key), col(TaskUnit.unit_id))
    )
    return [(link, task) for link, task in session.exec(statement)]


def reminded_tasks(session: Session) -> list[tuple[Task, list[str]]]:
    """Active tasks with a deadline or recurring progress reports, each with its lead units' codes."""
    statement = select(Task).where(col(Task.active).is_(True), or_(col(Task.due_at).is_not(None), col(Task.progress).is_not(None)))
    found = sorted(session.exec(statement), key=lambda t: t.id or 0)
    leads = select(TaskUnit.task_id, Unit.code).join(Unit, col(Unit.id) == TaskUnit.unit_id).where(
        TaskUnit.role == TaskRole.lead, col(Unit.active).is_(True), col(TaskUnit.task_id).in_([t.id for t in found]))
    codes: dict[int, list[str]] = {}
    for task_id, code in session.exec(leads):
        codes.setdefault(task_id, []).append(code)
    return [(t, sorted(codes.get(t.id or 0, []))) for t in found]


def tasks_fingerprint(session: Session) -> tuple[int, int, str]:
    """Changes when a task is added or changed: (count, highest id, latest change)."""
    count, top, latest = session.exec(select(func.count(), func.max(Task.id), func.max(Task.updated_at))).one()
    return int(count or 0), int(top or 0), str(latest or "")
