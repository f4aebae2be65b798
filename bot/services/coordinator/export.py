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

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.models import Person, Role
from bot.services.coordinator import ontime
from bot.services.coordinator.paper import Labels, sheet_name
from bot.services.coordinator import apart as workers
from bot.services.coordinator import statistics_sheets as statistics
from bot.services.coordinator.xlsx import Bold, Column, Kind, Parts, Sheet, Sheets, Styled, Workbook
from bot.services.deadlines import adhoc
from bot.services.deadlines.reports import period_label, report_title
from bot.forms_config import TableForm
from bot.services.coordinator import summaries as sums
from bot.storage import paperwork, register
from bot.storage import units as unit_store

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ExportResult:
    """The workbook's bytes and what went into it."""

    data: bytes
    register_rows: int
    units: int
    statistics_units: int
    statistics_periods: int = 0
    worker_cpu_s: float = 0.0  # CPU time of the worker process that laid out the later sheets (none: 0)


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
        size = unit_store.count_units(s)
    register_sheet = Sheet(sheet_name(L("register.sheet"), used), _register_columns(L), title=L("register.title", campaign=campaign), lines=[as_of])
    # At scale the 统计汇总 sheets are read and laid out in a worker process while this one writes the register.
    job = statistics.Job(config, _url(services), language, now, codes, frozenset(used), campaign, as_of)
    apart = workers.submit(statistics.lay_out_apart, job) if tables and size >= PROCESS_FROM_UNITS and job.url else None
    concurrent = services.storage.engine.dialect.name == "postgresql"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export") as pool:
        # On PostgreSQL the rest is read beside the register: while one waits for the server (the
        # register's sort, the filings' documents), the other works. Not on SQLite: its library lets
        # other threads run at every row it steps, so a busy neighbour would make each row wait.
        rest = pool.submit(_read_rest, services, tables, codes, now, statistics_too=apart is None) if concurrent else None
        with services.storage.read() as s:
            # The register streams first: its line count is only known at the end, so the count goes in the result.
            count = book.add_sheet(
                register_sheet,
                _register_lines(services, reports, (r for r in paperwork.register_lines(s, now=now) if codes is None or r.unit_code in codes), now=now, L=L),
            )
        found, record, roster = rest.result() if rest is not None else _read_rest(services, tables, codes, now, statistics_too=apart is None)
    done = None
    if apart is not None:  # 按时报送情况, 联络员名册, the wings': laid out here meanwhile, added after the worker's
        closing = Parts()
        _closing_sheets(services, closing, set(used), reports, record, roster, L=L, campaign=campaign, as_of=as_of, unit_ids=unit_ids, now=now)
        done = _finished(apart)
    if done is None:  # no worker, or it failed: everything here, in order
        if found is None:
            found = statistics.read(services, tables, codes, now)
        statistics.sheets(services, book, used, tables, found, L=L, campaign=campaign, as_of=as_of)
        _closing_sheets(services, book, used, reports, record, roster, L=L, campaign=campaign, as_of=as_of, unit_ids=unit_ids, now=now)
        statistics_units, periods, worker_cpu = len(found[1]), len(found[0]), 0.0
    else:
        for part in done.parts:
            book.add_part(part)
            used.add(part.name)
        if used & {part.name for part in closing.parts}:  # a unit named like a later sheet (its name is taken): named again
            closing = Parts()
            _closing_sheets(services, closing, used, reports, record, roster, L=L, campaign=campaign, as_of=as_of, unit_ids=unit_ids, now=now)
        for part in closing.parts:
            book.add_part(part)
        statistics_units, periods, worker_cpu = done.units, done.periods, done.cpu_s
    return ExportResult(data=book.close(), register_rows=count, units=len(roster), statistics_units=statistics_units, statistics_periods=periods,
                        worker_cpu_s=worker_cpu)


def _closing_sheets(
    services: Services, book: Sheets, used: set[str], reports: dict[str, ReportType], record: list[paperwork.OnTimeRow], roster: list[register.RosterEntry],
    *, L: Labels, campaign: str, as_of: str, unit_ids: frozenset[int] | None, now: datetime,
) -> None:
    """按时报送情况, 联络员名册 and the wings' sheets."""
    ontime.add_sheet(book, record, L=L, campaign=campaign, as_of=as_of, used=used)
    liaison_attachment = next((r.attachment for r in reports.values() if r.template == TemplateKind.LIAISON and r.attachment), "") or ""
    book.add_sheet(
        Sheet(sheet_name(L("roster.sheet"), used), _roster_columns(L), title=L("roster.title", campaign=campaign), attachment=liaison_attachment, lines=[as_of]),
        _roster_rows(roster, L),
    )
    _wing_sheets(services, book, used, unit_ids=unit_ids, now=now)


PROCESS_FROM_UNITS = 500  # smaller campaigns export in well under a second: a worker's start would cost more than it saves


def _url(services: Services) -> str:
    """The database's URL for a worker, or "" when a worker cannot open it (an in-memory SQLite)."""
    url = services.storage.engine.url
    if url.get_backend_name() == "sqlite" and (url.database or ":memory:") == ":memory:":
        return ""
    return url.render_as_string(hide_password=False)


def _finished(apart: Future[statistics.Done] | None) -> statistics.Done | None:
    """The worker's sheets, or None when there was no worker or it failed (the caller lays them out itself)."""
    if apart is None:
        return None
    try:
        return apart.result()
    except BrokenProcessPool:
        log.warning("the export's worker process died: the 统计汇总 sheets are laid out here")
        workers.reset()
    except Exception:  # noqa: BLE001 - whatever failed there is tried again here, where it raises for the caller if it fails again
        log.warning("the export's worker process failed: the 统计汇总 sheets are laid out here", exc_info=True)
    return None


def _read_rest(
    services: Services, tables: list[tuple[ReportType, TableForm]], codes: set[str] | None, now: datetime, *, statistics_too: bool
) -> tuple[statistics.Read | None, list[paperwork.OnTimeRow], list[register.RosterEntry]]:
    """What the sheets after the register need: the 统计汇总's (unless a worker reads them), the on-time record, the roster."""
    found = statistics.read(services, tables, codes, now) if statistics_too else None
    with services.storage.read() as s:
        record = [r for r in paperwork.on_time_record(s, now=now) if codes is None or r.unit_code in codes]
        roster = [e for e in register.roster(s) if codes is None or e.unit_code in codes]
    return found, record, roster


def _wing_sheets(services: Services, book: Sheets, used: set[str], *, unit_ids: frozenset[int] | None, now: datetime) -> None:
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
