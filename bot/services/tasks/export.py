"""The 任务分工 sheet of /export: each task with its lead and supporting units, who has acknowledged it (签收),
and the latest progress of each unit. A coordinator of one level gets the tasks of their subtree."""

from __future__ import annotations

from collections.abc import Iterator

from bot.context import Services
from bot.models import TaskRole
from bot.services.coordinator.xlsx import Bold
from bot.storage import tasks

WIDTHS = (24, 8, 28, 40, 24, 24, 24, 50, 17)


def rows(services: Services, *, unit_ids: frozenset[int] | None) -> Iterator[list[object]]:
    """Title, header, one row per task."""
    tz = services.config.campaign.tz
    yield [Bold(f"{services.config.campaign.name}任务分工及进展")]
    yield [Bold(h) for h in ("工作任务", "细化序号", "目标任务", "具体内容", "牵头单位", "配合单位", "未签收", "最新进展", "进展时间")]
    with services.storage.session() as s:
        found = tasks.list_tasks(s, unit_ids=unit_ids)
        ids = [x.id for x in found if x.id is not None]
        links = tasks.assignments(s, task_ids=ids)
        reports = tasks.reports(s, task_ids=ids)
    for task in found:
        mine = [a for a in links if a.link.task_id == task.id]
        latest: dict[str, str] = {}
        at = None
        for r in reports:
            if r.report.task_id == task.id:
                latest[r.unit_name] = r.report.text
                at = r.report.at.astimezone(tz).replace(tzinfo=None)
        yield [
            task.group, task.key, task.title, task.content,
            "、".join(a.unit.name for a in mine if a.link.role is TaskRole.lead),
            "、".join(a.unit.name for a in mine if a.link.role is TaskRole.support),
            "、".join(a.unit.name for a in mine if a.link.acknowledged_at is None),
            "\n".join(f"{unit}：{text}" for unit, text in latest.items()),
            at,
        ]
