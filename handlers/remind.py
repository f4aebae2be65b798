"""/remind (一键催办): a coordinator picks a report and a period, sees who will be nudged, confirms."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.services.people import access
from bot.services.reminders import nudge
from bot.services.deadlines.reports import fetch_report, report_title
from bot.texts.catalog import t, tn
from handlers import guard

log = logging.getLogger(__name__)


def _allowed(update: Update, context: BotContext) -> access.Roles | None:
    """The user's roles if they may nudge (a coordinator of one level: their subtree)."""
    assert update.effective_user is not None
    who = guard.roles_for(update, context)
    return who if who.may(access.Action.REMIND) else None


async def remind(update: Update, context: BotContext) -> None:
    """Offer the reports that have units to nudge."""
    assert update.message is not None
    who = _allowed(update, context)
    if who is None:
        await update.message.reply_text(context.text(update, "error.not-allowed"))
        return
    found = await context.services.writes(nudge.nudgeable, context.services, now=context.services.clock.now(), unit_ids=who.visible_units)
    if not found:
        await update.message.reply_text(context.text(update, "remind.nothing"))
        return
    language = context.language(update)
    rows = [
        [InlineKeyboardButton(report_title(await fetch_report(context.services, key), language), callback_data=context.button(update, "rmr", key))]
        for key in found
    ]
    await update.message.reply_text(context.text(update, "remind.choose-report"), reply_markup=InlineKeyboardMarkup(rows))


async def pressed(update: Update, context: BotContext) -> None:
    """The steps of /remind: report → period → preview → confirm."""
    query = update.callback_query
    assert query is not None
    button = context.pressed(update)
    who = _allowed(update, context)
    if button is None or not button.args and button.action != "rmx" or who is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    scope = who.visible_units
    services = context.services
    now = services.clock.now()
    language = context.language(update)
    await query.answer()
    if button.action == "rmx":
        await query.edit_message_text(context.text(update, "remind.cancelled"))
    elif button.action == "rmr":
        key = button.args[0]
        items = (await services.writes(nudge.nudgeable, services, now=now, report_key=key, unit_ids=scope)).get(key, [])[:8]
        if not items:
            await query.edit_message_text(context.text(update, "remind.nothing"))
            return
        rows = [
            [InlineKeyboardButton(context.text(update, "remind.period-button", period=item.period_label, count=count), callback_data=context.button(update, "rmp", item.id or 0))]
            for item, count in items
        ]
        title = report_title(await fetch_report(services, key), language)
        await query.edit_message_text(context.text(update, "remind.choose-period", title=title), reply_markup=InlineKeyboardMarkup(rows))
    elif button.action == "rmp":
        plan = await services.reads(nudge.plan_nudge, services, due_item_id=button.int_arg(0), now=now, unit_ids=scope)
        if plan is None:
            await query.edit_message_text(context.text(update, "error.stale-button"))
            return
        title = report_title(await fetch_report(services, plan.item.report_key), language)
        lines = [tn(context.language(update), "remind.preview", len(plan.units), title=title, period=plan.item.period_label)]
        tz = services.config.campaign.tz
        interval = services.config.reminders.nudge_interval
        for unit, when in plan.refused:
            lines.append(context.text(update, "remind.refused-line", unit=unit, when=when.astimezone(tz).strftime("%m-%d %H:%M"), interval=_duration(interval)))
        if plan.quiet:
            lines.append(context.text(update, "remind.quiet"))
        buttons = [InlineKeyboardButton(context.text(update, "remind.cancel"), callback_data=context.button(update, "rmx"))]
        if plan.units:
            buttons.insert(0, InlineKeyboardButton(context.text(update, "remind.confirm"), callback_data=context.button(update, "rmc", plan.item.id or 0)))
        await query.edit_message_text("\n".join(lines), reply_markup=InlineKeyboardMarkup([buttons]))
    elif button.action == "rmc":
        plan = await services.reads(nudge.plan_nudge, services, due_item_id=button.int_arg(0), now=now, unit_ids=scope)
        if plan is None or not plan.units:
            await query.edit_message_text(context.text(update, "remind.none-to-nudge"))
            return
        shown = await query.edit_message_text(tn(context.language(update), "reliability.remind-sending", len(plan.units)))
        # the sending runs in the background: the coordinator (and everyone else) is answered at once
        context.application.create_task(
            _nudge_in_background(context, chat_id=shown.chat_id if isinstance(shown, Message) else None,
                                 message_id=shown.message_id if isinstance(shown, Message) else None,
                                 due_item_id=button.int_arg(0), scope=scope, language=language),
            update=update, name="remind-nudge",
        )


async def _nudge_in_background(
    context: BotContext, *, chat_id: int | None, message_id: int | None, due_item_id: int, scope: frozenset[int] | None, language: str
) -> None:
    """Nudge the plan's units (claims: each once), then show the outcome in place of "sending…"."""
    services = context.services
    try:
        plan, summary = await nudge.nudge(services, context.bot, due_item_id=due_item_id, now=services.clock.now(), unit_ids=scope)
        if plan is None or not plan.units:
            text = t(language, "remind.none-to-nudge")
        else:
            text = t(language, "remind.done", sent=summary.sent, unreachable=summary.unreachable, failed=summary.failed)
    except Exception:
        log.exception("a /remind nudge failed")
        text = t(language, "error.generic")
    if chat_id is None or message_id is None:
        return
    try:
        await context.bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
    except TelegramError:
        await context.bot.send_message(chat_id, text)


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if rest else f"{hours}h"
