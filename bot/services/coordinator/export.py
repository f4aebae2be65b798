"""The coordinators' Excel workbook, in the reader's language, ready to print and hand on.

Sheets, in order:
- 报送台账 (register): every obligation past its deadline, and everything filed, one line per
  filed item's current version: unit, report, period, deadline, 案件名称 (a case's title),
  version, time, who filed it, 按时 / 逾期补报 / 未报 / 退回修改 / 待审核 (awaiting sign-off, not
  counted as filed), marks (迟报N天, 第N版),
  review and who accepted it. Periods not yet due and not filed are left out.
- 统计汇总 (per report whose form has a table, `summaries`): the table per period past its deadline
  (newest first), summed over that period's filings only, with a 合计 row, the units missing named,
  those 待审核 named apart, and for a cumulative table the period's increment; then one sheet per
  unit with its latest filing (the figures are cumulative). No table, no sheet.
- 按时报送情况 (on-time record, for the yearly assessment): `ontime`.
- 联络员名册 (roster): the 附件10 fields of every unit's liaisons (primary, then backups).

Every sheet has a title row, a bold bordered header frozen on screen and repeated on every printed
page, A4 landscape fitted to the width (`xlsx`). Submission data is the shape
`bot.services.submissions.flow` files; statistics values are `row_<category>: {column: "number"}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.models import Person, Role
from bot.services.coordinator import ontime
from bot.services.coordinator.paper import Labels, sheet_name
from bot.services.coordinator.xlsx import Bold, Column, Kind, Sheet, Styled, Workbook
from bot.services.deadlines import adhoc
from bot.services.deadlines.reports import period_label, report_title
from bot.forms_config import TableForm
from bot.services.coordinator import summaries as sums
from bot.storage import paperwork, register
from bot.storage import summaries as summary_store
from bot.storage import units as unit_store
from bot.storage.register import FiledReport

@dataclass(frozen=True)
class ExportResult:
    """The workbook's bytes and what went into it."""

    data: bytes
    register_rows: int
    units: int
    statistics_units: int
    statistics_periods: int = 0


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


def _register_columns(L: Labels) -> list[Column]:
    k = "register."
    return [
        Column(L(k + "no"), 7, Kind.integer),
        Column(L(k + "unit"), 20),
        Column(L(k + "report"), 24),
        Column(L(k + "period"), 14, Kind.centred),
        Column(L(k + "due"), 17, Kind.moment),
        Column(L(k + "case"), 26),
        Column(L(k + "version"), 7, Kind.integer),
        Column(L(k + "filed-at"), 17, Kind.moment),
        Column(L(k + "filed-by"), 10, Kind.centred),
        Column(L(k + "state"), 11, Kind.centred),
        Column(L(k + "mark"), 12, Kind.centred),
        Column(L(k + "review"), 10, Kind.centred),
        Column(L(k + "reviewer"), 10, Kind.centred),
    ]


def register_lines(services: Services, lines: Iterable[paperwork.RegisterLine], *, now: datetime, L: Labels) -> Iterator[list[object]]:
    """The register's body rows (see the module's docstring).

    The report types are read now, not when the rows are: the rows are read inside the caller's
    session, and on SQLite a second session there would wait for the first one's write lock."""
    return _register_lines(services, {r.key: r for r in adhoc.report_types(services)}, lines, now=now, L=L)


def _register_lines(
    services: Services, reports: dict[str, ReportType], lines: Iterable[paperwork.RegisterLine], *, now: datetime, L: Labels
) -> Iterator[list[object]]:
    titles = {k: report_title(r, L.language) for k, r in reports.items()}
    local = _localiser(services.config.campaign.tz)
    deadlines: dict[tuple[str, str, datetime], tuple[str, str, datetime]] = {}  # (report, period, due) -> report title, period label, local deadline
    state = {s: L(f"register.state-{s}") for s in ("on-time", "late", "open", "returned", "awaiting")}
    review = {"accepted": L("register.review-accepted"), "submitted": L("register.review-pending"), "returned": L("register.review-returned"),
              "pending": L("register.review-signoff")}
    shown_by_status = {None: state["open"], "returned": state["returned"], "pending": state["awaiting"]}  # 待审核: filed, not counted until the unit head approves
    amended: dict[int, str] = {}
    late_marks: dict[int, str] = {}
    separator = "；" if L.zh else "; "
    for n, line in enumerate(lines, start=1):
        key = (line.report_key, line.period_key, line.due_at)
        found = deadlines.get(key)
        if found is None:
            label = period_label(services, reports.get(line.report_key), period_key=line.period_key, stored=line.period_label, language=L.language)
            found = deadlines[key] = (titles.get(line.report_key, line.report_key), label, local(line.due_at))
        title, label, due = found
        status = line.submission_status
        filed = local(line.submitted_at)
        mark = None
        shown = shown_by_status.get(status)
        if shown is None:
            if line.late:
                shown = state["late"]
                days = max(1, (filed.date() - due.date()).days)
                mark = late_marks.get(days) or late_marks.setdefault(days, L("register.mark-late", days=days))
            else:
                shown = state["on-time"]
        version = line.version
        if version and version > 1:
            again = amended.get(version) or amended.setdefault(version, L("register.mark-amended", version=version))
            mark = again if mark is None else mark + separator + again
        yield [
            n,
            line.unit_name,
            title,
            label,
            due,
            line.case_title,
            version,
            filed,
            line.filed_by,
            shown,
            mark,
            review.get(status or ""),
            line.reviewed_by if status == "accepted" else None,
        ]


def build_workbook(services: Services, *, now: datetime, language: str = "zh-CN", unit_ids: frozenset[int] | None = None) -> ExportResult:
    """The whole workbook as .xlsx bytes; a coordinator of one level (`unit_ids`) gets their subtree's units only."""
    L = Labels(language)
    config = services.config
    campaign = (config.campaign.name_en or config.campaign.name) if language == "en" else config.campaign.name
    reports = {r.key: r for r in adhoc.report_types(services)}
    book = Workbook()
    used: set[str] = set()
    as_of = L.as_of(now.astimezone(config.campaign.tz))
    tables = sums.table_reports(list(reports.values()))
    with services.storage.read() as s:
        codes = None if unit_ids is None else {u.code for u in unit_store.list_units(s, active_only=False) if u.id in unit_ids}
    concurrent = services.storage.engine.dialect.name == "postgresql"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as pool:
        # On PostgreSQL the rest is read beside the register: while one waits for the server (the
        # register's sort, the filings' documents), the other works. Not on SQLite: its library lets
        # other threads run at every row it steps, so a busy neighbour would make each row wait.
        rest = pool.submit(_read_rest, services, tables, codes, now) if concurrent else None
        with services.storage.read() as s:
            # The register streams first: its line count is only known at the end, so the count goes in the result.
            count = book.add_sheet(
                Sheet(sheet_name(L("register.sheet"), used), _register_columns(L), title=L("register.title", campaign=campaign), lines=[as_of]),
                _register_lines(services, reports, (r for r in paperwork.register_lines(s, now=now) if codes is None or r.unit_code in codes), now=now, L=L),
            )
        periods, latest, record, roster = rest.result() if rest is not None else _read_rest(services, tables, codes, now)

    for report, table in tables:
        _statistics_sheets(services, book, used, report, table, [p for p in periods if p.report.key == report.key],
                           [f for (k, _), f in sorted(latest.items()) if k == report.key], L=L, campaign=campaign, as_of=as_of, several=len(tables) > 1)
    ontime.add_sheet(book, record, L=L, campaign=campaign, as_of=as_of, used=used)
    liaison_attachment = next((r.attachment for r in reports.values() if r.template == TemplateKind.LIAISON and r.attachment), "") or ""
    book.add_sheet(
        Sheet(sheet_name(L("roster.sheet"), used), _roster_columns(L), title=L("roster.title", campaign=campaign), attachment=liaison_attachment, lines=[as_of]),
        _roster_rows(roster, L),
    )
    _wing_sheets(services, book, used, unit_ids=unit_ids, now=now)
    return ExportResult(data=book.close(), register_rows=count, units=len(roster), statistics_units=len(latest), statistics_periods=len(periods))


def _read_rest(
    services: Services, tables: list[tuple[ReportType, TableForm]], codes: set[str] | None, now: datetime
) -> tuple[list[sums.PeriodSummary], dict[tuple[str, str], FiledReport], list[paperwork.OnTimeRow], list[register.RosterEntry]]:
    """What the sheets after the register need: the summaries per period, each unit's latest filing, the on-time record, the roster."""
    latest: dict[tuple[str, str], FiledReport] = {}  # (report, unit) -> its latest filing (the figures are cumulative)

    def kept(filings: Iterable[FiledReport]) -> Iterator[FiledReport]:
        for f in filings:  # (streamed: of every other filing only its figures are kept)
            if codes is None or f.unit_code in codes:
                latest[(f.report_key, f.unit_code)] = f
                yield f

    table_keys = [r.key for r, _ in tables]
    with services.storage.read() as s:
        owed = [o for o in summary_store.owed(s, report_keys=table_keys) if codes is None or o.unit_code in codes]
        periods = sums.period_summaries(tables, owed, kept(summary_store.period_filings(s, report_keys=table_keys, kind="statistics")), now=now)
        record = [r for r in paperwork.on_time_record(s, now=now) if codes is None or r.unit_code in codes]
        roster = [e for e in register.roster(s) if codes is None or e.unit_code in codes]
    return periods, latest, record, roster


def _wing_sheets(services: Services, book: Workbook, used: set[str], *, unit_ids: frozenset[int] | None, now: datetime) -> None:
    """问题清单, 问题统计 and 任务分工, when the campaign has problems or tasks."""
    if services.storage.problems.list_problems(unit_ids=unit_ids, limit=1):
        from bot.services.problems import export as problem_export

        book.add_sheet(*_plain_sheet(sheet_name("问题清单", used), problem_export.register_rows(services, unit_ids=unit_ids, now=now), problem_export.REGISTER_WIDTHS))
        book.add_sheet(*_plain_sheet(sheet_name("问题统计", used), problem_export.count_rows(services, unit_ids=unit_ids, now=now), problem_export.COUNT_WIDTHS))
    if services.storage.tasks.list_tasks(unit_ids=unit_ids):
        from bot.services.tasks import export as task_export

        book.add_sheet(*_plain_sheet(sheet_name("任务分工", used), task_export.rows(services, unit_ids=unit_ids), task_export.WIDTHS))


def _plain_sheet(name: str, rows: Iterable[list[object]], widths: Sequence[int]) -> tuple[Sheet, Iterator[list[object] | Styled]]:
    """A sheet from rows whose first bold rows are its title and header; later bold rows are totals."""
    it = iter(rows)
    title, header = "", None
    for row in it:
        bold = [c for c in row if isinstance(c, Bold)]
        if len(bold) == len(row) == 1 and not title and header is None:
            title = str(bold[0].value)
            continue
        if len(bold) == len(row) and header is None:
            header = [str(c.value) for c in bold]
            break
    body: list[list[object] | Styled] = []
    for row in it:  # (problem lists and task tables are short: read whole, so each column's kind is known)
        if any(isinstance(c, Bold) for c in row):
            body.append(Styled(Kind.total, [c.value if isinstance(c, Bold) else c for c in row]))
        else:
            body.append(row)

    def kind_of(i: int) -> Kind:
        values = [r[i] for r in body if isinstance(r, list) and i < len(r) and r[i] is not None]
        if values and all(isinstance(v, datetime) for v in values):
            return Kind.moment
        if values and all(isinstance(v, date) for v in values):
            return Kind.day
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return Kind.integer
        return Kind.text

    columns = [Column(h, w, kind_of(i)) for i, (h, w) in enumerate(zip(header or [], widths, strict=False))]
    return Sheet(name, columns, title=title), iter(body)


def _statistics_sheets(
    services: Services, book: Workbook, used: set[str], report: ReportType, table: TableForm, periods: list[sums.PeriodSummary],
    latest: list[FiledReport], *, L: Labels, campaign: str, as_of: str, several: bool,
) -> None:
    """统计汇总 of one table report: a block per period (newest first), then a sheet per unit with its
    latest filing, then for units in levels the sum of each one's units below."""
    title = _statistics_title([report], campaign, L)
    columns = sums.columns(table, L)
    note = sums.note_of(table, L, start=services.config.campaign.start)
    name = L("statistics.sheet") + ((f"（{report_title(report, L.language)}）" if L.zh else f" ({report_title(report, L.language)})") if several else "")
    frame = Sheet(sheet_name(name, used), columns, title=title, attachment=report.attachment or "", header=False, landscape=True)

    def blocks() -> Iterator[list[object] | Styled]:
        if not periods:
            yield Styled(Kind.note, [L("statistics.none")], merge=True)
        for p in periods:
            label = period_label(services, report, period_key=p.period_key, stored=p.period_label, language=L.language)
            yield from sums.summary_rows(p, L, label=label, as_of=as_of, note=note)

    book.add_sheet(frame, blocks())
    for filing in latest:
        label = period_label(services, report, period_key=filing.period_key, stored=filing.period_label, language=L.language)
        sheet = Sheet(sheet_name(filing.unit_name, used), columns, title=title, attachment=report.attachment or "", header=False)
        found = sums.figures(filing.data, table)
        book.add_sheet(sheet, sums.unit_rows(table, L, unit=filing.unit_name, when=L("statistics.time-line", period=label, as_of=as_of), found=found, note=note))
    for parent, summed in _rolled_up(services, table, latest):  # units in levels: the 市's sum of its 县
        sheet = Sheet(sheet_name(f"{parent}（下级合计）", used), columns, title=title, attachment=report.attachment or "", header=False)
        book.add_sheet(sheet, sums.unit_rows(table, L, unit=f"{parent}下级合计", when=as_of, found=summed, note=note))


def _rolled_up(services: Services, table: TableForm, latest: list[FiledReport]) -> list[tuple[str, sums.Figures]]:
    """For each unit with units below it that filed: its name and the sum of their latest tables."""
    with services.storage.read() as s:
        every = unit_store.list_units(s, active_only=False)
    by_id = {u.id: u for u in every}
    by_code = {u.code: u for u in every}
    below: dict[str, list[sums.Figures]] = {}
    for filing in latest:
        unit = by_code.get(filing.unit_code)
        parent = by_id.get(unit.parent_id) if unit is not None and unit.parent_id is not None else None
        if parent is not None:
            below.setdefault(parent.name, []).append(sums.figures(filing.data, table))
    return [(name, sums.add(found, table)) for name, found in sorted(below.items())]


def _roster_columns(L: Labels) -> list[Column]:
    k = "roster."
    return [
        Column(L(k + "no"), 7, Kind.integer),
        Column(L(k + "unit"), 24),
        Column(L(k + "role"), 9, Kind.centred),
        Column(L(k + "name"), 10, Kind.centred),
        Column(L(k + "department"), 16),
        Column(L(k + "title-col"), 12),
        Column(L(k + "office-phone"), 15, Kind.centred),
        Column(L(k + "mobile"), 15, Kind.centred),
        Column(L(k + "email"), 26),
    ]


def _roster_rows(roster: list[register.RosterEntry], L: Labels) -> Iterator[list[object]]:
    n = 0
    for entry in roster:
        people: list[tuple[Role | None, Person | None]] = list(entry.liaisons) or [(None, None)]
        for role, person in people:
            n += 1
            if person is None:
                yield [n, entry.unit_name, L("roster.unregistered")]
                continue
            role_name = L("roster.primary") if role == Role.primary else L("roster.backup")
            yield [n, entry.unit_name, role_name, person.name or person.first_name, person.department, person.title, person.office_phone, person.mobile, person.email]


def _statistics_title(reports: list[ReportType], campaign: str, L: Labels) -> str:
    if len(reports) == 1:
        title = report_title(reports[0], L.language)
        if not L.zh or title.endswith("统计表"):  # "药品经营使用环节统计表": already the table's name
            return title
        if title.endswith("统计"):
            return f"{title}表"
        return f"{title}工作情况统计表"
    return f"{campaign}工作情况统计表" if L.zh else f"{campaign}: statistics"
