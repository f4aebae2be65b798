"""Reading an uploaded workbook's cells: the functions a parse worker runs (`bot.parsing`).

Pure functions of the file's bytes that return plain data (cells as Python values, rows as text), so
they can run in a worker process with a memory cap and a time limit; what the cells mean (the table
of a form, a 问题清单, a 任务分工表) is worked out by the caller. It needs only openpyxl (imported where
a workbook is opened: the bot's own process does not load it to hand a file to a worker) and the zip
check, so a worker stays small.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.services.drafting.source import NoticeError, checked_zip

Cells = dict[tuple[int, int], Any]  # (row, column) from 1 -> a non-empty cell's value


class Unreadable(Exception):
    """Not an .xlsx workbook that can be opened (corrupted, encrypted, or another format)."""


def workbook_cells(data: bytes, *, max_size: int, max_unpacked: int, sheets: int, rows: int, columns: int) -> list[Cells]:
    """The non-empty cells of the first `sheets` sheets, `rows` × `columns` each (bounded: `max_size`
    packed, `max_unpacked` inflated, counted before openpyxl sees it)."""
    if len(data) > max_size:
        raise Unreadable("too big")
    try:
        checked_zip(data, name="workbook", limit=max_unpacked)
    except NoticeError as e:
        raise Unreadable(str(e)) from e
    import openpyxl  # (here: loaded by the parse worker that reads a workbook, not by the bot at its start)
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except (zipfile.BadZipFile, InvalidFileException) as e:
        raise Unreadable(str(e)) from e
    except MemoryError:  # not a damaged file: the worker's cap (`bot.parsing`)
        raise
    except Exception as e:  # malformed parts inside the zip: openpyxl raises KeyError, ValueError, XML errors …
        raise Unreadable(f"{type(e).__name__}: {e}") from e
    try:
        return [_cells(sheet.iter_rows(max_row=rows, max_col=columns, values_only=True), rows, columns)
                for sheet in book.worksheets[:sheets]]
    except MemoryError:
        raise
    except Exception as e:  # a damaged sheet inside a workbook that opened
        raise Unreadable(f"{type(e).__name__}: {e}") from e
    finally:
        book.close()


def _cells(lines: Any, rows: int, columns: int) -> Cells:
    out: Cells = {}
    for r, line in enumerate(lines, start=1):
        if r > rows:
            break
        for c, value in enumerate(line[:columns], start=1):
            if value is not None and value != "":
                out[(r, c)] = value
    return out


@dataclass
class Sheet:
    """The cells of a workbook's first sheet as text (dates as ISO dates), or why it could not be read."""

    rows: list[list[str]] = field(default_factory=list)
    error: str | None = None  # catalog key


def first_sheet(data: bytes, *, max_unpacked: int, max_rows: int) -> Sheet:
    """The first sheet's rows as text, at most `max_rows` (a 问题清单, a 任务分工表); the errors are the
    problem import's catalog keys."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > max_unpacked:
                return Sheet(error="problems.import.too-big")
    except zipfile.BadZipFile:
        return Sheet(error="problems.import.not-xlsx")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:  # not a damaged file: the worker's cap (`bot.parsing`)
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        return Sheet(error="problems.import.not-xlsx")
    out = Sheet()
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            if len(out.rows) > max_rows:
                return Sheet(error="problems.import.too-many-rows")
            out.rows.append([_text(v) for v in row])
    except MemoryError:
        raise
    except Exception:  # a damaged sheet inside a workbook that opened
        return Sheet(error="problems.import.not-xlsx")
    finally:
        book.close()
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
