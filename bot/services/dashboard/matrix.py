"""The matrix: one report's units (rows) × periods (columns), each cell's state, and the counts.

States: on time, late (逾期补报), waiting for review (待审核: filed, not yet accepted nor
returned), returned (退回修改), missing (未报: the deadline has passed) and not due (未到期).
Units are paged (`PAGE_SIZE` rows) so a page costs the same at 30 or 3,000 units; the counts
are over every unit the filter keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.config import ReportType
from bot.context import Services
from bot.models import DueItem, ObligationStatus
from bot.services.dashboard.login import Viewer
from bot.services.deadlines import adhoc, reports
from bot.storage import dashboard, units
from bot.storage.dashboard import Cell, UnitLine

PAGE_SIZE = 100
STATES = ("on_time", "late", "waiting", "returned", "missing", "not_due")


def state_of(status: str, late: bool, waiting: bool, *, due_at: datetime, now: datetime) -> str:
    """A cell's state (one of `STATES`)."""
    if status == ObligationStatus.done:
        if waiting:
            return "waiting"
        return "late" if late else "on_time"
    if status == ObligationStatus.returned:
        return "returned"
    return "missing" if due_at < now else "not_due"


@dataclass(frozen=True)
class Period:
    """A column: a due item with its label in the viewer's language and its counts by state."""

    item: DueItem
    label: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Matrix:
    """What the matrix page shows."""

    report: ReportType
    reports: list[ReportType]
    periods: list[Period]
    units: list[UnitLine]
    cells: dict[tuple[int, int], tuple[str, Cell]]  # (unit id, due item id) → (state, cell)
    tags: list[str]
    tag: str | None
    page: int
    pages: int
    total_units: int
    totals: dict[str, int] = field(default_factory=dict)
    levels: list[tuple[int, str]] = field(default_factory=list)  # units with units below them the viewer sees: the level filter
    level: int | None = None  # the unit whose subtree is shown (None: all the viewer's units)


def build(
    services: Services, viewer: Viewer, *, report_key: str | None, tag: str | None, page: int, now: datetime, level: int | None = None
) -> Matrix | None:
    """The matrix of a report (default: the first configured one); None if there is no such report.
    `tag` keeps the units with that tag, `level` the subtree of that unit (one the viewer sees)."""
    all_reports = adhoc.report_types(services)
    if not all_reports:
        return None
    report = next((r for r in all_reports if r.key == report_key), None) if report_key else all_reports[0]
    if report is None:
        return None
    with services.storage.read() as s:
        items = dashboard.due_items_of(s, report_key=report.key)
        owing = [u for u in dashboard.owing_units(s, due_item_ids=[i.id for i in items if i.id is not None]) if viewer.sees(u.id)]
        tags = sorted({t for u in owing for t in u.tags})
        tag = tag if tag in tags else None
        levels = [(uid, name) for uid, name in dashboard.parent_units(s) if viewer.sees(uid)]
        level = level if level in {uid for uid, _ in levels} else None
        below = None if level is None else units.subtree_ids(s, unit_ids=[level])
        kept = [u for u in owing if (tag is None or tag in u.tags) and (below is None or u.id in below)]
        pages = max(1, -(-len(kept) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = kept[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
        filtered = len(kept) < len(owing) or viewer.visible_units is not None
        counted = dashboard.state_counts(s, due_item_ids=[i.id for i in items if i.id is not None], unit_ids=[u.id for u in kept] if filtered else None)
        found = dashboard.cells(s, due_item_ids=[i.id for i in items if i.id is not None], unit_ids=[u.id for u in shown])
    due = {i.id: i.due_at for i in items}
    counts: dict[int, dict[str, int]] = {i.id or 0: dict.fromkeys(STATES, 0) for i in items}
    for item_id, status, late, waiting, n in counted:
        counts[item_id][state_of(status, late, waiting, due_at=due[item_id], now=now)] += n
    totals = dict.fromkeys(STATES, 0)
    for per_item in counts.values():
        for state, n in per_item.items():
            totals[state] += n
    cells = {(c.unit_id, c.due_item_id): (state_of(c.status, c.late, c.waiting_review, due_at=due[c.due_item_id], now=now), c) for c in found}
    periods = [
        Period(i, reports.period_label(services, report, period_key=i.period_key, stored=i.period_label, language=viewer.language), counts[i.id or 0])
        for i in items
    ]
    return Matrix(report, all_reports, periods, shown, cells, tags, tag, page, pages, len(kept), totals, levels, level)
