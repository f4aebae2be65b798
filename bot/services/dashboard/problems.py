"""The problem list (问题清单) on the dashboard: the problems of the viewer's units (a coordinator
bound to a unit: its subtree), filtered by unit, status and overdue, earliest deadline first.

Each line is marked as in chat (`bot.services.problems.common.mark`): overdue (red) while the
unit still has to act (待整改, or reported and not yet verified) and past its 整改时限, due soon
(yellow) within `DUE_SOON` of it. The list is shown when the campaign has problems at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.models import ProblemStatus
from bot.services.dashboard.login import Viewer
from bot.services.problems.common import DUE_SOON, due_text
from bot.storage import problems
from bot.storage.problems import OPEN_STATES, ProblemRow

SHOWN = 500
STATUSES = ("unclosed", "open", "reported", "verified", "closed", "all")  # the status filter; "unclosed" by default


@dataclass(frozen=True)
class ProblemLine:
    """One problem as the page lists it."""

    row: ProblemRow
    urgency: str  # "overdue", "due_soon" or ""
    due: str  # the 整改时限 in the viewer's language


@dataclass(frozen=True)
class ProblemsPage:
    """What the problem page shows: the lines kept by the filters (the first `SHOWN`) and the filters."""

    lines: list[ProblemLine]
    total: int
    overdue_total: int
    units: list[tuple[int, str]]  # the viewer's units that have problems: the unit filter's choices
    unit_id: int | None
    status: str
    overdue: bool


def urgency(status: ProblemStatus, due_at: datetime, now: datetime) -> str:
    """"overdue" or "due_soon" while the unit still has to act, else ""."""
    if status in (ProblemStatus.verified, ProblemStatus.closed):
        return ""
    if due_at < now:
        return "overdue"
    return "due_soon" if due_at - now <= DUE_SOON else ""


def has_problems(services: Services, viewer: Viewer) -> bool:
    """Whether any problem of the viewer's units is on the list (the page is offered then)."""
    with services.storage.read() as s:
        return bool(problems.list_problems(s, unit_ids=viewer.visible_units, limit=1))


def _statuses(status: str) -> tuple[ProblemStatus, ...]:
    if status == "all":
        return tuple(ProblemStatus)
    if status in ("open", "reported", "verified", "closed"):
        return (ProblemStatus(status),)
    return OPEN_STATES


def build(services: Services, viewer: Viewer, *, unit_id: int | None, status: str, overdue: bool, now: datetime) -> ProblemsPage:
    """The problems of the viewer's units kept by the filters; a unit or status not offered is ignored."""
    status = status if status in STATUSES else "unclosed"
    with services.storage.read() as s:
        every = problems.list_problems(s, unit_ids=viewer.visible_units)
    units = sorted({(r.problem.unit_id, r.unit_name) for r in every}, key=lambda u: u[1])
    unit_id = unit_id if unit_id in {u for u, _ in units} else None
    wanted = set(_statuses(status))
    kept = []
    for r in every:
        if r.problem.status not in wanted or (unit_id is not None and r.problem.unit_id != unit_id):
            continue
        mark = urgency(r.problem.status, r.problem.due_at, now)
        if overdue and mark != "overdue":
            continue
        kept.append((r, mark))
    lines = [ProblemLine(r, mark, due_text(services, r.problem, viewer.language)) for r, mark in kept[:SHOWN]]
    overdue_total = sum(1 for _, mark in kept if mark == "overdue")
    return ProblemsPage(lines, len(kept), overdue_total, units, unit_id, status, overdue)
