"""Tasks from the config (`[[tasks]]`) and from a workbook, with their units resolved: a code names one unit,
a tag every active unit having it (the lead role wins when a unit is named as both)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from bot.config import Config
from bot.models import TaskRole, Unit
from bot.storage import Storage, tasks, units


@dataclass(frozen=True)
class TaskItem:
    """A task to bring in: from `[[tasks]]` or a workbook row."""

    key: str
    group: str
    title: str
    content: str
    lead: Sequence[str]
    supporting: Sequence[str]
    due: date | None
    progress: dict[str, Any] | None = None  # a schedule of recurring progress reports
    reminders: Sequence[str] = ()


def resolve(every: Sequence[Unit], entry: str) -> list[Unit]:
    """The active units an entry names: a code, a unit's name, or a tag."""
    by_code = [u for u in every if entry in (u.code, u.name)]
    return by_code or [u for u in every if entry in (u.tags or [])]


def bring_in(storage: Storage, config: Config, items: Sequence[TaskItem], *, source: str, now: datetime) -> int:
    """Create or update the tasks and their units; how many."""
    tz = config.campaign.tz
    with storage.session() as s:
        every = units.list_units(s) if items else []  # none configured (most campaigns): no read of every unit at each start
        for item in items:
            due_at = datetime.combine(item.due, time(23, 59, 59), tzinfo=tz) if item.due else None
            task = tasks.upsert_task(s, key=item.key, group=item.group, title=item.title, content=item.content, due_at=due_at, source=source, now=now,
                                     progress=item.progress, reminders=list(item.reminders))
            wanted: dict[int, TaskRole] = {}
            for entry in item.supporting:
                wanted.update({u.id: TaskRole.support for u in resolve(every, entry) if u.id is not None})
            for entry in item.lead:
                wanted.update({u.id: TaskRole.lead for u in resolve(every, entry) if u.id is not None})
            assert task.id is not None
            tasks.assign(s, task_id=task.id, wanted=wanted, now=now)
        if source == "config":
            tasks.deactivate_others(s, source="config", keep=[i.key for i in items], now=now)
    return len(items)


def sync_tasks(storage: Storage, config: Config, *, now: datetime) -> int:
    """The config's tasks, at start (after the units)."""
    items = [
        TaskItem(t.key, t.group, t.title, t.content, t.lead, t.supporting, t.due,
                 t.progress.model_dump(mode="json") if t.progress else None, [o.text for o in t.reminders or []])
        for t in config.tasks
    ]
    return bring_in(storage, config, items, source="config", now=now)
