"""/deadline: add an ad-hoc deadline in a short conversation (`bot.services.deadlines.conversation`)."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services.deadlines import conversation as service
from bot.services.notices import jobs as notices
from bot.services.people.access import Action, Roles
from bot.services.reminders import timer
from handlers import conversation
from handlers.conversation import Current
from handlers.guard import allowed, button, requires
from handlers.replies import reply


@requires(Action.DEADLINE, private=True)
async def deadline(update: Update, context: BotContext, who: Roles) -> None:
    """Start the conversation: ask for the title."""
    replies = await context.services.writes(service.start, context.services, who, language=context.language(update), now=context.services.clock.now())
    await reply(context, update, replies)


@conversation.flow(service.FLOW)
async def on_message(update: Update, context: BotContext, current: Current) -> None:
    """A typed answer: the title, the units, or the deadline."""
    assert update.message
    who = await allowed(update, context, Action.DEADLINE, private=True)
    if who is None:
        return
    services = context.services
    text = update.message.text or ""
    replies = await services.writes(service.answer, services, who, current.data, current.state, text, language=context.language(update), now=services.clock.now())
    await reply(context, update, replies)


@button(Action.DEADLINE, private=True)
async def on_button(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A press in the conversation: unit groups, template, confirm or cancel."""
    services = context.services
    replies = await services.writes(service.press, services, who, pressed.args, language=context.language(update), now=services.clock.now())
    created = pressed.args[:1] == (service.CREATE,)
    if created:
        await timer.rearm(context.application, after=services.clock.now())  # its reminders may come before the timer's next moment
    await reply(context, update, replies)
    if created:
        notices.soon(context.application)  # tell the liaisons of the units that owe it
