"""The pages of /outstanding and /status (and one item's units) as `Reply` data.

A page asked for by a command is a new message; a page asked for by a button (‹ ›, an item)
replaces the pressed message when it fits in one (`Reply.edit`), and is sent anew when it
does not, split and never cut. Mobile numbers only for coordinators in a private chat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.config import ReportType
from bot.context import Services
from bot.replies import Btn, Reply, split
from bot.services.coordinator import views as v
from bot.services.deadlines import adhoc
from bot.services.levels import rollup
from bot.services.people.access import Roles
from bot.texts.catalog import t

Remember = Callable[[str], int]  # keeps a typed query for its page buttons (64 bytes of callback data may not hold it): its reference


def _page(text: str, buttons: list[list[Btn]], *, pressed: bool) -> list[Reply]:
    return [Reply(text, buttons, edit=pressed and len(split(text)) == 1)]


def _liaison(row: v.UnitRow, phones: bool, language: str) -> str:
    if row.reachable is None:
        return t(language, "coordinator.no-liaison")
    text = row.liaison_name or "—"
    if phones and row.mobile:
        text += f" {row.mobile}"
    if not row.reachable:
        text += " " + t(language, "coordinator.unreachable")
    return text


def _item_texts(services: Services, item: v.ItemRef, reports: dict[str, ReportType], language: str) -> tuple[str, str, str]:
    """The report's title, the period's label and the due moment, in the user's language."""
    report = reports.get(item.report_key)
    due = v.format_moment(item.due_at, language, services.config.campaign.tz)
    return v.title_of(report, item.report_key, language), v.period_label(services, report, item, language), due


def _as_of(services: Services, language: str, now: datetime) -> str:
    return t(language, "coordinator.as-of", moment=v.format_moment(now, language, services.config.campaign.tz))


def _pager(action: str, page: int, pages: int, spec: str, remember: Remember, language: str) -> list[Btn]:
    if pages <= 1:
        return []
    args = (remember(spec),) if spec else ()
    row = []
    if page > 0:
        row.append(Btn(t(language, "coordinator.prev"), action, (page - 1, *args)))
    if page < pages - 1:
        row.append(Btn(t(language, "coordinator.next"), action, (page + 1, *args)))
    return row


def _when(services: Services, item: v.ItemRef, language: str, now: datetime) -> str:
    days = v.days_late(item.due_at, now, services.config.campaign.tz)
    if days > 0:
        return t(language, "coordinator.overdue", days=days)
    if days == 0:
        return t(language, "coordinator.due-today")
    return t(language, "coordinator.days-left", days=-days)


def _counts(c: v.Counts, language: str) -> dict[str, object]:
    awaiting = t(language, "status.awaiting", n=c.awaiting) if c.awaiting else ""
    return {"on_time": c.on_time, "late": c.late, "open": c.open, "returned": c.returned, "awaiting": awaiting, "total": c.total}


def outstanding(
    services: Services, roles: Roles, spec: str, *, page: int, private: bool, pressed: bool, remember: Remember, language: str, now: datetime
) -> list[Reply]:
    """A page of the units that have not filed: overdue and due within the next days, or the report/period asked for."""
    request = v.parse_request(services, spec, now=now, unit_ids=roles.visible_units)
    if request.error:
        return _page(t(language, request.error, word=request.word), [], pressed=pressed)
    result = v.outstanding(services, request.scope, page=page)
    as_of = _as_of(services, language, now)
    waiting = ["", t(language, "outstanding.awaiting", n=result.awaiting)] if result.awaiting else []
    if not result.total:
        return _page("\n".join([t(language, "outstanding.none", as_of=as_of), *waiting]), [], pressed=pressed)
    phones = roles.is_coordinator and private
    reports = {r.key: r for r in adhoc.report_types(services)}
    counts = {item.id: n for item, n in result.groups}
    lines = [t(language, "outstanding.title", as_of=as_of, total=result.total)]
    current: int | None = None
    for i, row in enumerate(result.rows):
        if row.item.id != current:
            current = row.item.id
            report, period, due = _item_texts(services, row.item, reports, language)
            when = _when(services, row.item, language, now)
            lines += ["", t(language, "outstanding.item", report=report, period=period, due=due, when=when, count=counts[row.item.id])]
        n = result.page * v.PAGE_SIZE + i + 1
        lines.append(t(language, "outstanding.row", n=n, unit=row.unit_name, liaison=_liaison(row, phones, language)))
    lines += waiting
    if result.pages > 1:
        lines.append("\n" + t(language, "coordinator.page", page=result.page + 1, pages=result.pages))
    if not phones and roles.is_coordinator:
        lines.append(t(language, "coordinator.phones-private"))
    pager = _pager("out", result.page, result.pages, spec, remember, language)
    return _page("\n".join(lines), [pager] if pager else [], pressed=pressed)


def status(
    services: Services, roles: Roles, spec: str, *, page: int, pressed: bool, remember: Remember, language: str, now: datetime
) -> list[Reply]:
    """A page of how each report stands per period (on time, late, not yet, returned), a button per item."""
    request = v.parse_request(services, spec, now=now, unit_ids=roles.visible_units)
    if request.error:
        return _page(t(language, request.error, word=request.word), [], pressed=pressed)
    result = v.status(services, request.scope, page=page)
    if not result.items:
        return _page(t(language, "status.none"), [], pressed=pressed)
    reports = {r.key: r for r in adhoc.report_types(services)}
    lines = [t(language, "status.title", as_of=_as_of(services, language, now))]
    buttons: list[list[Btn]] = []
    for item, counts in result.items:
        report, period, due = _item_texts(services, item, reports, language)
        lines += ["", t(language, "status.item", report=report, period=period, due=due, **_counts(counts, language))]
        buttons.append([Btn(t(language, "status.button", report=report, period=period), "sti", (item.id, 0))])
    if result.pages > 1:
        lines.append("\n" + t(language, "coordinator.page", page=result.page + 1, pages=result.pages))
    pager = _pager("st", result.page, result.pages, spec, remember, language)
    if pager:
        buttons.append(pager)
    return _page("\n".join(lines), buttons, pressed=pressed)


def item_units(services: Services, roles: Roles, due_item_id: int, *, page: int, private: bool, language: str) -> list[Reply]:
    """A page of one due item's units by state (not yet first), replacing the pressed message."""
    found = v.item_units(services, due_item_id, page=page, unit_ids=roles.visible_units)
    if found is None:
        return _page(t(language, "coordinator.unknown-item"), [], pressed=True)
    tz = services.config.campaign.tz
    phones = roles.is_coordinator and private
    reports = {r.key: r for r in adhoc.report_types(services)}
    report, period, due = _item_texts(services, found.item, reports, language)
    lines = [t(language, "status.units-title", report=report, period=period, due=due, **_counts(found.counts, language)), ""]
    below = rollup.rollups(services, due_item_id=found.item.id, unit_ids=[r.unit_id for r in found.rows])
    for row in found.rows:
        at = v.format_moment(row.completed_at, language, tz) if row.completed_at else ""
        if row.status.value == "open":
            lines.append(t(language, "status.row-open", unit=row.unit_name, liaison=_liaison(row, phones, language)))
        elif row.status.value == "returned":
            lines.append(t(language, "status.row-returned", unit=row.unit_name, liaison=_liaison(row, phones, language)))
        elif row.status.value == "awaiting":
            lines.append(t(language, "status.row-awaiting", unit=row.unit_name))
        elif row.late:
            lines.append(t(language, "status.row-late", unit=row.unit_name, at=at))
        else:
            lines.append(t(language, "status.row-on-time", unit=row.unit_name, at=at))
        if row.unit_id in below:  # units in levels: the 市 files after its 县
            r = below[row.unit_id]
            key = "status.rollup-complete" if r.complete else "status.rollup"
            lines.append(t(language, key, filed=r.filed, total=r.total, missing="、".join(r.missing)))
    if found.pages > 1:
        lines.append("\n" + t(language, "coordinator.page", page=found.page + 1, pages=found.pages))
    pager = []
    if found.page > 0:
        pager.append(Btn(t(language, "coordinator.prev"), "sti", (found.item.id, found.page - 1)))
    if found.page < found.pages - 1:
        pager.append(Btn(t(language, "coordinator.next"), "sti", (found.item.id, found.page + 1)))
    return _page("\n".join(lines), [pager] if pager else [], pressed=True)
