"""The 统计汇总 sheets of the export (`export`), laid out in a worker process at scale.

Per report whose form has a table: a block per period past its deadline or filed (newest first,
`summaries`), a sheet per unit with its latest filing, and for units in levels the sum of each
one's units below. At 3,000 units that is every filing of two years read and summed, and 3,000
sheets: `lay_out_apart` does it in a worker process (`apart`) while the export's own process
writes the register, and hands back the sheets rendered (`xlsx.Parts`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import FixedClock
from bot.config import Config, ReportType
from bot.context import Services, open_services
from bot.forms_config import TableForm
from bot.services.coordinator import summaries as sums
from bot.services.coordinator.paper import Labels, sheet_name
from bot.services.coordinator.xlsx import Kind, Parts, Sheet, SheetPart, Sheets, Styled
from bot.services.deadlines import adhoc
from bot.services.deadlines.reports import period_label, report_title
from bot.storage import Storage
from bot.storage import summaries as summary_store
from bot.storage import units as unit_store
from bot.storage.register import FiledReport

Read = tuple[list[sums.PeriodSummary], dict[tuple[str, str], FiledReport]]  # the summaries per period; (report, unit) -> its latest filing


def read(services: Services, tables: list[tuple[ReportType, TableForm]], codes: set[str] | None, now: datetime) -> Read:
    """Every period's summary of the table reports and each unit's latest filing (of the units `codes`, None: all)."""
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
    return periods, latest


def sheets(services: Services, book: Sheets, used: set[str], tables: list[tuple[ReportType, TableForm]], found: Read, *, L: Labels, campaign: str, as_of: str) -> None:
    """The 统计汇总 sheets of every table report, in order."""
    periods, latest = found
    for report, table in tables:
        report_sheets(services, book, used, report, table, [p for p in periods if p.report.key == report.key],
                      [f for (k, _), f in sorted(latest.items()) if k == report.key], L=L, campaign=campaign, as_of=as_of, several=len(tables) > 1)


@dataclass(frozen=True)
class Job:
    """What a worker process needs to lay out the 统计汇总 sheets."""

    config: Config
    url: str = field(repr=False)  # the database's, with its password (to the worker only, never logged)
    language: str
    now: datetime
    codes: set[str] | None
    used: frozenset[str]  # sheet names taken before these
    campaign: str
    as_of: str


@dataclass(frozen=True)
class Done:
    """The sheets, rendered, with what the export reports of them."""

    parts: list[SheetPart]
    units: int  # units with a filing
    periods: int
    cpu_s: float  # the worker's CPU time


def lay_out_apart(job: Job) -> Done:
    """In a worker process: the 统计汇总 sheets, read from the database anew and rendered."""
    started = time.process_time()
    storage = Storage.from_url(job.url)
    try:
        services = open_services(job.config, storage, secret=b"export", clock=FixedClock(job.now))
        tables = sums.table_reports(adhoc.report_types(services))
        found = read(services, tables, job.codes, job.now)
        parts = Parts()
        sheets(services, parts, set(job.used), tables, found, L=Labels(job.language), campaign=job.campaign, as_of=job.as_of)
    finally:
        storage.dispose()
    return Done(parts.parts, len(found[1]), len(found[0]), time.process_time() - started)


def report_sheets(
    services: Services, book: Sheets, used: set[str], report: ReportType, table: TableForm, periods: list[sums.PeriodSummary],
    latest: list[FiledReport], *, L: Labels, campaign: str, as_of: str, several: bool,
) -> None:
    """统计汇总 of one table report: a block per period (newest first), then a sheet per unit with its
    latest filing, then for units in levels the sum of each one's units below."""
    title = title_of([report], campaign, L)
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
        levels = unit_store.levels(s)
    below: dict[str, list[sums.Figures]] = {}
    for filing in latest:
        parent = levels.get(filing.unit_code)
        if parent is not None:
            below.setdefault(parent, []).append(sums.figures(filing.data, table))
    return [(name, sums.add(found, table)) for name, found in sorted(below.items())]


def title_of(reports: list[ReportType], campaign: str, L: Labels) -> str:
    if len(reports) == 1:
        title = report_title(reports[0], L.language)
        if not L.zh or title.endswith("统计表"):  # "药品经营使用环节统计表": already the table's name
            return title
        if title.endswith("统计"):
            return f"{title}表"
        return f"{title}工作情况统计表"
    return f"{campaign}工作情况统计表" if L.zh else f"{campaign}: statistics"
