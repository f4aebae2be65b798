"""附件1 统计表: three categories by seven counts, cumulative since the campaign start.

A row is typed as seven numbers (or read from the uploaded workbook, `forms.workbook`); every problem
names its cell (category × column, and the Excel coordinate such as C5 when it came from a workbook).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from schedules.numerals import normalise_width


@dataclass(frozen=True)
class Label:
    """A category or column: a key, its 附件1 name, and an English name."""

    key: str
    zh: str
    en: str

    def name(self, language: str) -> str:
        return self.zh if language == "zh-CN" else self.en


CATEGORIES = (
    Label("retail", "零售药店", "Retail pharmacies"),
    Label("users", "药品使用单位", "Drug-using institutions"),
    Label("online", "药品网络销售单位", "Online drug sellers"),
)
COLUMNS = (
    Label("inspected", "检查单位数量（家）", "Units inspected"),
    Label("violating", "发现违规单位数量（家）", "Units found in violation"),
    Label("rectified", "完成整改单位数量（家）", "Units rectified"),
    Label("cases", "已立案查处数量（件）", "Cases opened"),
    Label("fines", "罚没款金额（万元）", "Fines and confiscations (10k yuan)"),
    Label("revoked", "吊销许可证数量（家）", "Licences revoked"),
    Label("police", "移送公安机关案件数量（家）", "Cases referred to police"),
)
MONEY = "fines"
# (smaller, larger): the first may not exceed the second within a category.
ORDER_RULES = (("violating", "inspected"), ("rectified", "violating"))


@dataclass(frozen=True)
class CellProblem:
    """What is wrong with one cell: `key` is the catalog text (submissions.stats.<key>)."""

    key: str
    category: str
    column: str  # "" for the whole row
    params: tuple[tuple[str, str], ...] = ()
    ref: str = ""  # the Excel coordinate (C5) when the figure came from a workbook

    def cell(self, language: str) -> str:
        cat = next(c for c in CATEGORIES if c.key == self.category)
        name = cat.name(language)
        if self.column:
            name += " × " + column_name(self.column, language)
        return f"{self.ref} {name}" if self.ref else name


Row = dict[str, str]  # column key -> number as text ('12', '3.5'): JSON-safe and exact


def parse_row(category: str, value: str) -> tuple[Row | None, list[CellProblem]]:
    """Seven numbers separated by spaces, commas or 、; the row, or the problems of its cells."""
    s = normalise_width(value).strip()
    parts = [p for p in re.split(r"[\s,，、;；|/]+", s) if p]
    if len(parts) != len(COLUMNS):
        return None, [CellProblem("count", category, COLUMNS[0].key, (("found", str(len(parts))),))]
    row: Row = {}
    problems: list[CellProblem] = []
    for column, raw in zip(COLUMNS, parts, strict=True):
        number, problem = parse_cell(category, column.key, raw)
        if problem is not None:
            problems.append(problem)
        elif number is not None:
            row[column.key] = number
    problems += check_row(category, row)  # among the cells that are right: every problem at once
    return (row if not problems else None), problems


_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")  # the shape of a number, to say what is wrong with it
_COUNT = re.compile(r"\d+")  # a count: digits only
_MONEY = re.compile(r"\d+(?:\.\d{1,2})?")  # 万元, to the hundredth


def parse_cell(category: str, column: str, raw: str) -> tuple[str | None, CellProblem | None]:
    """One figure ('12', '12家', '0.5万元'): the number as text, or what is wrong with it.

    Only plain digits (and for 罚没款 a decimal point with at most two decimals) are numbers:
    not '1e5', '1_000' or '+5'.
    """
    raw = normalise_width(raw).strip()
    raw = raw.removesuffix("万元").removesuffix("万").removesuffix("家").removesuffix("件").strip()
    if not _DECIMAL.fullmatch(raw):
        return None, CellProblem("not-number", category, column, (("text", raw[:20]),))
    if raw.startswith("-"):
        return None, CellProblem("negative", category, column)
    if column == MONEY:
        if not _MONEY.fullmatch(raw):
            return None, CellProblem("money-precision", category, column)
        return _text(Decimal(raw)), None
    if not _COUNT.fullmatch(raw):
        return None, CellProblem("whole", category, column)
    return str(int(raw)), None


def check_row(category: str, row: Row) -> list[CellProblem]:
    """The counts make sense together: found ≤ inspected, rectified ≤ found."""
    out = []
    for smaller, larger in ORDER_RULES:
        if smaller in row and larger in row and Decimal(row[smaller]) > Decimal(row[larger]):
            out.append(CellProblem("exceeds", category, smaller, (("other", larger), ("value", row[smaller]), ("limit", row[larger]))))
    return out


def lower_than_before(table: dict[str, Row], previous: dict[str, Row]) -> list[CellProblem]:
    """Cells lower than the unit's previous filing (the figures are cumulative)."""
    out = []
    for category in CATEGORIES:
        for column in COLUMNS:
            now = table.get(category.key, {}).get(column.key)
            before = previous.get(category.key, {}).get(column.key)
            if now is not None and before is not None and Decimal(now) < Decimal(before):
                out.append(CellProblem("lower", category.key, column.key, (("value", now), ("before", before))))
    return out


def column_name(key: str, language: str) -> str:
    return next(c for c in COLUMNS if c.key == key).name(language)


def _text(number: Decimal) -> str:
    out = f"{number:f}"
    return out.rstrip("0").rstrip(".") if "." in out else out
