"""A form's table (附件1 统计表) as an Excel workbook: the blank template the bot sends, and reading a filled one back.

The template follows the seed's 附件1: the title (row 1), 填报单位 (row 2), 时间 (row 3), the header
(row 4: 类别 and the seven columns), one row per category (rows 5–7: 零售药店, 药品使用单位,
药品网络销售单位; the figures in B–H), and the note on cumulative figures (row 8).
Reading finds the table by its row and column headers (`forms.locate`), in the template or in the
unit's own layout (other cells, extra title rows, merged headers, another sheet); every problem names
the cell as Excel shows it (C5) and what it means (零售药店 × 发现违规单位数量).
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from bot import parsing
from bot.forms_config import TableForm
from bot.parsing import Limits
from bot.services import sheets
from bot.services.sheets import Unreadable as Unreadable  # (re-exported: what callers catch)
from bot.services.submissions.forms.locate import MAX_COLUMNS, MAX_ROWS, MAX_SHEETS, Grid, best
from bot.services.submissions.forms.statistics import ATTACHMENT_1, CellProblem, Row, check_row, parse_cell, problem

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1  # 零售药店; the other categories follow
FIRST_COLUMN = 2  # B: the first figure (检查单位数量)
MAX_SIZE = 5 * 1024 * 1024  # a filled 附件1 is a few kilobytes
MAX_UNPACKED = 50 * 1024 * 1024  # all its parts, inflated (a zip bomb is refused before openpyxl sees it)


def blank_workbook(*, unit: str = "", period: str = "", table: TableForm | None = None) -> bytes:
    """The blank table (附件1) as .xlsx; 填报单位 and 时间 filled in when given."""
    import openpyxl  # (here, as every openpyxl import of the bot's process: loaded when a workbook is made, not at the start)
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    table = table or ATTACHMENT_1
    rows, columns = table.rows, table.columns
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计表"
    last = get_column_letter(FIRST_COLUMN + len(columns) - 1)
    sheet["A1"] = table.title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = f"填报单位：{unit}"
    sheet["A3"] = f"时间：{period}"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, header in enumerate(["类别", *(c.label for c in columns)]):
        cell = sheet.cell(row=HEADER_ROW, column=1 + i, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = box
    for r, category in enumerate(rows):
        sheet.cell(row=FIRST_ROW + r, column=1, value=category.label).border = box
        for c in range(len(columns)):
            sheet.cell(row=FIRST_ROW + r, column=FIRST_COLUMN + c).border = box
    if table.note:
        sheet.cell(row=FIRST_ROW + len(rows), column=1, value=table.note)
    sheet.column_dimensions["A"].width = 20
    for c in range(len(columns)):
        sheet.column_dimensions[get_column_letter(FIRST_COLUMN + c)].width = 16
    sheet.row_dimensions[HEADER_ROW].height = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _name(value: Any) -> str:
    return re.sub(r"\s+", "", str(value)) if isinstance(value, str) else ""


def _figure(value: Any) -> str | None:
    """A cell's value as text for `parse_cell`; None when the cell is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | datetime | date | time):
        return str(value)  # not a number: parse_cell says so
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)  # not a number: parse_cell says so
        if value.is_integer():
            return str(int(value))  # 30.0 is the count 30
        return f"{Decimal(repr(value)):f}"  # the shortest text that is this number, without an exponent: 0.5, 0.00001
    return str(value)


def _grids(data: bytes, limits: Limits) -> list[Grid]:
    """The cells of each sheet, read in a parse worker (bounded: MAX_SIZE packed, MAX_UNPACKED inflated,
    locate's rows × columns; `limits`' time and memory, else `ParseRefused`)."""
    return parsing.parse(sheets.workbook_cells, data, max_size=MAX_SIZE, max_unpacked=MAX_UNPACKED, sheets=MAX_SHEETS,
                         rows=MAX_ROWS, columns=MAX_COLUMNS, limits=limits)


def _ref(row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def read_workbook(data: bytes, table: TableForm | None = None, *, limits: Limits = parsing.DEFAULTS) -> tuple[dict[str, Row] | None, list[CellProblem]]:
    """The figures of a filled table's workbook, or every problem by cell; `Unreadable` if it cannot be opened,
    `ParseRefused` if it takes longer or more memory than `limits`.

    The table is found by its row and column headers anywhere in any sheet (`locate`), so the unit's own
    layout reads as well as the template. Blocking (the file is parsed in a worker process, `bot.parsing`):
    callers run it off the event loop.
    """
    declared = table or ATTACHMENT_1
    rows, columns = declared.rows, declared.columns
    found = best(_grids(data, limits), declared)
    figures: dict[str, Row] = {}
    problems: list[CellProblem] = []
    if found.columns:
        problems += [problem(declared, "missing-column", "", c.key) for c in columns if c.key not in found.columns]
    for category in rows:
        if category.key not in found.rows:
            problems.append(problem(declared, "missing-row", category.key, ""))
            continue
        r = found.rows[category.key]
        at = {c.key: found.columns[c.key] for c in columns if c.key in found.columns} if found.columns else {
            c.key: found.name_column[category.key] + 1 + i for i, c in enumerate(columns)}
        if not at:
            continue
        if all(_figure(found.grid.get((r, c))) is None for c in at.values()):
            first, last = min(at.values()), max(at.values())
            problems.append(problem(declared, "empty-row", category.key, "", ref=f"{_ref(r, first)}:{_ref(r, last)}"))
            continue
        row: Row = {}
        refs: dict[str, str] = {}
        for column in columns:
            if column.key not in at:
                continue
            ref = refs[column.key] = _ref(r, at[column.key])
            raw = _figure(found.grid.get((r, at[column.key])))
            if raw is None:
                problems.append(problem(declared, "empty", category.key, column.key, ref=ref))
                continue
            number, wrong = parse_cell(category.key, column.key, raw, declared)
            if wrong is not None:
                problems.append(replace(wrong, ref=ref))
            elif number is not None:
                row[column.key] = number
        order = check_row(category.key, row, declared)  # among the figures that are right: every problem at once
        problems += [replace(p, ref=refs.get(p.column, "")) for p in order]
        if len(row) == len(columns) and not order:
            figures[category.key] = row
    return (figures if not problems else None), problems
