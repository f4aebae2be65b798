"""A 问题清单 from a workbook: the layout officials keep (序号 / 问题描述 / 责任单位 / 责任人 / 整改时限
[/ 问题来源 / 严重程度]), the header found by its titles in the first rows. All rows or none: every bad cell
is named by its row and column (e.g. 第 4 行「整改时限」(E4)) and nothing is registered until all are right.

The file is hostile until read: bounded in size after decompression, parsed off the event loop
(`read_rows`, blocking: the handler runs it in a thread) in a worker process with a time and memory limit
(`bot.parsing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot import parsing
from bot.context import Services
from bot.models import Problem, ProblemEvent, Unit
from bot.services.people.access import Roles
from bot.services.problems.common import Notice, Reply, end_of_day
from bot.services.problems.lifecycle import Outcome
from bot.services.problems.register import allowed_units, assigned
from bot.services import sheets
from bot.services.sheets import Sheet
from bot.storage import problems
from bot.storage.problems import NewProblem
from bot.texts.catalog import t, tn
from schedules import parse_when

MAX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 2000
REQUIRED = {"问题描述": "description", "责任单位": "unit", "责任人": "responsible", "整改时限": "due"}
OPTIONAL = {"问题来源": "source", "严重程度": "severity", "序号": "number"}
LIMITS = {"description": 2000, "responsible": 100, "source": 200}


def read_rows(services: Services, data: bytes) -> Sheet:
    """Open the workbook in a parse worker (blocking: call it off the event loop); one that takes too
    long or too much memory is refused (`bot.parsing`) and the sender asked for a simpler file."""
    try:
        return parsing.parse(sheets.first_sheet, data, max_unpacked=MAX_UNPACKED, max_rows=MAX_ROWS + 10,
                             limits=services.config.files.parse_limits)
    except parsing.ParseRefused as e:
        return Sheet(error=f"reliability.parse.{e.reason}")


@dataclass
class Checked:
    """The rows that are right, and a line for each bad cell."""

    items: list[NewProblem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check(services: Services, who: Roles, sheet: Sheet, *, language: str, now: datetime) -> Checked:
    """Every data row checked against the header's columns; `problems` names each bad cell."""
    out = Checked()
    header_at = next((i for i, row in enumerate(sheet.rows[:10]) if set(REQUIRED) <= set(row)), None)
    if header_at is None:
        out.problems.append(t(language, "problems.import.no-header", columns="、".join(REQUIRED)))
        return out
    header = sheet.rows[header_at]
    columns = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    units = {u.name: u for u in allowed_units(services, who)} | {u.code: u for u in allowed_units(services, who)}
    for index, row in enumerate(sheet.rows[header_at + 1:], start=header_at + 2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
        if any(cells.get(name) for name in REQUIRED):
            _check_row(services, out, Row(index, cells, columns), units=units, language=language, now=now)
    if not out.items and not out.problems:
        out.problems.append(t(language, "problems.import.empty"))
    return out


@dataclass(frozen=True)
class Row:
    """One data row: its number in the sheet, its cells by column title, and where each column is."""

    number: int
    cells: dict[str, str]
    columns: dict[str, int]

    def bad(self, out: Checked, language: str, name: str, expected: str) -> None:
        """Name the cell (第 4 行「整改时限」(E4)), its value and what it should be."""
        from openpyxl.utils import get_column_letter  # (here: openpyxl is loaded when a bad cell is named, not at the bot's start)

        cell = f"{get_column_letter(self.columns[name] + 1)}{self.number}"
        out.problems.append(t(language, "problems.import.bad-cell", row=self.number, column=name, cell=cell, value=self.cells.get(name, ""), expected=expected))


def _check_row(services: Services, out: Checked, row: Row, *, units: dict[str, Unit], language: str, now: datetime) -> None:
    tz = services.config.campaign.tz
    today = now.astimezone(tz).date()
    severities = services.config.problems.severities
    values: dict[str, str] = {}
    for name, key in (*REQUIRED.items(), *OPTIONAL.items()):
        if name not in row.columns or key == "number":
            continue
        value = row.cells[name]
        if key in LIMITS and ((key != "source" and not value) or len(value) > LIMITS[key]):
            row.bad(out, language, name, t(language, "problems.import.expect-text", max=LIMITS[key]))
        values[key] = value
    unit = units.get(values.get("unit", ""))
    if unit is None:
        row.bad(out, language, "责任单位", t(language, "problems.import.expect-unit"))
    due = parse_when(values.get("due", ""), now=now, tz=tz) if values.get("due") else None
    if due is None:
        row.bad(out, language, "整改时限", t(language, "problems.import.expect-date"))
    elif due.day < today:
        row.bad(out, language, "整改时限", t(language, "problems.import.expect-future", today=today.isoformat()))
    severity = values.get("severity") or severities[0]
    if "严重程度" in row.columns and severity not in severities:
        row.bad(out, language, "严重程度", t(language, "problems.import.expect-severity", choices="、".join(severities)))
    if unit is not None and due is not None and unit.id is not None:
        out.items.append(NewProblem(unit_id=unit.id, description=values["description"], source=values.get("source", ""), severity=severity,
                                    responsible=values["responsible"], due_at=end_of_day(due.day, services)))


def import_rows(services: Services, who: Roles, sheet: Sheet, *, language: str, now: datetime) -> Outcome:
    """Register every row, or (any bad cell) none, naming each bad cell."""
    if sheet.error:
        return Outcome([Reply(t(language, sheet.error, max=MAX_ROWS))])
    checked = check(services, who, sheet, language=language, now=now)
    if checked.problems:
        shown = checked.problems[:30]
        more = len(checked.problems) - len(shown)
        text = "\n".join([tn(language, "problems.import.refused", len(checked.problems)), *shown])
        if more:
            text += "\n" + t(language, "problems.import.more", count=more)
        return Outcome([Reply(text)])
    with services.storage.session() as s:
        added = problems.add_problems(s, items=checked.items, actor_person_id=who.person_id, now=now, how="import")
    services.storage.analyze(Problem, ProblemEvent)  # a bulk import: the views' plans need the new rows counted
    notices: list[Notice] = assigned(services, added, now)
    return Outcome([Reply(tn(language, "problems.import.done", len(added), first=added[0].number, last=added[-1].number))], notices, finished=True)
