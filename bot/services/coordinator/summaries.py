"""统计汇总 per period: a period's total is the sum of that period's filings only.

For every report whose form has a table (附件1), one block per period (newest first): the table
summed over the units that filed for that period (each unit's current filing of it), the units
that owed it and did not file named as missing (never filled from another month), and for a
cumulative table the period's increment (each unit's figures minus its previous period's).
Sheets are written by `export.build_workbook`; this module only computes and lays out the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.config import ReportType
from bot.forms_config import TableForm
from bot.services.coordinator.xlsx import Bold
from bot.services.submissions.forms import form_of
from bot.storage.summaries import Owed
from bot.storage.register import FiledReport as Filing

Figures = dict[str, dict[str, Decimal]]  # row key -> column key -> value


@dataclass
class PeriodSummary:
    """One period of one table report: what was filed, the total, who is missing."""

    report: ReportType
    table: TableForm
    period_key: str
    period_label: str
    due_at: datetime
    filed: dict[str, tuple[str, Figures]] = field(default_factory=dict)  # unit code -> (unit name, figures)
    missing: list[str] = field(default_factory=list)  # unit names
    increment: Figures | None = None  # cumulative tables: the period's increment over the units that filed it

    def total(self) -> Figures:
        return add([f for _, f in self.filed.values()], self.table)


def figures(data: dict[str, Any], table: TableForm) -> Figures:
    """A filing's table as numbers (missing or unreadable cells are absent)."""
    values = data.get("values", data)
    out: Figures = {}
    for r in table.rows:
        row = values.get(f"row_{r.key}") or values.get(r.key) or {}
        cells: dict[str, Decimal] = {}
        for c in table.columns:
            raw = row.get(c.key) if isinstance(row, dict) else None
            if raw in (None, ""):
                continue
            try:
                cells[c.key] = Decimal(str(raw))
            except InvalidOperation:
                continue
        out[r.key] = cells
    return out


def add(tables: Sequence[Figures], table: TableForm) -> Figures:
    out: Figures = {r.key: {} for r in table.rows}
    for one in tables:
        for row, cells in one.items():
            target = out.setdefault(row, {})
            for column, value in cells.items():
                target[column] = target.get(column, Decimal(0)) + value
    return out


def table_reports(reports: Sequence[ReportType]) -> list[tuple[ReportType, TableForm]]:
    """The report types whose form has a table, with it."""
    out = []
    for r in reports:
        form = form_of(r)
        if form is not None and form.table is not None:
            out.append((r, form.table))
    return out


def period_summaries(
    reports: Sequence[tuple[ReportType, TableForm]], owed: Sequence[Owed], filings: Sequence[Filing], *, now: datetime
) -> list[PeriodSummary]:
    """Every period past its deadline or with a filing, newest first, per report."""
    out: dict[tuple[str, str], PeriodSummary] = {}
    tables = dict((r.key, (r, t)) for r, t in reports)
    for o in owed:
        if o.due_at > now:
            continue  # not due yet: shown once someone files it
        report, table = tables[o.report_key]
        out.setdefault((o.report_key, o.period_key), PeriodSummary(report, table, o.period_key, o.period_label, o.due_at))
    units_owing: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for o in owed:
        units_owing.setdefault((o.report_key, o.period_key), []).append((o.unit_code, o.unit_name))
    previous: dict[tuple[str, str], Figures] = {}  # (report, unit) -> its figures of the last period seen (filings come by deadline)
    for f in filings:
        if f.report_key not in tables:
            continue
        report, table = tables[f.report_key]
        summary = out.get((f.report_key, f.period_key))
        if summary is None:  # a filing of a period nobody owes any more (a unit taken out): still that period's
            summary = out.setdefault((f.report_key, f.period_key), PeriodSummary(report, table, f.period_key, f.period_label, f.submitted_at))
        this = figures(f.data, table)
        before = previous.get((f.report_key, f.unit_code))
        if table.cumulative:
            summary.increment = add([summary.increment or {}, _minus(this, before)], table)
        summary.filed[f.unit_code] = (f.unit_name, this)
        previous[(f.report_key, f.unit_code)] = this
    for key, summary in out.items():
        summary.missing = [name for code, name in units_owing.get(key, []) if code not in summary.filed]
    return sorted(out.values(), key=lambda s: (s.report.key, s.due_at), reverse=True)


def _minus(this: Figures, before: Figures | None) -> Figures:
    if before is None:
        return this  # the unit's first filing: everything since the start is this period's
    return {row: {c: v - before.get(row, {}).get(c, Decimal(0)) for c, v in cells.items()} for row, cells in this.items()}


def unit_rows(table: TableForm, unit_name: str, period_label: str, data: dict[str, Any], number: Any) -> list[list[object]]:
    """One unit's filing in its table's layout: title, 填报单位, 时间, the table, the note."""
    found = figures(data, table)
    rows: list[list[object]] = [[Bold(table.title)], [f"填报单位：{unit_name}"], [f"时间：{period_label}"],
                                [Bold("类别"), *(Bold(c.label) for c in table.columns)]]
    for r in table.rows:
        rows.append([r.label, *(number(found.get(r.key, {}).get(c.key), c.kind) for c in table.columns)])
    if table.note:
        rows.append([table.note])
    return rows


def summary_rows(summary: PeriodSummary, number: Any) -> list[list[object]]:
    """The period's sheet: title, 填报单位 and 时间, the table (类别 × columns), missing units, increment."""
    table = summary.table
    header: list[object] = [Bold("类别"), *(Bold(c.label) for c in table.columns)]
    filed = len(summary.filed)
    rows: list[list[object]] = [
        [Bold(table.title)],
        [f"填报单位：已报 {filed} 个单位" + (f"，未报 {len(summary.missing)} 个" if summary.missing else "")],
        [f"时间：{summary.period_label}"],
        header,
    ]
    total = summary.total()
    for r in table.rows:
        rows.append([r.label, *(number(total.get(r.key, {}).get(c.key), c.kind) for c in table.columns)])
    if table.note:
        rows.append([table.note])
    rows.append([f"未报单位：{'、'.join(summary.missing)}" if summary.missing else "未报单位：无"])
    if summary.increment is not None:
        rows.append([])
        rows.append([Bold(f"本期新增（{summary.period_label}，较各单位上期累计数）")])
        rows.append(header)
        for r in table.rows:
            rows.append([r.label, *(number(summary.increment.get(r.key, {}).get(c.key), c.kind) for c in table.columns)])
    return rows
