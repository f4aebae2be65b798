"""Where a form's table is in a workbook laid out the unit's own way: found by its row and column headers.

A unit seldom fills the bot's template: its own sheet has a title of two lines, a 填报单位 row, a
类别 header merged over two rows, a group header (检查情况) merged above some columns, the table
starting in column C, a second sheet. The table is found by its headers wherever they are: each
declared row by its name in a cell (numbering, spaces, bracket widths and a leading 其中： aside), each
declared column by its header above those rows (the label, the label without its unit, or the short
name). A merged header keeps its value in its first cell, which is the column it names. When no
column header is found at all, the figures are taken as in the template: the cells right of each
row's name, in the declared order; so also when the headers found stand where the template has them
(the others worded differently: 违规 for 发现违规单位数量).

Reading is bounded: at most MAX_SHEETS sheets and MAX_ROWS × MAX_COLUMNS cells each are looked at.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bot.forms_config import Column, Labelled, TableForm
from schedules.numerals import normalise_width

MAX_SHEETS = 20
MAX_ROWS = 300
MAX_COLUMNS = 60
_NUMBERING = re.compile(r"^(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十\d]{1,3}\s*[、.．])\s*")
_UNIT = re.compile(r"[(（][^()（）]{1,6}[)）]$")

Grid = dict[tuple[int, int], Any]  # (row, column), 1-based -> the cell's value


@dataclass(frozen=True)
class Located:
    """The sheet's cells and where the table is: each row key's sheet row, each column key's sheet column."""

    grid: Grid
    name_column: dict[str, int]  # row key -> the column of its name
    rows: dict[str, int]
    columns: dict[str, int]  # empty: no header found, the figures follow each row's name


def _norm(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = re.sub(r"\s+", "", normalise_width(value))
    return text.replace("其中:", "").replace("其中", "", 1) if text.startswith("其中") else text


def _row_names(row: Labelled) -> set[str]:
    return {n for n in (_norm(row.label), _NUMBERING.sub("", _norm(row.label)), _norm(row.label_en).lower()) if n}


def _column_names(column: Column) -> set[str]:
    label = _norm(column.label)
    names = {label, _UNIT.sub("", label), _norm(column.short), _norm(column.label_en).lower(), _UNIT.sub("", _norm(column.label_en)).lower()}
    return {n for n in names if n}


def locate(grid: Grid, table: TableForm) -> Located:
    """Where `table`'s rows and columns are in one sheet's cells (what is not found is left out)."""
    row_hits: dict[str, list[tuple[int, int]]] = {}
    col_hits: dict[str, list[tuple[int, int]]] = {}
    row_names = {r.key: _row_names(r) for r in table.rows}
    col_names = {c.key: _column_names(c) for c in table.columns}
    for (r, c), value in sorted(grid.items()):
        text = _norm(value)
        if not text:
            continue
        bare = _NUMBERING.sub("", text)
        for key, names in row_names.items():
            if text in names or bare in names or text.lower() in names:
                row_hits.setdefault(key, []).append((r, c))
        for key, names in col_names.items():
            if text in names or text.lower() in names:
                col_hits.setdefault(key, []).append((r, c))
    by_column = Counter(c for hits in row_hits.values() for _, c in hits)
    if not by_column:
        return Located(grid, {}, {}, {})
    name_col = by_column.most_common(1)[0][0]  # the column holding most of the rows' names
    rows = {key: next((r for r, c in hits if c == name_col), hits[0][0]) for key, hits in row_hits.items()}
    name_column = {key: next((c for r, c in hits if c == name_col), hits[0][1]) for key, hits in row_hits.items()}
    top = min(rows.values())
    columns: dict[str, int] = {}
    for key, hits in col_hits.items():
        above = [(r, c) for r, c in hits if r < top and c != name_col]
        if above:
            columns[key] = max(above)[1]  # the nearest header above the rows
    keys = [c.key for c in table.columns]
    if all(c == name_col + 1 + keys.index(k) for k, c in columns.items()):
        columns = {}  # the headers found stand where the template has them: the others are read there too
    return Located(grid, name_column, rows, columns)


def best(grids: list[Grid], table: TableForm) -> Located:
    """The sheet that holds most of the table."""
    found = [locate(g, table) for g in grids[:MAX_SHEETS]]
    if not found:
        return Located({}, {}, {}, {})
    return max(found, key=lambda x: (len(x.rows) + len(x.columns)))
