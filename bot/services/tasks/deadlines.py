"""A task's deadlines as due items, reminded and shown like a report's.

A task with a 完成时限 (`due`) or recurring progress reports (`progress`, a schedule such as
`{ kind = "monthly", day = 5, covers = "current_month" }`) stands for a report type `task_<id>`
owed by its lead units (牵头单位): `find_report` and `report_types` know it, so the due items and
obligations (`deadlines.due_items`), the reminder plan (`reminders.plan`), /due, /outstanding,
/status and the coordinators' digest treat it as they treat a report. With `progress`, each period
is one due item (the task's 完成时限 ends them); without, the 完成时限 is the one due item. Periods due
before the task existed are not owed. A lead unit's progress report (`progress.submit`) files the
unit's earliest open period; a reminder's 报送 button opens the task's progress report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.config import Config, ReportType, TemplateKind
from bot.models import Task
from bot.storage import due, tasks
from schedules import ChinaCalendar, DueDate, ReminderMoment, due_items, reminders_for

PREFIX = "task_"
DEFAULT_REMINDERS = ["-3d@09:00", "-1d@09:00", "0d@09:00", "+1d@09:00"]
LABEL, LABEL_EN = "完成时限", "Deadline"
DUE_SOON = timedelta(days=3)  # a deadline this near is shown 🟡 (overdue: 🔴)


def key_of(task_id: int) -> str:
    """The report key a task's deadlines are kept under."""
    return f"{PREFIX}{task_id}"


def task_id_of(report_key: str) -> int | None:
    """The task of a report key (None: not a task's)."""
    rest = report_key.removeprefix(PREFIX)
    return int(rest) if rest != report_key and rest.isdigit() else None


def as_report_type(task: Task, config: Config) -> ReportType | None:
    """The report type a task's deadlines stand for; None when it has neither 完成时限 nor progress reports."""
    if task.progress:
        schedule: dict[str, object] = dict(task.progress)
    elif task.due_at is not None:
        schedule = {"kind": "once", "date": task.due_at.astimezone(config.campaign.tz).date(), "label": LABEL, "label_en": LABEL_EN}
    else:
        return None
    assert task.id is not None
    fields = {
        "key": key_of(task.id),
        "title": f"任务{task.key} {task.title}",
        "title_en": f"Task {task.key}: {task.title}",
        "template": TemplateKind.FREE,
        "schedule": schedule,
        "reminders": list(task.reminders) or DEFAULT_REMINDERS,
    }
    return ReportType.model_validate(fields, context={"adhoc": True})  # the task_ prefix is theirs


@dataclass(frozen=True)
class TaskDeadlines:
    """A task's report type, its due items and the codes of its lead units."""

    task: Task
    report: ReportType
    items: list[DueDate]
    lead_codes: list[str]


def deadlines(session: Session, config: Config, calendar: ChinaCalendar) -> list[TaskDeadlines]:
    """Every active task that has deadlines, with the due items it owes."""
    c = config.campaign
    out = []
    for task, codes in tasks.reminded_tasks(session):
        report = as_report_type(task, config)
        if report is None:
            continue
        ends = task.due_at.astimezone(c.tz).date() if task.due_at and task.progress else None
        items = [
            item for item in due_items(report, tz=c.tz, start=c.start, end=c.end, calendar=calendar)
            if item.due_at is not None and item.due_at >= task.created_at and not (ends and item.first_day and item.first_day > ends)
        ]
        out.append(TaskDeadlines(task, report, items, codes))
    return out


def report_type(session: Session, config: Config, report_key: str) -> ReportType | None:
    """The report type of `task_<id>` (None: no such task, or it has no deadlines)."""
    task_id = task_id_of(report_key)
    task = tasks.get_task(session, task_id=task_id) if task_id is not None else None
    return as_report_type(task, config) if task is not None else None


def moments(session: Session, config: Config, calendar: ChinaCalendar) -> list[ReminderMoment]:
    """The reminder moments of every task's due items owed by someone, after the task was created."""
    found: list[ReminderMoment] = []
    for d in deadlines(session, config, calendar):
        if not d.lead_codes:
            continue
        for item in d.items:
            found.extend(
                m for m in reminders_for(item, d.report, calendar=calendar, tz=config.campaign.tz, quiet_hours=config.reminders.quiet_hours)
                if m.at > d.task.created_at
            )
    return found


def file_progress(session: Session, *, task_id: int, unit_id: int, now: datetime) -> bool:
    """A lead unit reported progress: its earliest open period of the task is filed (late if past due), among those
    past due and the next one; a second report before the next deadline files nothing ahead. False: none filed."""
    key = key_of(task_id)
    upcoming = next(iter(due.list_due_items(session, report_key=key, due_from=now)), None)
    pending = [
        v for v in due.open_obligations(session, unit_id=unit_id)
        if v.due_item.report_key == key and (upcoming is None or v.due_item.due_at <= upcoming.due_at)
    ]
    if not pending or pending[0].obligation.id is None:
        return False
    due.mark_obligation_done(session, obligation_id=pending[0].obligation.id, now=now)
    return True


@dataclass(frozen=True)
class Overdue:
    """One period of a task's progress (or its 完成时限) past due, and the lead units that have not reported it."""

    task_key: str
    title: str
    period: str
    units: list[str]


def overdue(session: Session, *, unit_ids: frozenset[int] | None, now: datetime) -> list[Overdue]:
    """Task deadlines past due and not met by units in view (None: every unit), earliest first."""
    found: dict[tuple[str, str], Overdue] = {}
    for view in due.outstanding(session, due_before=now):
        task_id = task_id_of(view.due_item.report_key)
        if task_id is None or (unit_ids is not None and view.unit.id not in unit_ids):
            continue
        key = (view.due_item.report_key, view.due_item.period_key)
        if key not in found:
            task = tasks.get_task(session, task_id=task_id)
            if task is None or not task.active:
                continue
            found[key] = Overdue(task.key, task.title, view.due_item.period_label, [])
        found[key].units.append(view.unit.name)
    return list(found.values())
