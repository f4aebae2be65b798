"""What the submission modules share: replies and buttons, the draft, the obligation being filed.

The flow is split by seam: `submission_choose` (what can be filed), `submission_steps` (asking the
form's questions, files at a step), `submission_answers` (typed answers, files, buttons),
`submission_preview` (preview, confirm, versions, zero reports); `submissions` is the entry point.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from bot.config import ReportType
from bot.replies import Btn, Reply
from bot.context import Services
from bot.services.people.access import Action, Roles
from bot.models import DueItem
from bot.services.deadlines.reports import find_report, period_label
from bot.services.submissions.filing import NONCE, Filing
from bot.services.submissions.forms import default_form, form_of
from bot.services.submissions.forms.render import format_day
from bot.storage.due import ObligationView
from schedules import periods_of

FLOW = "submission"
ANY_PERIOD = "any"
WINDOW = timedelta(days=45)  # /due and /submit look this far ahead (and at everything overdue)
RECENT = timedelta(days=31)  # filed items stay listed (/due, and /submit's 再报一个 / 修改已报) this long after their deadline
STEP = "sf"  # the action of the buttons inside a filing (confirm, change, skip …)


class NotAllowed(Exception):
    """The user may not file for this unit or obligation."""


def report(services: Services, key: str) -> ReportType | None:
    return find_report(services, key)


def period_of(services: Services, item: DueItem, language: str) -> str:
    """A due item's period as the user reads it (the database keeps the Chinese label): 2023年8月 / August 2023."""
    return period_label(services, find_report(services, item.report_key), period_key=item.period_key, stored=item.period_label, language=language)


class Period(Protocol):
    """A due item's report and period, as a stored `DueItem` or a listed row (`bot.storage.due.ListedItem`) gives them."""

    @property
    def report_key(self) -> str: ...

    @property
    def period_key(self) -> str: ...


def opens_on(services: Services, item: Period, now: datetime, *, report: ReportType | None = None) -> date | None:
    """The first day of the item's period while it is still ahead (nothing can be filed for a period
    that has not started: a 零报告 for September on 30 August), else None."""
    if item.period_key == ANY_PERIOD:
        return None
    starts = services.caches.period_starts.get(item.report_key)
    if starts is None:
        found = report or find_report(services, item.report_key)
        c = services.config.campaign
        periods = periods_of(found, tz=c.tz, start=c.start, end=c.end, calendar=services.calendar) if found is not None else []
        starts = services.caches.period_starts[item.report_key] = {p.period_key: p.first_day for p in periods}
    first = starts.get(item.period_key)
    return first if first is not None and first > now.astimezone(services.config.campaign.tz).date() else None


def save(services: Services, person_id: int, state: str, data: dict[str, Any], now: datetime) -> None:
    """Keep a draft that holds no filing yet (state "choose": what was sent before choosing)."""
    data.setdefault(NONCE, secrets.token_urlsafe(6))  # a new filing: its buttons get a mark of their own
    services.storage.drafts.save_draft(person_id=person_id, flow=FLOW, state=state, data=data, now=now)


def keep(services: Services, filing: Filing, state: str) -> None:
    """Keep the filing as the person's draft, at `state` (a step's key, "preview", "lower", "change")."""
    filing.ensure_nonce()  # a new filing: its buttons get a mark of their own
    services.storage.drafts.save_draft(person_id=filing.person_id, flow=FLOW, state=state, data=filing.to_data(), now=filing.now)


def load(services: Services, data: dict[str, Any], person_id: int, *, language: str, now: datetime) -> Filing:
    """The filing a draft holds, with its report's form (KeyError for a draft of state "choose")."""
    key = data.get("report_key") or view(services, int(data["obligation_id"])).due_item.report_key
    found = find_report(services, key)
    form = form_of(found) if found is not None else default_form(str(data.get("template", "")))
    return Filing.from_data(data, person_id=person_id, language=language, now=now, form=form)


def stamp(replies: list[Reply], nonce: str | None) -> list[Reply]:
    """Tie the in-filing buttons to the filing in progress (its draft's nonce).

    Without it, "✅ 确认提交" on the preview of a filing that was discarded or finished would act
    on whatever filing is in progress when it is pressed."""
    if nonce is None:
        return replies
    for reply in replies:
        reply.buttons = [[Btn(b.label, b.action, (*b.args, nonce)) if b.action == STEP else b for b in row] for row in reply.buttons]
    return replies


def unstamp(args: tuple[str, ...], data: dict[str, Any]) -> tuple[str, ...] | None:
    """A pressed in-filing button's arguments, if it belongs to the filing in progress; None if stale."""
    nonce = data.get(NONCE)
    if nonce is None:
        return args  # a draft saved before buttons were stamped
    if not args or args[-1] != nonce:
        return None
    return args[:-1]


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


def due_text(due_at: datetime, language: str, tz: tzinfo) -> str:
    """A deadline's day, and its time when it is not the end of the day (an ad-hoc deadline at 17:00)."""
    local = due_at.astimezone(tz)
    day = format_day(local.date(), language)
    return day if (local.hour, local.minute, local.second) == (23, 59, 59) else f"{day} {local:%H:%M}"
