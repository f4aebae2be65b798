"""/outstanding and /status: who has not filed, and how every report stands; paged with signed buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.config import ReportType
from bot.context import BotContext
from bot.services.deadlines import adhoc
from bot.services.coordinator import views as v
from bot.services.levels import rollup
from bot.services.people.access import Action, Roles
from bot.buttons import Button
from bot.services.submissions.forms.render import split
from bot.texts.catalog import t
from bot.storage.views import Counts, ItemRef, UnitRow
from handlers.guard import button, is_private, requires


def _lang(context: BotContext, update: Update) -> str:
    """The user's language, looked up once per update (a page renders many texts)."""
    cached = context.__dict__.get("_view_language")
    if cached is None:
        cached = context.__dict__["_view_language"] = context.language(update)
    return str(cached)


def _t(context: BotContext, update: Update, key: str, /, **params: object) -> str:
    return t(_lang(context, update), key, **params)


def _phones(update: Update, who: Roles) -> bool:
    """Mobile numbers: coordinators, in a private chat, only."""
    return who.is_coordinator and is_private(update)


def _spec(context: BotContext) -> str:
    return " ".join(context.args or []).replace("|", " ").strip()


def _liaison(context: BotContext, update: Update, row: UnitRow, phones: bool) -> str:
    if row.reachable is None:
        return _t(context, update, "coordinator.no-liaison")
    text = row.liaison_name or "—"
    if phones and row.mobile:
        text += f" {row.mobile}"
    if not row.reachable:
        text += " " + _t(context, update, "coordinator.unreachable")
    return text


def _item_texts(context: BotContext, update: Update, item: ItemRef, reports: dict[str, ReportType]) -> tuple[str, str, str]:
    """The report's title, the period's label and the due moment, in the user's language."""
    services = context.services
    language = _lang(context, update)
    report = reports.get(item.report_key)
    due = v.format_moment(item.due_at, language, services.config.campaign.tz)
    return v.title_of(report, item.report_key, language), v.period_label(services, report, item, language), due


def _as_of(context: BotContext, update: Update) -> str:
    services = context.services
    moment = v.format_moment(services.clock.now(), _lang(context, update), services.config.campaign.tz)
    return _t(context, update, "coordinator.as-of", moment=moment)


_SPECS = "view_specs"
_KEEP_SPECS = 20


def _remember(context: BotContext, spec: str) -> int:
    """Keep a typed query for its page buttons (callback data holds 64 bytes; a query may not fit)."""
    specs: dict[int, str] = context.user_data.setdefault(_SPECS, {})  # type: ignore[union-attr]
    ref = max(specs, default=0) + 1
    specs[ref] = spec
    for old in sorted(specs)[:-_KEEP_SPECS]:
        del specs[old]
    return ref


def _recall(context: BotContext, pressed: Button) -> str | None:
    """The query a page button refers to; None once forgotten (a restart): the button is stale."""
    if len(pressed.args) < 2:
        return ""
    specs: dict[int, str] = (context.user_data or {}).get(_SPECS, {})
    return specs.get(pressed.int_arg(1))


def _pager(context: BotContext, update: Update, action: str, page: int, pages: int, spec: str) -> list[InlineKeyboardButton]:
    if pages <= 1:
        return []
    ref = _remember(context, spec) if spec else None
    args = (ref,) if ref is not None else ()
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(_t(context, update, "coordinator.prev"), callback_data=context.button(update, action, page - 1, *args)))
    if page < pages - 1:
        row.append(InlineKeyboardButton(_t(context, update, "coordinator.next"), callback_data=context.button(update, action, page + 1, *args)))
    return row


async def _stale(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(_t(context, update, "error.stale-button"), show_alert=True)


async def _show(update: Update, text: str, keyboard: list[list[InlineKeyboardButton]]) -> None:
    """Reply, or edit the message whose button was pressed; a page longer than Telegram allows is split, never cut."""
    markup = InlineKeyboardMarkup(keyboard) if keyboard else None
    chunks = split(text)
    query = update.callback_query
    if query is not None and len(chunks) == 1:
        await query.answer()
        await query.edit_message_text(chunks[0], reply_markup=markup)
        return
    if query is not None:
        await query.answer()
    message = update.effective_message
    assert message is not None
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await message.get_bot().send_message(message.chat_id, chunk, reply_markup=markup if last else None)


# --- /outstanding ------------------------------------------------------------------------------


def _when(context: BotContext, update: Update, item: ItemRef) -> str:
    services = context.services
    days = v.days_late(item.due_at, services.clock.now(), services.config.campaign.tz)
    if days > 0:
        return _t(context, update, "coordinator.overdue", days=days)
    if days == 0:
        return _t(context, update, "coordinator.due-today")
    return _t(context, update, "coordinator.days-left", days=-days)


async def _outstanding(update: Update, context: BotContext, who: Roles, spec: str, page: int) -> None:
    services = context.services
    request = v.parse_request(services, spec, now=services.clock.now(), unit_ids=who.visible_units)
    if request.error:
        await _show(update, _t(context, update, request.error, word=request.word), [])
        return
    result = v.outstanding(services, request.scope, page=page)
    as_of = _as_of(context, update)
    if not result.total:
        await _show(update, _t(context, update, "outstanding.none", as_of=as_of), [])
        return
    phones = _phones(update, who)
    reports = {r.key: r for r in adhoc.report_types(services)}
    counts = {item.id: n for item, n in result.groups}
    lines = [_t(context, update, "outstanding.title", as_of=as_of, total=result.total)]
    current: int | None = None
    for i, row in enumerate(result.rows):
        if row.item.id != current:
            current = row.item.id
            report, period, due = _item_texts(context, update, row.item, reports)
            lines.append("")
            lines.append(_t(context, update, "outstanding.item", report=report, period=period, due=due, when=_when(context, update, row.item), count=counts[row.item.id]))
        lines.append(_t(context, update, "outstanding.row", n=result.page * v.PAGE_SIZE + i + 1, unit=row.unit_name, liaison=_liaison(context, update, row, phones)))
    if result.pages > 1:
        lines.append("\n" + _t(context, update, "coordinator.page", page=result.page + 1, pages=result.pages))
    if not phones and who.is_coordinator:
        lines.append(_t(context, update, "coordinator.phones-private"))
    pager = _pager(context, update, "out", result.page, result.pages, spec)
    await _show(update, "\n".join(lines), [pager] if pager else [])


@requires(Action.OUTSTANDING)
async def outstanding(update: Update, context: BotContext, who: Roles) -> None:
    """List the units that have not filed: overdue and due within the next days, or a report/period asked for."""
    await _outstanding(update, context, who, _spec(context), 0)


@button(Action.OUTSTANDING)
async def outstanding_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Another page of /outstanding."""
    spec = _recall(context, pressed)
    if spec is None:
        await _stale(update, context)
        return
    await _outstanding(update, context, who, spec, pressed.int_arg(0))


# --- /status -----------------------------------------------------------------------------------


def _counts(c: Counts) -> dict[str, int]:
    return {"on_time": c.on_time, "late": c.late, "open": c.open, "returned": c.returned, "total": c.total}


async def _status(update: Update, context: BotContext, who: Roles, spec: str, page: int) -> None:
    services = context.services
    request = v.parse_request(services, spec, now=services.clock.now(), unit_ids=who.visible_units)
    if request.error:
        await _show(update, _t(context, update, request.error, word=request.word), [])
        return
    result = v.status(services, request.scope, page=page)
    if not result.items:
        await _show(update, _t(context, update, "status.none"), [])
        return
    reports = {r.key: r for r in adhoc.report_types(services)}
    lines = [_t(context, update, "status.title", as_of=_as_of(context, update))]
    keyboard: list[list[InlineKeyboardButton]] = []
    for item, counts in result.items:
        report, period, due = _item_texts(context, update, item, reports)
        lines.append("")
        lines.append(_t(context, update, "status.item", report=report, period=period, due=due, **_counts(counts)))
        keyboard.append([InlineKeyboardButton(_t(context, update, "status.button", report=report, period=period), callback_data=context.button(update, "sti", item.id, 0))])
    if result.pages > 1:
        lines.append("\n" + _t(context, update, "coordinator.page", page=result.page + 1, pages=result.pages))
    pager = _pager(context, update, "st", result.page, result.pages, spec)
    if pager:
        keyboard.append(pager)
    await _show(update, "\n".join(lines), keyboard)


@requires(Action.STATUS)
async def status(update: Update, context: BotContext, who: Roles) -> None:
    """How each report stands per period: on time, late, not yet, returned; tap an item for its units."""
    await _status(update, context, who, _spec(context), 0)


@button(Action.STATUS)
async def status_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Another page of /status."""
    spec = _recall(context, pressed)
    if spec is None:
        await _stale(update, context)
        return
    await _status(update, context, who, spec, pressed.int_arg(0))


@button(Action.STATUS)
async def status_item(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """The units of one due item, by state (not yet first)."""
    services = context.services
    found = v.item_units(services, pressed.int_arg(0), page=pressed.int_arg(1), unit_ids=who.visible_units)
    if found is None:
        await _show(update, _t(context, update, "coordinator.unknown-item"), [])
        return
    language = _lang(context, update)
    tz = services.config.campaign.tz
    phones = _phones(update, who)
    reports = {r.key: r for r in adhoc.report_types(services)}
    report, period, due = _item_texts(context, update, found.item, reports)
    lines = [_t(context, update, "status.units-title", report=report, period=period, due=due, **_counts(found.counts)), ""]
    below = rollup.rollups(services, due_item_id=found.item.id, unit_ids=[r.unit_id for r in found.rows])
    for row in found.rows:
        at = v.format_moment(row.completed_at, language, tz) if row.completed_at else ""
        if row.status.value == "open":
            lines.append(_t(context, update, "status.row-open", unit=row.unit_name, liaison=_liaison(context, update, row, phones)))
        elif row.status.value == "returned":
            lines.append(_t(context, update, "status.row-returned", unit=row.unit_name, liaison=_liaison(context, update, row, phones)))
        elif row.late:
            lines.append(_t(context, update, "status.row-late", unit=row.unit_name, at=at))
        else:
            lines.append(_t(context, update, "status.row-on-time", unit=row.unit_name, at=at))
        if row.unit_id in below:  # units in levels: the 市 files after its 县
            r = below[row.unit_id]
            key = "status.rollup-complete" if r.complete else "status.rollup"
            lines.append(_t(context, update, key, filed=r.filed, total=r.total, missing="、".join(r.missing)))
    if found.pages > 1:
        lines.append("\n" + _t(context, update, "coordinator.page", page=found.page + 1, pages=found.pages))
    pager = []
    if found.page > 0:
        pager.append(InlineKeyboardButton(_t(context, update, "coordinator.prev"), callback_data=context.button(update, "sti", found.item.id, found.page - 1)))
    if found.page < found.pages - 1:
        pager.append(InlineKeyboardButton(_t(context, update, "coordinator.next"), callback_data=context.button(update, "sti", found.item.id, found.page + 1)))
    await _show(update, "\n".join(lines), [pager] if pager else [])
