"""Reminder buttons: remind me later (1 hour, tomorrow 09:00, or a time the user types).

One pending snooze per due item, unit and person: pressing again moves it, and the user is told
the new time (and the one it replaces).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from telegram import Update

from bot.context import BotContext
from bot.services.reminders import snoozes
from bot.services import drafts
from handlers import conversation
from schedules import parse_when

FLOW = "snooze"


def _local(context: BotContext, at: datetime) -> str:
    return at.astimezone(context.services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")


def _confirmation(update: Update, context: BotContext, done: snoozes.Snoozed) -> str:
    """'I will remind you at …', or, when a pending snooze was moved, 'moved to … (instead of …)'."""
    if done.moved_from is not None:
        return context.text(update, "reminders.snooze-moved", when=_local(context, done.at), before=_local(context, done.moved_from))
    return context.text(update, "reminders.snooze-set", when=_local(context, done.at))


async def snooze_pressed(update: Update, context: BotContext) -> None:
    """A 'remind me later' button: store the snooze, or ask for a time."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    button = context.pressed(update)
    if button is None or button.action != "snz" or len(button.args) != 2:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    services = context.services
    now = services.clock.now()
    reminder_id, choice = button.int_arg(0), button.args[1]
    if choice == "ask":
        drafts.begin(services, telegram_user_id=update.effective_user.id, flow=FLOW, state="when", data={"reminder_id": reminder_id}, now=now)
        await query.answer()
        await context.bot.send_message(update.effective_user.id, context.text(update, "reminders.snooze-ask"))
        return
    tz = services.config.campaign.tz
    if choice == "1h":
        at = now + timedelta(hours=1)
    else:
        tomorrow = now.astimezone(tz).date() + timedelta(days=1)
        at = datetime.combine(tomorrow, time(9, 0), tzinfo=tz).astimezone(UTC)
    done = snoozes.snooze(services, reminder_id=reminder_id, telegram_user_id=update.effective_user.id, at=at, now=now)
    if done is None:
        await query.answer(context.text(update, "reminders.snooze-gone"), show_alert=True)
        return
    confirmation = _confirmation(update, context, done)
    await query.answer(confirmation)
    await context.bot.send_message(update.effective_user.id, confirmation)


@conversation.flow(FLOW)
async def snooze_typed(update: Update, context: BotContext, current: conversation.Current) -> None:
    """The time typed after 'another time…': understood by `schedules.parse_when`."""
    assert update.message is not None and update.effective_user is not None
    services = context.services
    now = services.clock.now()
    tz = services.config.campaign.tz
    text = update.message.text or ""
    when = parse_when(text, now=now, tz=tz) if text else None
    if when is None:
        await update.message.reply_text(context.text(update, "reminders.snooze-not-understood", text=text))
        return
    at = when.moment or datetime.combine(when.day, time(9, 0), tzinfo=tz).astimezone(UTC)
    if at <= now:
        await update.message.reply_text(context.text(update, "reminders.snooze-past"))
        return
    reminder_id = int(str(current.data.get("reminder_id", 0)))
    done = snoozes.snooze(services, reminder_id=reminder_id, telegram_user_id=update.effective_user.id, at=at, now=now)
    drafts.delete(services, person_id=current.person_id, flow=FLOW)
    if done is None:
        await update.message.reply_text(context.text(update, "reminders.snooze-gone"))
        return
    await update.message.reply_text(_confirmation(update, context, done))
