"""附件1 统计表: three categories by seven counts, cumulative since the campaign start.

A row is typed as seven numbers; every problem names its cell (category × column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

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
    column: str
    params: tuple[tuple[str, str], ...] = ()

    def cell(self, language: str) -> str:
        cat = next(c for c in CATEGORIES if c.key == self.category)
        col = next(c for c in COLUMNS if c.key == self.column)
        return f"{cat.name(language)} × {col.name(language)}"


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
        raw = raw.removesuffix("万元").removesuffix("万").removesuffix("家").removesuffix("件")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            problems.append(CellProblem("not-number", category, column.key, (("text", raw[:20]),)))
            continue
        if number < 0:
            problems.append(CellProblem("negative", category, column.key))
        elif column.key == MONEY:
            if number != number.quantize(Decimal("0.01")):
                problems.append(CellProblem("money-precision", category, column.key))
            else:
                row[column.key] = _text(number)
        elif number != number.to_integral_value():
            problems.append(CellProblem("whole", category, column.key))
        else:
            row[column.key] = str(int(number))
    problems += check_row(category, row) if not problems else []
    return (row if not problems else None), problems


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


def read_workbook(data: bytes) -> tuple[dict[str, Row] | None, list[CellProblem]]:
    """The table from a filled 附件1 workbook (openpyxl, when installed): rows found by category name."""
    try:
        import openpyxl  # type: ignore[import-untyped]  # optional: only for Excel uploads
    except ImportError:  # pragma: no cover - depends on the environment
        raise RuntimeError("openpyxl is not installed") from None
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(data), data_only=True).active
    table: dict[str, Row] = {}
    problems: list[CellProblem] = []
    for row in sheet.iter_rows(values_only=True):
        first = str(row[0] or "").strip()
        category = next((c for c in CATEGORIES if c.zh == first), None)
        if category is None:
            continue
        cells = ["0" if v in (None, "") else str(v) for v in row[1 : 1 + len(COLUMNS)]]
        parsed, found = parse_row(category.key, " ".join(cells))
        problems += found
        if parsed is not None:
            table[category.key] = parsed
    for category in CATEGORIES:
        if category.key not in table and not any(p.category == category.key for p in problems):
            problems.append(CellProblem("missing-row", category.key, COLUMNS[0].key))
    return (table if not problems else None), problems


def blank_workbook() -> bytes:
    """The blank 附件1 template as an .xlsx file (openpyxl, when installed)."""
    import io

    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "统计表"
    sheet.append(["类别", *(c.zh for c in COLUMNS)])
    for category in CATEGORIES:
        sheet.append([category.zh])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def has_excel() -> bool:
    """Whether Excel uploads can be read here."""
    try:
        import openpyxl  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True
