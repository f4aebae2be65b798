"""The coordinators' Excel workbook: the submission register, the 附件1 statistics, the 附件10 roster.

Sheets, in order:
- 报送台账 (register): one line per unit × due item: report, period, deadline, status
  (按时 / 逾期补报 / 未报 / 退回修改), filing time, late, version, items.
- 统计汇总 <period> (per report whose form has a table, `coordinator.summaries`): the table summed over
  that period's filings only, the units that did not file it named, and for cumulative tables the
  period's increment; then one sheet per unit that filed, its latest filing in the same layout.
  No such sheet when no report has a table.
- 联络员名册 (roster): the 附件10 fields of every unit's liaisons (primary, then backups).

Submission data is the shape `bot.services.submissions.flow` files: `{"values": {...}, "files": {...}}`;
statistics values are `row_<category>: {column: "number"}` (`bot.services.submissions.forms.statistics`).
Workbooks are written by `bot.services.coordinator.xlsx` (streamed; openpyxl is too slow for 200,000 rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any


from bot.config import ReportType
from bot.context import Services
from bot.models import ObligationStatus, Role
from bot.services.deadlines import adhoc
from bot.services.submissions.forms.statistics import CATEGORIES, COLUMNS

MONEY = "fines"
from bot.services.coordinator import summaries
from bot.services.coordinator.xlsx import Bold, Workbook
from bot.storage import summaries as summary_store
from bot.storage import views

STATUS_ZH = {"on_time": "按时", "late": "逾期补报", "open": "未报", "not_due": "未到期", "returned": "退回修改", "awaiting": "待审核"}
STATISTICS_NOTE = "注：本统计表内数据为自 {start} 起累计数据。"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ExportResult:
    """The workbook's bytes and what went into it."""

    data: bytes
    register_rows: int
    units: int
    statistics_units: int


Table = dict[str, dict[str, Decimal]]


def statistics_table(data: dict[str, Any]) -> Table:
    """A filing's 附件1 table as numbers: category → column → value (missing cells are absent)."""
    values = data.get("values", data)
    out: Table = {}
    for category in CATEGORIES:
        row = values.get(f"row_{category.key}") or values.get(category.key) or {}
        cells: dict[str, Decimal] = {}
        for column in COLUMNS:
            raw = row.get(column.key) if isinstance(row, dict) else None
            if raw in (None, ""):
                continue
            try:
                cells[column.key] = Decimal(str(raw))
            except InvalidOperation:
                continue
        out[category.key] = cells
    return out


def sum_tables(tables: list[Table]) -> Table:
    """Cell by cell sums."""
    out: Table = {c.key: {} for c in CATEGORIES}
    for table in tables:
        for category, row in table.items():
            target = out.setdefault(category, {})
            for column, value in row.items():
                target[column] = target.get(column, Decimal(0)) + value
    return out


def _cell(value: Decimal | None, kind: str) -> float | int | None:
    """A figure as Excel keeps it: an amount as a decimal, a count as a whole number."""
    if value is None:
        return None
    return float(value) if kind == "amount" or value != value.to_integral_value() else int(value)


def _number(value: Decimal | None, column: str) -> float | int | None:
    if value is None:
        return None
    if column == MONEY or value != value.to_integral_value():
        return float(value)
    return int(value)


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"~{n}"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def _state(status: str, late: bool, *, due_at: datetime, now: datetime) -> str:
    """The register's state: not yet filed before the deadline is 未到期 (as in the chart), after it 未报."""
    if status == ObligationStatus.done:
        return "late" if late else "on_time"
    if status == ObligationStatus.returned:
        return "returned"
    if status == ObligationStatus.awaiting:
        return "awaiting"  # filed, not yet approved by the unit head: not counted as filed
    return "open" if due_at < now else "not_due"


def _localiser(tz: Any) -> Any:
    """Local wall-clock time (Excel has no zones); deadlines repeat on every line, so each is converted once."""
    cache: dict[datetime, datetime] = {}

    def local(moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        found = cache.get(moment)
        if found is None:
            found = moment.astimezone(tz).replace(tzinfo=None)
            if len(cache) < 50_000:
                cache[moment] = found
        return found

    return local


def build_workbook(services: Services, *, now: datetime) -> ExportResult:
    """The whole workbook as .xlsx bytes."""
    config = services.config
    tz = config.campaign.tz
    reports = {r.key: r for r in adhoc.report_types(services)}
    titles = {k: r.title for k, r in reports.items()}
    book = Workbook()
    used: set[str] = set()
    units: set[str] = set()
    _local = _localiser(tz)

    def register(rows: Iterable[views.RegisterRow]) -> Iterator[list[object]]:
        yield [Bold(h) for h in ("单位代码", "单位名称", "报送事项", "期次", "截止时间", "状态", "报送时间", "是否逾期", "版本", "份数")]
        for row in rows:
            state = _state(row.status, row.late, due_at=row.due_at, now=now)
            filed = state in ("on_time", "late")
            units.add(row.unit_code)
            yield [
                row.unit_code,
                row.unit_name,
                titles.get(row.report_key, row.report_key),
                row.period_label,
                _local(row.due_at),
                STATUS_ZH[state],
                _local(row.submitted_at or row.completed_at),  # the time of the version shown (an amendment keeps 是否逾期)
                "是" if (row.late if filed else row.due_at < now) else "否",
                row.version,
                row.items,
            ]

    with services.storage.session() as s:
        count = book.add_sheet(_sheet_name("报送台账", used), register(views.register_rows(s)), widths=(10, 24, 24, 12, 17, 10, 17, 8, 6, 6)) - 1
        with_table = summaries.table_reports(list(reports.values()))
        statistics_reports = [r for r, _ in with_table]
        keys = [r.key for r in statistics_reports]
        latest = views.latest_filings(s, report_keys=keys, kind="statistics")
        periods = summaries.period_summaries(with_table, summary_store.owed(s, report_keys=keys), summary_store.period_filings(s, report_keys=keys, kind="statistics"), now=now)
        roster = views.roster(s)

    many = len(statistics_reports) > 1
    for summary in periods:  # 统计汇总 per period, newest first: only that period's filings, the missing named
        name = f"统计汇总 {summary.report.key + ' ' if many else ''}{summary.period_label}"
        book.add_sheet(_sheet_name(name, used), summaries.summary_rows(summary, _cell), widths=(18, *(14,) * len(summary.table.columns)))
    declared = dict((r.key, t) for r, t in with_table)
    for filing in latest:  # each unit's latest filing, in its report's declared table
        table_form = declared[filing.report_key]
        rows = summaries.unit_rows(table_form, filing.unit_name, filing.period_label, filing.data, _cell)
        book.add_sheet(_sheet_name(filing.unit_name, used), rows, widths=(18, *(14,) * len(table_form.columns)))

    book.add_sheet(_sheet_name("联络员名册", used), _roster_rows(config.campaign.name, roster), widths=(6, 24, 8, 10, 16, 10, 14, 14, 24))
    return ExportResult(data=book.close(), register_rows=count, units=len(units) or len(roster), statistics_units=len(latest))


def _roster_rows(campaign: str, roster: list[views.RosterEntry]) -> Iterator[list[object]]:
    yield [Bold(f"{campaign}联络员信息表")]
    yield [Bold(h) for h in ("序号", "单位名称", "角色", "姓名", "所在部门", "职务", "办公电话", "移动电话", "电子邮箱")]
    n = 0
    for entry in roster:
        for role, person in entry.liaisons or [(None, None)]:
            n += 1
            if person is None:
                yield [n, entry.unit_name, "（未登记）"]
                continue
            role_name = "联络员" if role == Role.primary else "B角"
            yield [n, entry.unit_name, role_name, person.name or person.first_name, person.department, person.title, person.office_phone, person.mobile, person.email]


def _statistics_title(reports: list[ReportType], campaign: str) -> str:
    if len(reports) == 1:
        title = reports[0].title
        if title.endswith("统计表"):  # "药品经营使用环节统计表": already the table's name
            return title
        if title.endswith("统计"):
            return f"{title}表"
        return f"{title}工作情况统计表"
    return f"{campaign}工作情况统计表"
