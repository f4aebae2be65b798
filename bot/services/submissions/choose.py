"""What a liaison can file now: open obligations of their units, and any-time reports (随时上报).

Next to an open obligation: 零报告 (`zero`) when its report allows it and nothing is filed yet.
Obligations already done (deadline within `RECENT`) that take more items get 再报一个 (`sub`), and
every obligation with filings 修改已报 (`amend` of each filed item). /due shows the same
(`extras`). Labels fit a button: a long report title is shortened, the period never (`Name`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from bot.config import ReportType
from bot.models import ObligationStatus, SubmissionKind

from bot.context import Services
from bot.services.labels import fit
from bot.services.people.access import Roles
from bot.services.submissions.forms import fileable
from bot.services.deadlines.adhoc import report_types_of
from bot.services.deadlines.reports import period_label, report_title
from bot.services.submissions.common import ANY_PERIOD, RECENT, WINDOW, opens_on
from bot.storage import due
from bot.storage import units as unit_store
from bot.storage.due import CurrentItem, Listed
from bot.texts.catalog import Markup, t


@dataclass(frozen=True)
class Choice:
    """Something the user may file now: an obligation, or an any-time report of a unit."""

    label: str
    action: str
    args: tuple[str | int, ...]
    extra: str = ""  # "" (file it), or next to it: "zero" (零报告), "again" (再报一个), "amend" (修改已报)


@dataclass(frozen=True)
class Name:
    """What a button names: [unit · ] report · period; only the report title is ever shortened."""

    prefix: str
    title: str
    period: str

    def label(self, wrap: Callable[[str], str] | None = None) -> str:
        """The button's label: the name, inside `wrap` (a catalog text around it), within the limit."""
        return fit(lambda title: (wrap or str)(f"{self.prefix}{title} · {self.period}"), self.title)


def _unit_prefix(view: Listed, many: bool) -> str:
    return f"{view.unit.name} · " if many else ""


def extras(
    view: Listed, found: ReportType, current: Sequence[CurrentItem], name: Name, *, language: str
) -> list[Choice]:
    """What else can be done with an obligation besides filing it: 零报告, 再报一个, 修改已报."""
    oid = view.obligation.id
    pending = view.obligation.status is not ObligationStatus.done
    real = [c for c in current if c.kind != SubmissionKind.zero]
    out: list[Choice] = []
    if pending and found.zero_report and not current:
        out.append(Choice(name.label(lambda n: t(language, "submissions.choice.zero", label=Markup(n))), "zero", (oid,), "zero"))
    if not pending and real and len(real) < found.max_items:
        out.append(Choice(name.label(lambda n: t(language, "submissions.choice.again", label=Markup(n))), "sub", (oid,), "again"))
    if current and view.obligation.status is not ObligationStatus.returned:  # a returned one: "sub" opens it
        if len(real) > 1:  # several cases: each can be amended, not only the latest
            for item in sorted(real, key=lambda c: c.item_no):
                out.append(Choice(name.label(_amend_item(language, item.item_no)), "amend", (oid, item.item_no), "amend"))
        else:
            latest = max(current, key=lambda c: (c.submitted_at, c.item_no))
            out.append(Choice(name.label(lambda n: t(language, "submissions.choice.amend", label=Markup(n))), "amend", (oid, latest.item_no), "amend"))
    return out


def _amend_item(language: str, item_no: int) -> Callable[[str], str]:
    return lambda name: t(language, "submissions.choice.amend-item", label=Markup(name), item=item_no)


def listed(view: Listed, now: datetime) -> bool:
    """Within what /submit and /due show: pending and due within the window, or done with a recent deadline."""
    due_at = view.due_item.due_at
    if due_at > now + WINDOW:
        return False
    return view.obligation.status is not ObligationStatus.done or due_at >= now - RECENT


def choices(services: Services, roles: Roles, *, language: str, now: datetime) -> list[Choice]:
    """What the user's units have open (overdue or due within the window) with 零报告 next to it,
    then 再报一个 / 修改已报 of recent ones, then any-time reports."""
    units = roles.units()
    many = len(units) > 1
    out: list[Choice] = []
    later: list[Choice] = []
    with services.storage.read() as s:
        rows = due.listed_obligations(s, unit_ids=units, due_before=now + WINDOW, filed_since=now - RECENT, filed=(ObligationStatus.done,))
        by_key = report_types_of(services, s, {v.due_item.report_key for v in rows})  # the listed items' (ad-hoc: read only if one is)
        views = [  # by unit, as the user's units are listed; a constant number of queries whatever the history
            view for unit_id in units for view in rows
            if view.obligation.unit_id == unit_id and listed(view, now) and view.due_item.period_key != ANY_PERIOD
        ]
        found_units = unit_store.units_by_ids(s, unit_ids=units)  # (the any-time reports: every unit's name and tags)
    views = [v for v in views if opens_on(services, v.due_item, now, report=by_key.get(v.due_item.report_key)) is None]  # a period not started is not offered
    for view in views:
        item = view.due_item
        found = by_key.get(item.report_key)
        if found is None or not fileable(found.template):
            continue
        period = period_label(services, found, period_key=item.period_key, stored=item.period_label, language=language)
        name = Name(_unit_prefix(view, many), report_title(found, language), period)
        label = name.label()
        more = extras(view, found, view.current, name, language=language)
        if view.obligation.status in (ObligationStatus.done, ObligationStatus.awaiting):  # filed (待审核: with the head)
            later += more
            continue
        out.append(Choice(label, "sub", (view.obligation.id,)))
        out += [c for c in more if c.extra == "zero"]
        later += [c for c in more if c.extra != "zero"]
    out += later
    for unit_id in units:
        unit = found_units.get(unit_id)
        if unit is None:
            continue
        for any_time in services.config.report_types:
            if any_time.schedule.kind != "any_time" or not fileable(any_time.template):
                continue
            if any_time.owed_by and not set(any_time.owed_by) & set(unit.tags):
                continue
            prefix = f"{unit.name} · " if many else ""
            out.append(Choice(f"{prefix}{report_title(any_time, language)}", "subany", (any_time.key, unit_id)))
    return out


def any_time_obligation(services: Services, *, report_key: str, unit_id: int, now: datetime) -> int:
    """The obligation of an any-time report (随时上报) for a unit, created on first use.

    Its due item has period 'any' and is due at the end of the campaign's last day: filing is
    never late, and the item stays open for filings until the campaign ends.
    """
    c = services.config.campaign
    due_at = datetime.combine(c.end, time(23, 59, 59), tzinfo=c.tz)
    with services.storage.session() as s:
        unit = unit_store.get_unit(s, unit_id=unit_id)
        if unit is None:
            raise LookupError(unit_id)
        item = due.ensure_due_item(
            s, report_key=report_key, period_key=ANY_PERIOD, period_label="随时上报", due_at=due_at, unit_codes=[unit.code], now=now
        )
        assert item.id is not None
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit_id)
        assert obligation is not None and obligation.id is not None
        return obligation.id
