"""What the submission modules share: replies and buttons, the draft, the obligation being filed.

The flow is split by seam: `submission_choose` (what can be filed), `submission_steps` (asking the
form's questions, files at a step), `submission_answers` (typed answers, files, buttons),
`submission_preview` (preview, confirm, versions, zero reports); `submissions` is the entry point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.config import ReportType
from bot.context import Services
from bot.services.access import Action, Roles
from bot.models import DueItem
from bot.services.reports import find_report, period_label
from bot.storage.due import ObligationView

FLOW = "submission"
ANY_PERIOD = "any"
WINDOW = timedelta(days=45)  # /due and /submit look this far ahead (and at everything overdue)


@dataclass(frozen=True)
class Btn:
    """A button to show: its label and the (signed by the handler) action and arguments."""

    label: str
    action: str
    args: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Document:
    """A file made for the user (not a stored attachment), such as the blank 附件1 workbook."""

    name: str
    data: bytes


@dataclass
class Reply:
    """A message to send: HTML text, rows of buttons, stored files and made documents to send after it."""

    text: str
    buttons: list[list[Btn]] = field(default_factory=list)
    attachment_ids: list[int] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


class NotAllowed(Exception):
    """The user may not file for this unit or obligation."""


def report(services: Services, key: str) -> ReportType | None:
    return find_report(services, key)


def period_of(services: Services, item: DueItem, language: str) -> str:
    """A due item's period as the user reads it (the database keeps the Chinese label): 2023年8月 / August 2023."""
    return period_label(services, find_report(services, item.report_key), period_key=item.period_key, stored=item.period_label, language=language)


def save(services: Services, person_id: int, state: str, data: dict[str, Any], now: datetime) -> None:
    services.storage.drafts.save_draft(person_id=person_id, flow=FLOW, state=state, data=data, now=now)


def drop(services: Services, person_id: int) -> None:
    services.storage.drafts.delete_draft(person_id=person_id, flow=FLOW)


def view(services: Services, obligation_id: int) -> ObligationView:
    found = services.storage.due.get_obligation_view(obligation_id=obligation_id)
    if found is None:
        raise LookupError(obligation_id)
    return found


def check(roles: Roles, obligation: ObligationView) -> None:
    if not roles.may(Action.SUBMIT, unit_id=obligation.unit.id):
        raise NotAllowed
