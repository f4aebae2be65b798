"""/liaisons: the roster for coordinators (with mobiles) and leaders (names only), paged by buttons (`bot.services.people.roster`)."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services.people import roster
from bot.services.people.access import Action, Roles
from handlers.guard import button, requires
from handlers.replies import reply


@requires(Action.LIAISONS, private=True)
async def liaisons(update: Update, context: BotContext, who: Roles) -> None:
    """/liaisons: the first page of the roster."""
    services = context.services
    await reply(context, update, await services.writes(roster.page, services, who, number=0, pressed=False, language=context.language(update), now=services.clock.now()))


@button(Action.LIAISONS, private=True)
async def on_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Another page of the roster (refused if the page no longer exists)."""
    services = context.services
    try:
        number = pressed.int_arg(0)
    except (ValueError, IndexError):
        number = -1
    replies = await services.writes(roster.page, services, who, number=number, pressed=True, language=context.language(update), now=services.clock.now())
    await reply(context, update, replies)
