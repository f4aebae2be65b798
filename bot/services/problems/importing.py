"""A 问题清单 from a workbook: the layout officials keep (序号 / 问题描述 / 责任单位 / 责任人 / 整改时限
[/ 问题来源 / 严重程度]), the header found by its titles in the first rows. All rows or none: every bad cell
is named by its row and column (e.g. 第 4 行「整改时限」(E4)) and nothing is registered until all are right.

The file is hostile until read: bounded in size after decompression, parsed off the event loop
(`read_rows` is plain blocking code for `asyncio.to_thread`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.utils import get_column_letter

from bot.context import Services
from bot.models import Problem, ProblemEvent, Unit
from bot.services.people.access import Roles
from bot.services.problems.common import Notice, Reply, end_of_day
from bot.services.problems.lifecycle import Outcome
from bot.services.problems.register import allowed_units, assigned
from bot.storage import problems
from bot.storage.problems import NewProblem
from bot.texts.catalog import t
from schedules import parse_when

MAX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 2000
REQUIRED = {"问题描述": "description", "责任单位": "unit", "责任人": "responsible", "整改时限": "due"}
OPTIONAL = {"问题来源": "source", "严重程度": "severity", "序号": "number"}
LIMITS = {"description": 2000, "responsible": 100, "source": 200}


@dataclass
class Sheet:
    """The cells of a workbook's first sheet as text (dates as ISO dates), or why it could not be read."""

    rows: list[list[str]] = field(default_factory=list)
    error: str | None = None  # catalog key


def read_rows(data: bytes) -> Sheet:
    """Open the workbook (blocking: call it off the event loop)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
                return Sheet(error="problems.import.too-big")
    except zipfile.BadZipFile:
        return Sheet(error="problems.import.not-xlsx")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        return Sheet(error="problems.import.not-xlsx")
    out = Sheet()
    for row in book.worksheets[0].iter_rows(values_only=True):
        if len(out.rows) > MAX_ROWS + 10:
            return Sheet(error="problems.import.too-many-rows")
        out.rows.append([_cell(v) for v in row])
    book.close()
    return out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


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
        text = "\n".join([t(language, "problems.import.refused", count=len(checked.problems)), *shown])
        if more:
            text += "\n" + t(language, "problems.import.more", count=more)
        return Outcome([Reply(text)])
    with services.storage.session() as s:
        added = problems.add_problems(s, items=checked.items, actor_person_id=who.person_id, now=now, how="import")
    services.storage.analyze(Problem, ProblemEvent)  # a bulk import: the views' plans need the new rows counted
    notices: list[Notice] = assigned(services, added, now)
    return Outcome([Reply(t(language, "problems.import.done", count=len(added), first=added[0].number, last=added[-1].number))], notices, finished=True)
