"""Reminder buttons: remind me later (1 hour, tomorrow 09:00, or a time the user types) (`bot.services.reminders.later`)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.services.reminders import later
from handlers import conversation
from handlers.guard import refuse
from handlers.replies import reply


async def snooze_pressed(update: Update, context: BotContext) -> None:
    """A 'remind me later' button: store the snooze, or ask for a time."""
    assert update.effective_user is not None
    pressed = context.pressed(update)
    if pressed is None or pressed.action != later.ACTION:
        await refuse(update, context, "error.stale-button")
        return
    services = context.services
    replies = await services.writes(later.press,
        services, telegram_user_id=update.effective_user.id, args=pressed.args, language=context.language(update), now=services.clock.now()
    )
    await reply(context, update, replies)


@conversation.flow(later.FLOW)
async def snooze_typed(update: Update, context: BotContext, current: conversation.Current) -> None:
    """The time typed after 'another time…': understood by `schedules.parse_when`."""
    assert update.message is not None and update.effective_user is not None
    services = context.services
    replies = await services.writes(later.answer,
        services, person_id=current.person_id, telegram_user_id=update.effective_user.id, data=current.data,
        text=update.message.text or "", language=context.language(update), now=services.clock.now(),
    )
    await reply(context, update, replies)
