"""A form's table (附件1 统计表) as an Excel workbook: the blank template the bot sends, and reading a filled one back.

The template follows the seed's 附件1: the title (row 1), 填报单位 (row 2), 时间 (row 3), the header
(row 4: 类别 and the seven columns), one row per category (rows 5–7: 零售药店, 药品使用单位,
药品网络销售单位; the figures in B–H), and the note on cumulative figures (row 8).
Reading finds each category's row by its name, so a row moved or a line added above still reads;
every problem names the cell as Excel shows it (C5) and what it means (零售药店 × 发现违规单位数量).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from bot.forms_config import TableForm
from bot.services.submissions.forms.statistics import ATTACHMENT_1, CellProblem, Row, check_row, parse_cell, problem

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1  # 零售药店; the other categories follow
FIRST_COLUMN = 2  # B: the first figure (检查单位数量)
MAX_SIZE = 5 * 1024 * 1024  # a filled 附件1 is a few kilobytes
MAX_UNPACKED = 20 * 1024 * 1024  # all parts of the workbook, inflated
MAX_MEMBERS = 300  # parts in the workbook's zip


class Unreadable(Exception):
    """Not an .xlsx workbook that can be opened (corrupted, encrypted, or another format)."""


def blank_workbook(*, unit: str = "", period: str = "", table: TableForm | None = None) -> bytes:
    """The blank table (附件1) as .xlsx; 填报单位 and 时间 filled in when given."""
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


def check_archive(data: bytes) -> None:
    """Refuse, before opening, a zip that would inflate beyond `MAX_UNPACKED` or holds more than
    `MAX_MEMBERS` parts (a zip bomb: 87 KB that grows to a gigabyte). The declared sizes bound what
    is read: Python's zipfile stops a member at its declared size (and fails its CRC)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise Unreadable(f"not a zip: {e}") from e
    if len(members) > MAX_MEMBERS:
        raise Unreadable(f"{len(members)} parts")
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise Unreadable("inflates beyond the limit")


def _open(data: bytes) -> Any:
    if len(data) > MAX_SIZE:
        raise Unreadable("too big")
    check_archive(data)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, InvalidFileException) as e:
        raise Unreadable(str(e)) from e
    except Exception as e:  # malformed parts inside the zip: openpyxl raises KeyError, ValueError, XML errors …
        raise Unreadable(f"{type(e).__name__}: {e}") from e


def read_workbook(data: bytes, table: TableForm | None = None) -> tuple[dict[str, Row] | None, list[CellProblem]]:
    """The figures of a filled table's workbook, or every problem by cell; `Unreadable` if it cannot be opened."""
    declared = table or ATTACHMENT_1
    rows, columns = declared.rows, declared.columns
    book = _open(data)
    found: dict[str, tuple[Any, int, int]] = {}  # category -> (sheet, row, column of its name)
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line[:3]:  # the name is in column A (B or C if columns were added before it)
                category = next((c for c in rows if _name(c.label) == _name(cell.value)), None)
                if category is not None and category.key not in found:
                    found[category.key] = (sheet, cell.row, cell.column)
        if found:
            break  # the first sheet holding the table
    figures: dict[str, Row] = {}
    problems: list[CellProblem] = []
    for category in rows:
        if category.key not in found:
            problems.append(problem(declared, "missing-row", category.key, ""))
            continue
        sheet, r, c = found[category.key]
        row: Row = {}
        refs: dict[str, str] = {}
        cells = [sheet.cell(row=r, column=c + 1 + i) for i in range(len(columns))]
        if all(_figure(cell.value) is None for cell in cells):
            problems.append(problem(declared, "empty-row", category.key, "", ref=f"{cells[0].coordinate}:{cells[-1].coordinate}"))
            continue
        for column, cell in zip(columns, cells, strict=True):
            refs[column.key] = cell.coordinate
            raw = _figure(cell.value)
            if raw is None:
                problems.append(problem(declared, "empty", category.key, column.key, ref=cell.coordinate))
                continue
            number, wrong = parse_cell(category.key, column.key, raw, declared)
            if wrong is not None:
                problems.append(replace(wrong, ref=cell.coordinate))
            elif number is not None:
                row[column.key] = number
        order = check_row(category.key, row, declared)  # among the figures that are right: every problem at once
        problems += [replace(p, ref=refs[p.column]) for p in order]
        if len(row) == len(columns) and not order:
            figures[category.key] = row
    return (figures if not problems else None), problems
