"""/due: what a liaison's units owe — overdue items and those due in the next 45 days, with status.

Buttons: file each pending item (and its 零报告 when allowed and nothing is filed), then 再报一个 /
修改已报 of items already filed (the same `extras` as /submit).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.context import Services
from bot.models import ObligationStatus, Unit
from bot.services.people.access import Roles
from bot.services.submissions.forms import fileable
from bot.services.tasks import deadlines as task_deadlines
from bot.services.deadlines.adhoc import report_types_of
from bot.services.deadlines.reports import period_label, report_title
from bot.services.submissions.choose import Name, extras
from bot.services.submissions.common import RECENT, due_text, opens_on
from bot.services.submissions.forms.render import format_day
from bot.services.submissions.flow import ANY_PERIOD, WINDOW
from bot.replies import Btn, Reply
from bot.services import paging
from bot.storage import due, units
from bot.storage.due import ListedUnit
from bot.texts.catalog import Markup, t

MAX_BUTTONS = 10
_MARKS = {"open": "🔲", "overdue": "⏰", "done": "✅", "late": "🕓", "returned": "↩️", "awaiting": "⏳"}


def status_of(status: ObligationStatus, late: bool, due_at: datetime, now: datetime) -> str:
    """open, overdue, done, late (filed after the deadline: 补报), returned, or awaiting (待审核 by the unit head)."""
    if status is ObligationStatus.awaiting:
        return "awaiting"
    if status is ObligationStatus.done:
        return "late" if late else "done"
    if status is ObligationStatus.returned:
        return "returned"
    return "overdue" if due_at < now else "open"


def _mark(report_key: str, status: str, due_at: datetime, now: datetime) -> str:
    """A report's mark; a task's deadline still owed (督查督办) is 🔴 overdue, 🟡 due within 3 days."""
    if task_deadlines.task_id_of(report_key) is not None and status in ("open", "overdue", "returned"):
        if due_at < now:
            return "🔴"
        if due_at - now <= task_deadlines.DUE_SOON:
            return "🟡"
    return _MARKS[status]


def due_list(services: Services, roles: Roles, *, language: str, now: datetime) -> list[Reply]:
    """One message per unit the user is a liaison of."""
    return _lists(services, roles.units(), 0, language=language, now=now)


def due_page(services: Services, roles: Roles, unit_id: int, page: int, *, language: str, now: datetime) -> list[Reply]:
    """Another page of one unit's /due buttons (◀ ▶), in place of the one shown."""
    if unit_id not in roles.units():
        raise LookupError(unit_id)  # no longer the unit's liaison: a stale button
    return [replace(r, edit=True) for r in _lists(services, [unit_id], page, language=language, now=now)]


def _lists(services: Services, unit_ids: list[int], page: int, *, language: str, now: datetime) -> list[Reply]:
    """What each unit owes, with page `page` of its buttons."""
    tz = services.config.campaign.tz
    out: list[Reply] = []
    with services.storage.reading() as s:  # a constant number of queries, whatever the history (one less when every unit has something listed)
        listed = due.listed_obligations(
            s, unit_ids=unit_ids, due_before=now + WINDOW, filed_since=now - RECENT, filed=(ObligationStatus.done, ObligationStatus.awaiting)
        )
        # the listed items' report types: configured, ad-hoc (read only if one is) and the tasks'
        by_key = report_types_of(services, s, {v.due_item.report_key for v in listed})
        found_units: dict[int, Unit | ListedUnit] = {v.unit.id: v.unit for v in listed}  # the listed ones came with their unit
        if missing := [u for u in unit_ids if u not in found_units]:
            found_units |= units.units_by_ids(s, unit_ids=missing)
    for unit_id in unit_ids:
        unit = found_units.get(unit_id)
        views = [v for v in listed if v.obligation.unit_id == unit_id]
        if unit is None:
            continue
        lines = [t(language, "due.title", unit=unit.name)]
        buttons: list[list[Btn]] = []
        later: list[list[Btn]] = []  # 再报一个 / 修改已报: after every item to file
        shown = 0
        for view in views:
            item = view.due_item
            if item.period_key == ANY_PERIOD:
                continue
            pending = view.obligation.status not in (ObligationStatus.done, ObligationStatus.awaiting)
            if not pending and item.due_at < now - RECENT:
                continue
            report = by_key.get(item.report_key)
            if report is None:
                continue
            status = status_of(view.obligation.status, view.obligation.late, item.due_at, now)
            period = period_label(services, report, period_key=item.period_key, stored=item.period_label, language=language)
            first = opens_on(services, item, now, report=report) if pending else None
            said = t(language, "filing.opens", day=format_day(first, language)) if first else t(language, f"due.status.{status}")
            lines.append(t(
                language, "due.item", mark=_mark(item.report_key, status, item.due_at, now), report=report_title(report, language), period=period,
                due=due_text(item.due_at, language, tz), status=Markup(said),
            ))
            shown += 1
            if not fileable(report.template) or first is not None:  # a period not started: nothing to file yet
                continue
            name = Name("", report_title(report, language), period)
            more = [[Btn(c.label, c.action, c.args)] for c in extras(view, report, view.current, name, language=language)]
            if pending:
                buttons.append([Btn(name.label(), "sub", (view.obligation.id,))])
                buttons += [row for row in more if row[0].action == "zero"]
            later += [row for row in more if row[0].action != "zero"]
        paged = paging.page(buttons + later, page, action="duep", args=(unit_id,), size=MAX_BUTTONS)
        if not shown:
            lines.append(t(language, "due.none"))
        any_time = [report_title(r, language) for r in services.config.report_types
                    if r.schedule.kind == "any_time" and (not r.owed_by or set(r.owed_by) & set(unit.tags))]
        if any_time:
            lines.append(t(language, "due.any-time", reports="、".join(any_time) if language == "zh-CN" else ", ".join(any_time)))
        lines.append(t(language, "due.hint"))
        out.append(Reply("\n".join(lines), paged.rows + paged.nav))
    return out

