"""A 任务分工表 (附件5 layout) from a workbook: 工作任务 / 细化序号 / 目标任务 / 具体内容 / 责任单位
[/ 配合单位 / 完成时限 / 进展报送 (每月5日: monthly progress of the month before, by that day)]. A blank 工作任务 carries the one above (a merged cell). 责任单位 and 配合单位 list
units by name, code or tag (e.g. 县: every 县(区)), separated by 、 or commas. All rows or none: each bad
cell is named by its row and column. The workbook is read by `bot.services.problems.importing.read_rows`
(bounded, off the event loop)."""

from __future__ import annotations

import re
from datetime import datetime

from bot.context import Services
from bot.services.people.access import Roles
from bot.services.problems.common import Reply
from bot.services.problems.importing import Sheet
from bot.services.problems.lifecycle import Outcome
from bot.services.tasks.setup import TaskItem, bring_in, resolve
from bot.models import Task, TaskUnit
from bot.storage import units
from bot.texts.catalog import t, tn
from schedules import parse_when

REQUIRED = ("工作任务", "细化序号", "目标任务", "具体内容", "责任单位")
OPTIONAL = ("配合单位", "完成时限", "进展报送")
_MONTHLY = re.compile(r"^每月\s*(\d{1,2})\s*日前?$")  # 进展报送: 每月5日 (the month before's progress by the 5th)
_SPLIT = re.compile(r"[、，,；;]")
_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def import_rows(services: Services, who: Roles, sheet: Sheet, *, language: str, now: datetime) -> Outcome:
    """Bring in every row, or (any bad cell) none, naming each bad cell."""
    if sheet.error:
        return Outcome([Reply(t(language, sheet.error, max=2000))])
    header_at = next((i for i, row in enumerate(sheet.rows[:10]) if set(REQUIRED) <= set(row)), None)
    if header_at is None:
        return Outcome([Reply(t(language, "problems.import.no-header", columns="、".join(REQUIRED)))])
    header = sheet.rows[header_at]
    columns = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    with services.storage.session() as s:
        every = [u for u in units.list_units(s) if u.id is not None and (who.visible_units is None or u.id in who.visible_units)]
    bad: list[str] = []
    items: list[TaskItem] = []
    group, seen = "", set()
    for number, row in enumerate(sheet.rows[header_at + 1:], start=header_at + 2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
        if cells == {k: "" for k in cells} or list(row[: len(header)]) == header:  # a blank row, or the header repeated on a new page
            continue

        def cell(name: str, expected: str, n: int = number, c: dict[str, str] = cells) -> None:
            from openpyxl.utils import get_column_letter  # (here: openpyxl is loaded when a bad cell is named, not at the bot's start)

            bad.append(t(language, "problems.import.bad-cell", row=n, column=name, cell=f"{get_column_letter(columns[name] + 1)}{n}", value=c.get(name, ""), expected=expected))

        group = cells["工作任务"] or group
        key = cells["细化序号"]
        if not _KEY.match(key) or key in seen:
            cell("细化序号", t(language, "tasks.import.expect-key"))
        seen.add(key)
        if not cells["目标任务"] or len(cells["目标任务"]) > 300:
            cell("目标任务", t(language, "problems.import.expect-text", max=300))
        parts: dict[str, list[str]] = {}
        for name in ("责任单位", "配合单位"):
            parts[name] = [p.strip() for p in _SPLIT.split(cells.get(name, "")) if p.strip()]
            unknown = [p for p in parts[name] if not resolve(every, p)]
            if unknown or (name == "责任单位" and not parts[name]):
                cell(name, t(language, "tasks.import.expect-units", unknown="、".join(unknown) or "—"))
        due = None
        if cells.get("完成时限"):
            when = parse_when(cells["完成时限"], now=now, tz=services.config.campaign.tz)
            if when is None:
                cell("完成时限", t(language, "problems.import.expect-date"))
            else:
                due = when.day
        progress = None
        if cells.get("进展报送"):
            found = _MONTHLY.match(cells["进展报送"])
            if found is None or not 1 <= int(found[1]) <= 31:
                cell("进展报送", t(language, "tasks.import.expect-progress"))
            else:
                progress = {"kind": "monthly", "day": int(found[1]), "covers": "previous_month"}
        items.append(TaskItem(key, group, cells["目标任务"], cells["具体内容"], parts["责任单位"], parts["配合单位"], due, progress))
    if bad:
        return Outcome([Reply("\n".join([tn(language, "tasks.import.refused", len(bad)), *bad[:30]]))])
    if not items:
        return Outcome([Reply(t(language, "problems.import.empty"))])
    bring_in(services.storage, services.config, items, source="import", now=now)
    services.caches.task_reports = None  # their deadlines: report types computed again (due items: the next check)
    services.storage.analyze(Task, TaskUnit)  # a bulk import: the views' plans need the new rows counted
    return Outcome([Reply(tn(language, "tasks.import.done", len(items)))], finished=True)
