"""The coordinators' Excel workbook: the submission register, the 附件1 statistics, the 附件10 roster.

Sheets, in order:
- 报送台账 (register): one line per unit × due item: report, period, deadline, status
  (按时 / 逾期补报 / 未报 / 退回修改), filing time, late, version, items.
- 统计汇总 (per statistics report type): the 附件1 table (类别 × seven counts) summed over every
  unit's latest current filing (the figures are cumulative, so the latest one counts), then
  one sheet per unit that filed, in the same layout.
- 联络员名册 (roster): the 附件10 fields of every unit's liaisons (primary, then backups).

Submission data is the shape `bot.services.submissions` files: `{"values": {...}, "files": {...}}`;
statistics values are `row_<category>: {column: "number"}` (`bot.services.forms.statistics`).
Workbooks are written in openpyxl's write-only mode: rows stream to the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.models import ObligationStatus, Role
from bot.services import adhoc
from bot.services.forms.statistics import CATEGORIES, COLUMNS, MONEY
from bot.storage import views

STATUS_ZH = {"on_time": "按时", "late": "逾期补报", "open": "未报", "returned": "退回修改"}
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


def _bold(sheet: Any, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _state(status: str, late: bool) -> str:
    if status == ObligationStatus.done:
        return "late" if late else "on_time"
    return "returned" if status == ObligationStatus.returned else "open"


def _local(moment: datetime | None, tz: Any) -> datetime | None:
    return moment.astimezone(tz).replace(tzinfo=None) if moment is not None else None  # Excel has no zones


def _statistics_sheet(book: Any, name: str, title: str, unit_label: str, when: str, table: Table, note: str) -> None:
    sheet = book.create_sheet(name)
    sheet.append([_bold(sheet, title)])
    sheet.append([f"填报单位：{unit_label}"])
    sheet.append([f"时间：{when}"])
    sheet.append([_bold(sheet, "类别"), *(_bold(sheet, c.zh) for c in COLUMNS)])
    for category in CATEGORIES:
        row = table.get(category.key, {})
        sheet.append([category.zh, *(_number(row.get(c.key), c.key) for c in COLUMNS)])
    sheet.append([note])


def build_workbook(services: Services, *, now: datetime) -> ExportResult:
    """The whole workbook as .xlsx bytes."""
    config = services.config
    tz = config.campaign.tz
    reports = {r.key: r for r in adhoc.report_types(services)}
    book = Workbook(write_only=True)
    used: set[str] = set()

    register = book.create_sheet(_sheet_name("报送台账", used))
    headers = ["单位代码", "单位名称", "报送事项", "期次", "截止时间", "状态", "报送时间", "是否逾期", "版本", "份数"]
    register.append([_bold(register, h) for h in headers])
    count = 0
    units: set[str] = set()
    with services.storage.session() as s:
        for row in views.register_rows(s):
            report = reports.get(row.report_key)
            state = _state(row.status, row.late)
            register.append(
                [
                    row.unit_code,
                    row.unit_name,
                    report.title if report else row.report_key,
                    row.period_label,
                    _local(row.due_at, tz),
                    STATUS_ZH[state],
                    _local(row.completed_at if row.completed_at else row.submitted_at, tz),
                    "是" if (row.late if state in ("on_time", "late") else row.due_at < now) else "否",
                    row.version,
                    row.items,
                ]
            )
            units.add(row.unit_code)
            count += 1
        statistics_reports = [r for r in reports.values() if r.template == TemplateKind.STATISTICS]
        latest = views.latest_filings(s, report_keys=[r.key for r in statistics_reports], kind="statistics")
        roster = views.roster(s)

    note = STATISTICS_NOTE.format(start=f"{config.campaign.start.year}年{config.campaign.start.month}月{config.campaign.start.day}日")
    title = _statistics_title(statistics_reports, config.campaign.name)
    when = f"截至{now.astimezone(tz):%Y年%m月%d日}"
    tables = [(f, statistics_table(f.data)) for f in latest]
    _statistics_sheet(book, _sheet_name("统计汇总", used), title, f"全部单位（{len(tables)}个）", when, sum_tables([t for _, t in tables]), note)
    for filing, table in tables:
        _statistics_sheet(book, _sheet_name(filing.unit_name, used), title, filing.unit_name, filing.period_label, table, note)

    sheet = book.create_sheet(_sheet_name("联络员名册", used))
    sheet.append([_bold(sheet, f"{config.campaign.name}联络员信息表")])
    sheet.append([_bold(sheet, h) for h in ("序号", "单位名称", "角色", "姓名", "所在部门", "职务", "办公电话", "移动电话", "电子邮箱")])
    n = 0
    for entry in roster:
        people = entry.liaisons or [(None, None)]
        for role, person in people:
            n += 1
            role_name = {Role.primary: "联络员", Role.backup: "B角"}.get(role, "（未登记）") if role else "（未登记）"  # type: ignore[arg-type]
            if person is None:
                sheet.append([n, entry.unit_name, role_name])
                continue
            sheet.append([n, entry.unit_name, role_name, person.name or person.first_name, person.department, person.title, person.office_phone, person.mobile, person.email])

    out = io.BytesIO()
    book.save(out)
    return ExportResult(data=out.getvalue(), register_rows=count, units=len(units) or len(roster), statistics_units=len(tables))


def _statistics_title(reports: list[ReportType], campaign: str) -> str:
    if len(reports) == 1:
        return f"{reports[0].title} 工作情况统计表"
    return f"{campaign}工作情况统计表"
