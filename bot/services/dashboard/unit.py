"""A unit's page: its liaisons (with phones: the viewer is a coordinator), every filing with its
versions and files, and the reminders sent about it and what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.models import Unit
from bot.services.dashboard.login import Viewer
from bot.services.dashboard.matrix import state_of
from bot.services.deadlines import reports
from bot.storage import dashboard, roles, units
from bot.storage.dashboard import ReminderLine, UnitObligation
from bot.storage.roles import UnitLiaison


@dataclass(frozen=True)
class ObligationLine:
    """An obligation as the unit page lists it: report title, period label, state and filings."""

    report_title: str
    period: str
    state: str
    entry: UnitObligation


@dataclass(frozen=True)
class UnitPage:
    """What the unit page shows."""

    unit: Unit
    liaisons: list[UnitLiaison]
    obligations: list[ObligationLine]
    reminders: list[ReminderLine]


def page(services: Services, viewer: Viewer, *, unit_id: int, now: datetime) -> UnitPage | None:
    """The unit page, or None if there is no such unit or the viewer may not see it."""
    if not viewer.sees(unit_id):
        return None
    with services.storage.read() as s:
        unit = units.get_unit(s, unit_id=unit_id)
        if unit is None:
            return None
        liaisons = roles.liaisons_of_unit(s, unit_id=unit_id)
        entries = dashboard.unit_obligations(s, unit_id=unit_id)
        sent = dashboard.unit_reminders(s, unit_id=unit_id)
    lines = []
    for entry in entries:
        report = reports.find_report(services, entry.due_item.report_key)
        title = reports.report_title(report, viewer.language) if report else entry.due_item.report_key
        label = reports.period_label(services, report, period_key=entry.due_item.period_key, stored=entry.due_item.period_label, language=viewer.language)
        waiting = any(f.submission.status.value == "submitted" for f in entry.filings)
        state = state_of(entry.obligation.status, entry.obligation.late, waiting, due_at=entry.due_item.due_at, now=now)
        lines.append(ObligationLine(title, label, state, entry))
    return UnitPage(unit, liaisons, lines, sent)
