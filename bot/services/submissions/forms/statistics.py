"""A form's table (附件1: rows × columns of figures), typed a row at a time or read from a workbook.

The table is the report type's declaration (`bot.forms_config.TableForm`); the default is the shipped
附件1 of seed 001 (three categories by seven counts, cumulative since 2023-07-01). A row is typed as
its figures (or read from the uploaded workbook, `forms.workbook`); every problem names its cell
(row × column, and the Excel coordinate such as C5 when it came from a workbook). The declared
checks (`发现违规 <= 检查`, `>= 0`) are kept among the figures that are right, every problem at once.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from bot.forms_config import Column, TableForm
from bot.services.submissions.forms import shipped
from schedules.numerals import normalise_width


def default_table() -> TableForm:
    """The shipped 附件1."""
    table = shipped()["statistics"].table
    assert table is not None
    return table


ATTACHMENT_1 = default_table()
CATEGORIES = tuple(ATTACHMENT_1.rows)  # the shipped table's rows and columns (their `label` is the 附件1 name)
COLUMNS = tuple(ATTACHMENT_1.columns)
_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq,
}


@dataclass(frozen=True)
class CellProblem:
    """What is wrong with one cell: `key` is the catalog text (submissions.stats.<key>)."""

    key: str
    category: str
    column: str  # "" for the whole row
    params: tuple[tuple[str, str], ...] = ()
    ref: str = ""  # the Excel coordinate (C5) when the figure came from a workbook
    names: tuple[str, str, str, str] = ("", "", "", "")  # the row's and the column's names: zh, en, zh, en

    def cell(self, language: str) -> str:
        row_zh, row_en, col_zh, col_en = self.names
        name = (row_zh if language == "zh-CN" else row_en) or self.category
        if self.column:
            column = (col_zh if language == "zh-CN" else col_en) or self.column
            name = f"{name} × {column}" if name else column  # a whole column (not found in a workbook)
        return f"{self.ref} {name}" if self.ref else name


def problem(table: TableForm, key: str, category: str, column: str, params: tuple[tuple[str, str], ...] = (), ref: str = "") -> CellProblem:
    """A problem of a cell of `table`, its names taken from the declaration."""
    row = next((r for r in table.rows if r.key == category), None)
    col = next((c for c in table.columns if c.key == column), None)
    names = (row.label if row else category, row.label_en if row else category, col.label if col else "", col.label_en if col else "")
    return CellProblem(key, category, column, params, ref, names)


Row = dict[str, str]  # column key -> number as text ('12', '3.5'): JSON-safe and exact


def parse_row(category: str, value: str, table: TableForm | None = None) -> tuple[Row | None, list[CellProblem]]:
    """A row's figures separated by spaces, commas or 、; the row, or the problems of its cells."""
    table = table or ATTACHMENT_1
    s = normalise_width(value).strip()
    parts = [p for p in re.split(r"[\s,，、;；|/]+", s) if p]
    if len(parts) != len(table.columns):
        return None, [problem(table, "count", category, table.columns[0].key, (("found", str(len(parts))), ("need", str(len(table.columns)))))]
    row: Row = {}
    problems: list[CellProblem] = []
    for column, raw in zip(table.columns, parts, strict=True):
        number, wrong = parse_cell(category, column.key, raw, table)
        if wrong is not None:
            problems.append(wrong)
        elif number is not None:
            row[column.key] = number
    problems += check_row(category, row, table)  # among the cells that are right: every problem at once
    return (row if not problems else None), problems


_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")  # the shape of a number, to say what is wrong with it
_COUNT = re.compile(r"\d+")  # a count: digits only
_UNITS = ("万元", "万", "元", "家", "件", "人", "次", "个")


def parse_cell(category: str, column: str, raw: str, table: TableForm | None = None) -> tuple[str | None, CellProblem | None]:
    """One figure ('12', '12家', '0.5万元'): the number as text, or what is wrong with it.

    Only plain digits (and for an amount a decimal point with at most its declared decimals) are
    numbers: not '1e5', '1_000' or '+5'.
    """
    table = table or ATTACHMENT_1
    declared = table.column(column)
    raw = normalise_width(raw).strip()
    for unit in (declared.unit or "", *_UNITS):
        if unit:
            raw = raw.removesuffix(unit).strip()
    if not _DECIMAL.fullmatch(raw):
        return None, problem(table, "not-number", category, column, (("text", raw[:20]),))
    if raw.startswith("-"):
        return None, problem(table, "negative", category, column)
    if declared.kind == "amount":
        if not _amount(declared).fullmatch(raw):
            units = (("unit", declared.unit or ""), ("unit_en", declared.unit_en or declared.unit or ""))
            return None, problem(table, "money-precision", category, column, (("decimals", str(declared.decimals)), *units))
        return _text(Decimal(raw)), None
    if not _COUNT.fullmatch(raw):
        return None, problem(table, "whole", category, column)
    return str(int(raw)), None


def _amount(column: Column) -> re.Pattern[str]:
    return re.compile(rf"\d+(?:\.\d{{1,{column.decimals}}})?" if column.decimals else r"\d+")


def check_row(category: str, row: Row, table: TableForm | None = None) -> list[CellProblem]:
    """The declared checks among the row's figures (found ≤ inspected, rectified ≤ found …)."""
    table = table or ATTACHMENT_1
    out = []
    for check in table.parsed_checks():
        lefts = [check.left] if check.left is not None else [c.key for c in table.columns]
        for left in lefts:
            if left not in row:
                continue
            if isinstance(check.right, Decimal):
                limit, other = check.right, ""
            elif check.right in row:
                limit, other = Decimal(row[check.right]), check.right
            else:
                continue
            if _OPS[check.op](Decimal(row[left]), limit):
                continue
            key = "exceeds" if check.op in ("<=", "<") and other else "check"
            params = (("other", other or _text(limit)), ("value", row[left]), ("limit", _text(limit)), ("op", check.op))
            out.append(problem(table, key, category, left, params))
    return out


def lower_than_before(values: dict[str, Row], previous: dict[str, Row], table: TableForm | None = None) -> list[CellProblem]:
    """Cells lower than the unit's previous filing (the figures are cumulative)."""
    table = table or ATTACHMENT_1
    out = []
    for category in table.rows:
        for column in table.columns:
            now = values.get(category.key, {}).get(column.key)
            before = previous.get(category.key, {}).get(column.key)
            if now is not None and before is not None and Decimal(now) < Decimal(before):
                out.append(problem(table, "lower", category.key, column.key, (("value", now), ("before", before))))
    return out


def column_name(key: str, language: str, table: TableForm | None = None) -> str:
    """A column's name; a number (the limit of a check against a number) as it is."""
    found = next((c for c in (table or ATTACHMENT_1).columns if c.key == key), None)
    return found.name(language) if found is not None else key


def increment(values: dict[str, Row], previous: dict[str, Row] | None, table: TableForm) -> dict[str, Row]:
    """The period's increment of cumulative figures: this filing minus the previous one (the whole when none)."""
    out: dict[str, Row] = {}
    for category in table.rows:
        row = values.get(category.key, {})
        before = (previous or {}).get(category.key, {})
        out[category.key] = {k: _text(Decimal(v) - Decimal(before.get(k, "0"))) for k, v in row.items()}
    return out


def _text(number: Decimal) -> str:
    out = f"{number:f}"
    return out.rstrip("0").rstrip(".") if "." in out else out
