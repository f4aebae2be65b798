"""What the coordinator views compute: which due items a request means, who is outstanding, how each stands.

Choices (documented for coordinators in /help and docs):
- `/outstanding` with no arguments lists every open or returned obligation due before
  `horizon(now)`: everything overdue, what falls due in the next three days (`HORIZON`), and every
  item whose first reminder has gone out, however far its deadline (a quarterly report reminded
  a week ahead is there from that first reminder on).
- `/status` with no arguments lists the due items due before `horizon(now)`, latest first.
- Arguments are `[report] [period]`: a report by key or (part of) its title (案例, 统计),
  and a period phrase (上月, 9月, 三季度, 第二阶段) read by `schedules.periods_for_phrase`; a
  period alone applies to every report type that has such a period.
- Mobile numbers are shown only to coordinators, only in private chats; leaders (read-only)
  and group chats see names and reachability without phone numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from bot.config import ReportType
from bot.context import Services
from bot.services.deadlines import adhoc
from bot.services.deadlines import reports
from bot.services.reminders.plan import plan
from bot.storage import due, views
from bot.storage.views import Counts as Counts, ItemRef as ItemRef, Scope as Scope, UnitRow as UnitRow  # the types handlers show
from schedules import names_a_period, periods_for_phrase
from schedules.rules import AnyTimeSchedule

HORIZON = timedelta(days=3)
PAGE_SIZE = 20  # units per /outstanding page
ITEMS_PER_PAGE = 8  # due items per /status page


@dataclass(frozen=True)
class Request:
    """A parsed `[report] [period]`: the scope, or the reason it could not be understood."""

    scope: Scope
    error: str | None = None  # catalog key
    word: str = ""


def title_of(report: ReportType | None, key: str, language: str) -> str:
    """A report type's title in a language (its key if it is unknown)."""
    if report is None:
        return key
    return report.title if language == "zh-CN" else (report.title_en or report.title)


def match_report(reports: list[ReportType], word: str) -> ReportType | None:
    w = word.lower()
    for r in reports:
        if w in (r.key.lower(), r.title.lower(), (r.title_en or "").lower()):
            return r
    partial = [r for r in reports if w in r.title.lower() or w in (r.title_en or "").lower()]
    return partial[0] if len(partial) == 1 else None


def parse_request(
    services: Services, text: str, *, now: datetime, default_horizon: bool = True, unit_ids: frozenset[int] | None = None
) -> Request:
    """Read `[report] [period]` into a scope (limited to `unit_ids` if given); with neither, items due before now + HORIZON."""
    found = _parse_request(services, text, now=now, default_horizon=default_horizon)
    return replace(found, scope=replace(found.scope, unit_ids=unit_ids))


def _parse_request(services: Services, text: str, *, now: datetime, default_horizon: bool) -> Request:
    words = [w for w in re.split(r"\s+", text.strip()) if w]
    reports = adhoc.report_types(services)
    due_before = horizon(services, now) if default_horizon else None
    if not words:
        return Request(Scope(due_before=due_before))
    report = match_report(reports, words[0])
    phrase = " ".join(words[1:] if report else words)
    if report is not None and not phrase:
        if due_before is not None:  # and the report's next deadline, however far (an ad-hoc one, a stage)
            with services.storage.read() as s:
                upcoming = due.list_due_items(s, report_key=report.key, due_from=now)
            if upcoming:
                due_before = max(due_before, upcoming[0].due_at + timedelta(seconds=1))
        return Request(Scope(report_keys=(report.key,), due_before=due_before))
    c = services.config.campaign
    candidates = [report] if report else [r for r in reports if not isinstance(r.schedule, AnyTimeSchedule)]
    pairs: list[tuple[str, str]] = []
    for r in candidates:  # 三季度 of a monthly report: its three months
        for item in periods_for_phrase(phrase, r, now=now, tz=c.tz, start=c.start, end=c.end, calendar=services.calendar):
            pairs.append((r.key, item.period_key))
    if not pairs:
        if names_a_period(phrase, now=now, tz=c.tz):  # understood, but no report has such a period
            return Request(Scope(), error="views.nothing-in-period", word=phrase)
        key = "coordinator.unknown-report-or-period" if report is None else "coordinator.unknown-period"
        return Request(Scope(), error=key, word=phrase)
    return Request(Scope(pairs=tuple(pairs)))


def horizon(services: Services, now: datetime) -> datetime:
    """How far ahead the views look: three days, or to the deadline of any item already reminded of."""
    latest = now + HORIZON
    for moment in plan(services):
        if moment.at <= now < moment.due_at:
            latest = max(latest, moment.due_at + timedelta(seconds=1))
    return latest


def days_late(due_at: datetime, now: datetime, tz: tzinfo) -> int:
    """Whole days past the due day, in the campaign's zone (0 on the day or before; negative: days left)."""
    due_day: date = due_at.astimezone(tz).date()
    today: date = now.astimezone(tz).date()
    return (today - due_day).days


@dataclass(frozen=True)
class OutstandingPage:
    """One page of /outstanding: the rows, the item totals, the page number and count."""

    rows: list[UnitRow]
    groups: list[tuple[ItemRef, int]]
    page: int
    pages: int
    awaiting: int = 0  # 待审核 in scope: filed, not outstanding, not yet counted as filed

    @property
    def total(self) -> int:
        return sum(n for _, n in self.groups)


def outstanding(services: Services, scope: Scope, *, page: int) -> OutstandingPage:
    """Page `page` (0-based) of the outstanding obligations in scope: the counts, then the page's one or two items."""
    with services.storage.read() as s:
        groups = views.outstanding_groups(s, scope=scope)
        total = sum(n for _, n in groups)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        rows = views.outstanding_page(s, groups=groups, offset=page * PAGE_SIZE, limit=PAGE_SIZE, unit_ids=scope.unit_ids) if total else []
        awaiting = views.awaiting_count(s, scope=scope)
    return OutstandingPage(rows=rows, groups=groups, page=page, pages=pages, awaiting=awaiting)


@dataclass(frozen=True)
class StatusPage:
    """One page of /status: due items with their counts."""

    items: list[tuple[ItemRef, Counts]]
    page: int
    pages: int


def status(services: Services, scope: Scope, *, page: int) -> StatusPage:
    """Page `page` of the due items in scope (latest deadline first) with their counts: three queries."""
    with services.storage.read() as s:
        refs, total = views.status_items(s, scope=scope, offset=max(page, 0) * ITEMS_PER_PAGE, limit=ITEMS_PER_PAGE)
        pages = max(1, -(-total // ITEMS_PER_PAGE))
        if not refs and page > 0:
            page = pages - 1
            refs, total = views.status_items(s, scope=scope, offset=page * ITEMS_PER_PAGE, limit=ITEMS_PER_PAGE)
        counts = views.status_counts(s, due_item_ids=[r.id for r in refs], unit_ids=scope.unit_ids)
    return StatusPage(items=[(r, counts[r.id]) for r in refs], page=max(page, 0), pages=pages)


@dataclass(frozen=True)
class ItemUnits:
    """The units of one due item, a page of them, with the item's counts."""

    item: ItemRef
    counts: Counts
    rows: list[UnitRow]
    page: int
    pages: int


def item_units(
    services: Services, due_item_id: int, *, page: int, state: str | None = None, unit_ids: frozenset[int] | None = None
) -> ItemUnits | None:
    """A page of one due item's units (tap-through from /status); a coordinator of one level sees their subtree's."""
    with services.storage.read() as s:
        item = views.get_item(s, due_item_id=due_item_id)
        if item is None:
            return None
        counts = views.status_counts(s, due_item_ids=[item.id], unit_ids=unit_ids)[item.id]
        rows, total = views.item_units_page(s, due_item_id=item.id, offset=max(page, 0) * PAGE_SIZE, limit=PAGE_SIZE, state=state, unit_ids=unit_ids)
    pages = max(1, -(-total // PAGE_SIZE))
    return ItemUnits(item=item, counts=counts, rows=rows, page=max(page, 0), pages=pages)


def format_moment(moment: datetime, language: str, tz: tzinfo, *, with_time: bool = True) -> str:
    """A local date with its weekday, and the time: 2023年9月15日（星期五）17:00 / Fri 15 Sep 2023 17:00."""
    from bot.services.submissions.forms.render import format_day

    local = moment.astimezone(tz)
    day = format_day(local.date(), language)
    if not with_time:
        return day
    clock = "24:00" if (local.hour, local.minute, local.second) == (23, 59, 59) else local.strftime("%H:%M")
    return f"{day} {clock}"


def period_label(services: Services, report: ReportType | None, item: ItemRef, language: str) -> str:
    """A due item's period label in a language (the stored label is the Chinese one)."""
    return reports.period_label(services, report, period_key=item.period_key, stored=item.period_label, language=language)