"""/tasks, one task with its units and reports, 签收, progress reports, and the chase of a 签收.

A lead unit (牵头) reports the task's progress; a supporting unit (配合) adds its part to the same
task; both as text with files, kept as a draft (`FLOW`) until submitted. The level above each unit
hears of a report; a supporting unit's part is also sent to the lead unit's liaisons.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import ReminderKind, Task, TaskRole
from bot.services.people.access import Roles
from bot.services.problems.common import Btn, Notice, Reply, language_of, level_above, send_notices, unit_liaisons
from bot.services.problems.lifecycle import Outcome
from bot.services.problems.overdue import awake
from bot.services.tasks import deadlines as task_deadlines
from bot.storage import drafts, due, tasks
from bot.storage.tasks import Assigned
from bot.texts.catalog import t, tn

log = logging.getLogger(__name__)
FLOW = "task_report"
BUTTON = "tk"
DUE_SOON = task_deadlines.DUE_SOON
MAX_TEXT = 2000


def _mark(task: Task, reported: bool, now: datetime, owed: datetime | None) -> str:
    """🔴 a deadline passed and not met, 🟡 one due within 3 days, 📝 progress reported, ⚪ otherwise.
    `owed`: the earliest deadline (完成时限 or progress period) still owed by the units in view."""
    deadline = owed if task.progress or owed is not None else (None if reported else task.due_at)
    if deadline is not None and deadline < now:
        return "🔴"
    if deadline is not None and deadline - now <= DUE_SOON:
        return "🟡"
    return "📝" if reported else "⚪"


def _visible(who: Roles) -> frozenset[int] | None:
    if who.is_coordinator or who.is_leader:
        return None if who.visible_units is None else who.visible_units | frozenset(who.units())
    return frozenset(who.units())


def _owed(services: Services, found: list[Task], scope: frozenset[int] | None) -> dict[int, datetime]:
    """Per task, the earliest of its deadlines still owed by the units in view."""
    keys = {task_deadlines.key_of(x.id): x.id for x in found if x.id is not None}
    with services.storage.session() as s:
        first = due.next_open_deadlines(s, report_keys=list(keys), unit_ids=scope)
    return {keys[k]: at for k, at in first.items()}


def _line(services: Services, task: Task, links: list[Assigned], reported: bool, language: str, now: datetime, owed: datetime | None) -> str:
    from bot.services.coordinator.views import format_moment

    lead = "、".join(a.unit.name for a in links if a.link.role is TaskRole.lead) or "—"
    shown = owed or task.due_at
    due_text = format_moment(shown, language, services.config.campaign.tz, with_time=False) if shown else t(language, "tasks.no-due")
    return t(language, "tasks.line", mark=_mark(task, reported, now, owed), key=task.key, title=task.title, lead=lead, due=due_text)


def listing(services: Services, who: Roles, *, language: str, now: datetime) -> list[Reply]:
    """The tasks of one's units (coordinators: of their subtree), with a button each."""
    scope = _visible(who)
    with services.storage.session() as s:
        found = tasks.list_tasks(s, unit_ids=scope)
        links = tasks.assignments(s, task_ids=[x.id for x in found if x.id is not None])
        filed = {(r.report.task_id, r.report.unit_id) for r in tasks.reports(s, task_ids=[x.id for x in found if x.id is not None])}
    if not found:
        return [Reply(t(language, "tasks.none"))]
    owed = _owed(services, found, scope)
    lines = [t(language, "tasks.title", count=len(found))]
    buttons: list[list[Btn]] = []
    for task in found:
        mine = [a for a in links if a.link.task_id == task.id]
        leads = [a.unit.id for a in mine if a.link.role is TaskRole.lead]
        lines.append(_line(services, task, mine, any((task.id, u) in filed for u in leads), language, now, owed.get(task.id or 0)))
        if len(buttons) < 20:
            buttons.append([Btn(t(language, "tasks.button.open", key=task.key), BUTTON, ("v", task.id or 0, 0))])
    return [Reply("\n".join(lines), buttons)]


def show(services: Services, who: Roles, *, task_id: int, language: str, now: datetime) -> list[Reply]:
    """One task: content, its units (签收 or not), the reports, and what this user may do."""
    with services.storage.session() as s:
        task = tasks.get_task(s, task_id=task_id)
        links = tasks.assignments(s, task_ids=[task_id])
        rows = tasks.reports(s, task_ids=[task_id])
    scope = _visible(who)
    if task is None or not task.active or (scope is not None and not any(a.unit.id in scope for a in links)):
        return [Reply(t(language, "tasks.gone"))]
    tz = services.config.campaign.tz
    owed = _owed(services, [task], scope).get(task_id)
    lines = [_line(services, task, links, any(r.report.role is TaskRole.lead for r in rows), language, now, owed), ""]
    lines.append(t(language, "tasks.detail", group=task.group or "—", content=task.content or "—"))
    for a in links:
        state = t(language, "tasks.acknowledged") if a.link.acknowledged_at else t(language, "tasks.not-acknowledged")
        lines.append(t(language, f"tasks.unit-{a.link.role.value}", unit=a.unit.name, state=state))
    lines.append("")
    lines.append(t(language, "tasks.reports-title") if rows else t(language, "tasks.no-reports"))
    files: list[int] = []
    for r in rows:
        lines.append(tn(language, f"tasks.report-{r.report.role.value}", len(r.report.attachment_ids), at=r.report.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), unit=r.unit_name,
                       who=r.person or "—", text=r.report.text))
        files.extend(r.report.attachment_ids)
    buttons = []
    for a in links:
        if a.unit.id in who.units():
            row = [Btn(t(language, f"tasks.button.report-{a.link.role.value}", unit=a.unit.name), BUTTON, ("r", task_id, a.unit.id or 0))]
            if a.link.acknowledged_at is None:
                row.insert(0, Btn(t(language, "tasks.button.ack", unit=a.unit.name), BUTTON, ("a", task_id, a.unit.id or 0)))
            buttons.append(row)
    return [Reply("\n".join(lines), buttons, files[-10:])]


def _link(services: Services, who: Roles, task_id: int, unit_id: int) -> Assigned | None:
    if unit_id not in who.units():
        return None
    with services.storage.session() as s:
        return next((a for a in tasks.assignments(s, task_ids=[task_id]) if a.unit.id == unit_id), None)


def acknowledge(services: Services, who: Roles, *, task_id: int, unit_id: int, language: str, now: datetime) -> Outcome:
    """签收 of a task by one of the user's units."""
    link = _link(services, who, task_id, unit_id)
    if link is None or who.person_id is None:
        return Outcome([Reply(t(language, "tasks.not-yours"))])
    with services.storage.session() as s:
        done = tasks.acknowledge(s, task_id=task_id, unit_id=unit_id, person_id=who.person_id, now=now)
    key = "tasks.acknowledged-now" if done else "tasks.already-acknowledged"
    return Outcome([Reply(t(language, key, unit=link.unit.name)), *show(services, who, task_id=task_id, language=language, now=now)])


def start_report(services: Services, who: Roles, *, task_id: int, unit_id: int, language: str, now: datetime) -> Outcome:
    """Ask for the progress (text, then files if any)."""
    link = _link(services, who, task_id, unit_id)
    if link is None or who.person_id is None:
        return Outcome([Reply(t(language, "tasks.not-yours"))])
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW, state="text", data={"task_id": task_id, "unit_id": unit_id, "text": "", "files": []}, now=now)
    return Outcome([Reply(t(language, f"tasks.ask-{link.link.role.value}", unit=link.unit.name))])


def _buttons(language: str, data: dict[str, object]) -> list[list[Btn]]:
    task_id, unit_id = int(str(data["task_id"])), int(str(data["unit_id"]))
    return [[Btn(t(language, "tasks.button.submit"), BUTTON, ("rs", task_id, unit_id)), Btn(t(language, "tasks.button.cancel"), BUTTON, ("c", task_id, unit_id))]]


def _files(data: dict[str, object]) -> list[int]:
    found = data.get("files")
    return [int(str(x)) for x in found] if isinstance(found, list) else []


def report_text(services: Services, who: Roles, *, data: dict[str, object], text: str, language: str, now: datetime) -> Outcome:
    """The progress typed (typing again replaces it)."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        return Outcome([Reply(t(language, "tasks.bad-text", max=MAX_TEXT))])
    assert who.person_id is not None
    data = {**data, "text": text}
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW, state="text", data=data, now=now)
    return Outcome([Reply(tn(language, "tasks.got-text", len(_files(data)), text=text), _buttons(language, data))])


def report_file(services: Services, who: Roles, *, data: dict[str, object], attachment_id: int, name: str, language: str, now: datetime) -> Outcome:
    """A file of the report."""
    assert who.person_id is not None
    data = {**data, "files": [*_files(data), attachment_id][:10]}
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW, state="text", data=data, now=now)
    return Outcome([Reply(t(language, "tasks.got-file", name=name, count=len(_files(data))), _buttons(language, data) if data.get("text") else [])])


def submit(services: Services, who: Roles, *, task_id: int, unit_id: int, language: str, now: datetime) -> Outcome:
    """File the report; the level above (and, for a supporting unit's part, the lead unit) hear of it."""
    assert who.person_id is not None
    draft = services.storage.drafts.get_draft(person_id=who.person_id, flow=FLOW)
    link = _link(services, who, task_id, unit_id)
    if draft is None or draft.data.get("task_id") != task_id or draft.data.get("unit_id") != unit_id or not draft.data.get("text") or link is None:
        return Outcome([Reply(t(language, "tasks.expired"))])
    text, files = str(draft.data["text"]), _files(dict(draft.data))
    with services.storage.session() as s:
        tasks.add_report(s, task_id=task_id, unit_id=unit_id, person_id=who.person_id, role=link.link.role, text=text, attachment_ids=files, now=now)
        if link.link.role is TaskRole.lead:  # the unit's earliest open progress period (or 完成时限) is filed
            task_deadlines.file_progress(s, task_id=task_id, unit_id=unit_id, now=now)
        drafts.delete_draft(s, person_id=who.person_id, flow=FLOW)
        task = tasks.get_task(s, task_id=task_id)
        leads = [a.unit.id for a in tasks.assignments(s, task_ids=[task_id]) if a.link.role is TaskRole.lead and a.unit.id is not None]
    assert task is not None
    people = {p.id: p for p in level_above(services, unit_id)}
    if link.link.role is TaskRole.support:
        people.update({p.id: p for lead in leads for p in unit_liaisons(services, lead)})
    notices = []
    for person in people.values():
        lang = language_of(services, person)
        notices.append(Notice(person, tn(lang, f"tasks.notice.{link.link.role.value}", len(files), key=task.key, title=task.title, unit=link.unit.name, text=text),
                              [[Btn(t(lang, "tasks.button.open", key=task.key), BUTTON, ("v", task_id, 0))]]))
    return Outcome([Reply(t(language, "tasks.done", key=task.key))], notices)


def cancel(services: Services, who: Roles, *, language: str) -> Outcome:
    """Drop a report in progress."""
    assert who.person_id is not None
    services.storage.drafts.delete_draft(person_id=who.person_id, flow=FLOW)
    return Outcome([Reply(t(language, "tasks.cancelled"))])


async def chase(services: Services, bot: Any, *, now: datetime) -> int:
    """Chase once each unit that has not acknowledged (签收) a task within `acknowledge_within`; how many messages.
    Nothing goes out before the digest time or inside the quiet hours (it waits for them to end)."""
    if not awake(services, now):
        return 0
    def late() -> list[Any]:  # (in a worker thread, as each database call here)
        with services.storage.session() as s:
            return list(tasks.unacknowledged(s, created_before=now - services.config.problems.acknowledge_within))

    sent = 0
    for link, task in await services.writes(late):
        for person in await services.writes(unit_liaisons, services, link.unit_id):
            assert person.id is not None
            rid = await services.writes(
                services.storage.reminders.claim_reminder, due_item_id=None, unit_id=link.unit_id, person_id=person.id,
                moment_key=f"task:{task.id}:{link.unit_id}:ack", kind=ReminderKind.reminder, now=now,
            )
            if rid is None:
                continue
            lang = language_of(services, person)
            notice = Notice(person, t(lang, "tasks.notice.ack-chase", key=task.key, title=task.title),
                            [[Btn(t(lang, "tasks.button.ack-short"), BUTTON, ("a", task.id or 0, link.unit_id)), Btn(t(lang, "tasks.button.open", key=task.key), BUTTON, ("v", task.id or 0, 0))]])
            if await send_notices(services, bot, [notice]):
                await services.writes(services.storage.reminders.mark_reminder_sent, reminder_id=rid, message_id=None, now=now)
                sent += 1
            else:
                await services.writes(services.storage.reminders.mark_reminder_failed, reminder_id=rid, error="not reached", unreachable=True, now=now)
    return sent


def schedule(application: Any, services: Services) -> None:
    """Run `chase` every `[problems] check_every` on the application's JobQueue, from the digest time on."""

    async def job(context: Any) -> None:
        now = services.clock.now()
        try:
            await chase(services, context.bot, now=now)
        except Exception:  # the next run tries again
            log.exception("tasks: the 签收 chase failed")

    assert application.job_queue is not None
    every = services.config.problems.check_every.total_seconds()
    application.job_queue.run_repeating(job, interval=every, first=every, name="tasks")
