"""统计汇总 per period: a period's total is the sum of that period's filings only.

For every report whose form has a table (附件1), one block per period past its deadline or filed
(newest first): the table summed over the units' current filings of that period, a 合计 row, the
units that owed it and did not file named as missing (never filled from another month), those
whose filing waits for sign-off named apart (待审核: not counted), and for a cumulative table the
period's increment (each unit's figures minus its own previous period's). The table, its rows
and columns come from the form's declaration (`bot.forms_config.TableForm`).

`period_summaries` computes; `summary_rows` and `unit_rows` lay the blocks out for `xlsx`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from operator import is_
from typing import Any

from bot.config import ReportType
from bot.forms_config import TableForm
from bot.models import ObligationStatus
from bot.services.coordinator.paper import Labels
from bot.services.coordinator.xlsx import Column, Kind, Styled
from bot.services.submissions.forms import form_of
from bot.storage.register import FiledReport
from bot.storage.summaries import Owed

Figures = dict[str, dict[str, Decimal]]  # row key -> column key -> value
Cells = list[Decimal | None]  # the same flat: row by row, each row's columns in the form's order; None: not filed


@dataclass
class PeriodSummary:
    """One period of one table report: what was filed, the total, who is missing, who waits for sign-off."""

    report: ReportType
    table: TableForm
    period_key: str
    period_label: str  # as stored (Chinese)
    due_at: datetime
    filed: dict[str, tuple[str, Cells]] = field(default_factory=dict)  # unit code -> (unit name, figures)
    owed: int = 0
    missing: list[str] = field(default_factory=list)  # unit names
    awaiting: list[str] = field(default_factory=list)  # unit names: filed, waiting for the head's approval
    increment: Figures | None = None  # cumulative tables: the period's increment over the units that filed it
    sums: Cells = field(default_factory=list)  # the total, added up filing by filing

    def total(self) -> Figures:
        return _nested(self.sums, self.table)


_numbers: dict[str | None, Decimal | None] = {None: None, "": None}  # a figure as filed -> its number (small counts repeat in every filing)
_UNREAD = object()


def _decimal(raw: object) -> Decimal | None:
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        return None
    if type(raw) is not str:  # (only texts are kept: 1 == 1.0 == True as keys)
        return Decimal(str(raw))
    found = _numbers.get(raw, _numbers)
    if found is _numbers:
        try:
            found = Decimal(raw) if raw != "" else None
        except InvalidOperation:
            found = None
        if len(_numbers) < 100_000:
            _numbers[raw] = found
    return found  # type: ignore[return-value]  # (the sentinel is never returned)


class _Layout:
    """Where a table's cells are in a filing's data: each row's keys (`row_<key>`, or the bare key), the columns'."""

    def __init__(self, table: TableForm) -> None:
        self.rows = [(f"row_{r.key}", r.key) for r in table.rows]
        self.columns = [c.key for c in table.columns]
        self.absent: Cells = [None] * len(self.columns)
        self.unread = [_UNREAD] * (len(self.rows) * len(self.columns))

    def cells(self, data: dict[str, Any]) -> Cells:
        """A filing's table as numbers, flat (missing or unreadable cells are None)."""
        values = data.get("values", data)
        raw: list[object] = []
        for prefixed, key in self.rows:
            row = values.get(prefixed) or values.get(key) or {}
            raw += map(row.get, self.columns) if isinstance(row, dict) else self.absent
        try:  # the figures already seen, looked up in C; the others read one by one
            found: list[object] = list(map(_numbers.get, raw, self.unread))  # type: ignore[arg-type]  # (a key that is not a text is simply not found)
        except TypeError:  # a list or a table in a cell
            found = list(self.unread)
        if any(map(is_, found, self.unread)):
            for i, number in enumerate(found):
                if number is _UNREAD:
                    found[i] = _decimal(raw[i])
        return found  # type: ignore[return-value]  # (every figure was read)


def _nested(cells: Cells, table: TableForm) -> Figures:
    it = iter(cells)
    return {r.key: {c.key: v for c in table.columns if (v := next(it, None)) is not None} for r in table.rows}


def figures(data: dict[str, Any], table: TableForm) -> Figures:
    """A filing's table as numbers (missing or unreadable cells are absent)."""
    return _nested(_Layout(table).cells(data), table)


def add(tables: Sequence[Figures], table: TableForm) -> Figures:
    """Cell by cell sums."""
    out: Figures = {r.key: {} for r in table.rows}
    for one in tables:
        add_into(out, one)
    return out


def add_into(target: Figures, one: Figures, sign: int = 1) -> None:
    """Add (or with `sign` -1 take) a table's figures into `target`, in place."""
    for row, cells in one.items():
        into = target.setdefault(row, {})
        for column, value in cells.items():
            into[column] = into.get(column, 0) + (value if sign > 0 else -value)


def _plus(target: Cells, one: Cells) -> Cells:
    """Cell by cell, `target` + `one`; a cell that nobody filed stays None (as `add_into`: 0 + the first figure)."""
    return [t if o is None else (0 if t is None else t) + o for t, o in zip(target, one, strict=True)]


def _minus(target: Cells, one: Cells, where: Cells) -> Cells:
    """Cell by cell, `target` − `one`, in the cells `where` has a figure."""
    return [t if o is None or w is None else (0 if t is None else t) + -o for t, o, w in zip(target, one, where, strict=True)]


def table_reports(reports: Sequence[ReportType]) -> list[tuple[ReportType, TableForm]]:
    """The report types whose form has a table, with it."""
    out = []
    for r in reports:
        form = form_of(r)
        if form is not None and form.table is not None:
            out.append((r, form.table))
    return out


def period_summaries(
    reports: Sequence[tuple[ReportType, TableForm]], owed: Sequence[Owed], filings: Iterable[FiledReport], *, now: datetime
) -> list[PeriodSummary]:
    """Every period past its deadline or with a filing, per report (in the order given), newest period first.

    `owed` and `filings` come by deadline (`storage.summaries`), so a unit's previous period is the one seen before.
    Figures are summed flat (`Cells`), filing by filing: tens of thousands of filings at 3,000 units."""
    tables = {r.key: (r, t, _Layout(t)) for r, t in reports}
    out: dict[tuple[str, str], PeriodSummary] = {}
    owing: dict[tuple[str, str], list[Owed]] = {}
    for o in owed:
        if o.report_key not in tables:
            continue
        owing.setdefault((o.report_key, o.period_key), []).append(o)
        if o.due_at <= now:  # not due yet: shown once someone files it
            report, table, layout = tables[o.report_key]
            if (o.report_key, o.period_key) not in out:
                out[(o.report_key, o.period_key)] = PeriodSummary(report, table, o.period_key, o.period_label, o.due_at, sums=list(layout.absent) * len(table.rows))
    previous: dict[tuple[str, str], Cells] = {}  # (report, unit) -> its figures of the last period seen
    increments: dict[tuple[str, str], Cells] = {}  # cumulative tables: Σ of what the units that filed had before, negated
    for f in filings:
        if f.report_key not in tables:
            continue
        report, table, layout = tables[f.report_key]
        key = (f.report_key, f.period_key)
        summary = out.get(key)
        if summary is None:  # filed ahead of its deadline
            due = next((o.due_at for o in owing.get(key, [])), f.submitted_at)
            summary = out[key] = PeriodSummary(report, table, f.period_key, f.period_label, due, sums=list(layout.absent) * len(table.rows))
        this = layout.cells(f.data)
        old = summary.filed.get(f.unit_code)
        if old is not None:  # (one table per unit and period; a second item replaces the first in the sums)
            summary.sums = _minus(summary.sums, old[1], old[1])
        summary.sums = _plus(summary.sums, this)
        if table.cumulative:  # the increment: this period's figures less the unit's previous ones (none: all of it)
            increment = increments.get(key) or [None] * len(this)
            before = previous.get((f.report_key, f.unit_code))
            if before is not None:  # what the unit had before, for the cells it filed now
                increment = _minus(increment, before, this)
            increments[key] = increment
        summary.filed[f.unit_code] = (f.unit_name, this)
        previous[(f.report_key, f.unit_code)] = this
    for key, increment in increments.items():  # Σ this − Σ before
        summary = out[key]
        summary.increment = _nested(_plus(increment, summary.sums), summary.table)
    for key, summary in out.items():
        units = owing.get(key, [])
        summary.owed = len({o.unit_code for o in units} | set(summary.filed))
        summary.missing = [o.unit_name for o in units if o.unit_code not in summary.filed and o.status != ObligationStatus.awaiting.value]
        summary.awaiting = [o.unit_name for o in units if o.unit_code not in summary.filed and o.status == ObligationStatus.awaiting.value]
    order = {r.key: i for i, (r, _) in enumerate(reports)}
    return sorted(out.values(), key=lambda s: (order[s.report.key], -s.due_at.timestamp(), s.period_key))


def number(value: Decimal | None, kind: str) -> float | int | None:
    """A figure as Excel keeps it: an amount as a decimal, a count as a whole number."""
    if value is None:
        return None
    return float(value) if kind == "amount" or value != value.to_integral_value() else int(value)


def columns(table: TableForm, L: Labels) -> list[Column]:
    """The sheet's columns: the rows' names, then the table's columns (万元 with two decimals)."""
    return [Column(L("statistics.category"), 20), *(Column(c.name(L.language), 13, Kind.money if c.kind == "amount" else Kind.integer) for c in table.columns)]


def _table(table: TableForm, found: Figures, L: Labels) -> Iterator[Styled | list[object]]:
    """Header, one line per row, 合计."""
    yield Styled(Kind.header, [L("statistics.category"), *(c.name(L.language) for c in table.columns)])
    for r in table.rows:
        cells = found.get(r.key, {})
        yield [r.name(L.language), *(number(cells.get(c.key), c.kind) for c in table.columns)]
    kinds = (Kind.total, *(Kind.total_money if c.kind == "amount" else Kind.total_integer for c in table.columns))
    sums = [sum((found.get(r.key, {}).get(c.key, Decimal(0)) for r in table.rows), Decimal(0)) for c in table.columns]
    yield Styled(kinds, [L("statistics.total"), *(number(v, c.kind) for v, c in zip(sums, table.columns, strict=True))])


def summary_rows(summary: PeriodSummary, L: Labels, *, label: str, as_of: str, note: str | None) -> Iterator[Styled | list[object]]:
    """A period's block: 填报单位 (owed, filed), 时间, the summed table, who is missing (named), 待审核, the increment."""
    yield Styled(Kind.subtitle, [L("statistics.unit-line", unit=L("statistics.all-units", owed=summary.owed, filed=len(summary.filed)))], merge=True)
    yield Styled(Kind.subtitle, [L("statistics.time-line", period=label, as_of=as_of)], merge=True)
    yield from _table(summary.table, summary.total(), L)
    if summary.missing:
        yield Styled(Kind.note, [L("statistics.missing", count=len(summary.missing), units=_names(summary.missing, L))], merge=True)
    else:
        yield Styled(Kind.note, [L("statistics.missing-none")], merge=True)
    if summary.awaiting:
        yield Styled(Kind.note, [L("statistics.awaiting", count=len(summary.awaiting), units=_names(summary.awaiting, L))], merge=True)
    if summary.increment is not None:
        yield Styled(Kind.subtitle, [L("statistics.increment", period=label)], merge=True)
        yield from _table(summary.table, summary.increment, L)
    yield Styled(Kind.note, [note or ""], merge=True, page_break_after=True)


NAMES_LIMIT = 4000  # characters of unit names in one cell (Excel holds 32,767; the register lists every unit anyway)


def _names(names: list[str], L: Labels) -> str:
    """The units' names, as many as fit; the rest counted ("… 等 N 个" / "… and N more")."""
    sep = "、" if L.zh else ", "
    shown: list[str] = []
    size = 0
    for name in names:
        size += len(name) + len(sep)
        if size > NAMES_LIMIT:
            return sep.join(shown) + L("statistics.more", count=len(names) - len(shown))
        shown.append(name)
    return sep.join(shown)


def unit_rows(table: TableForm, L: Labels, *, unit: str, when: str, found: Figures, note: str | None) -> Iterator[Styled | list[object]]:
    """One unit's filing (or a sum of units) in the table's layout: 填报单位, 时间, the table, the note."""
    yield Styled(Kind.subtitle, [L("statistics.unit-line", unit=unit)], merge=True)
    yield Styled(Kind.subtitle, [when], merge=True)
    yield from _table(table, found, L)
    yield Styled(Kind.note, [note or ""], merge=True, page_break_after=True)


def note_of(table: TableForm, L: Labels, *, start: Any) -> str | None:
    """The line under a table: a cumulative table says since when; else the declared note (Chinese only)."""
    if table.cumulative:
        return L("statistics.note", start=L.day(table.since or start))
    return table.note if L.zh else None
