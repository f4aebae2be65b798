"""/notify (how a coordinator hears of filings); filing notices started right after a filing."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services.notices import filings, jobs
from bot.services.people.access import Action, Roles
from handlers.guard import button, requires
from handlers.replies import reply

NOTIFY_BUTTONS = rf"^{filings.ACTION}\|"


@requires(Action.NOTICES, private=True)
async def notify(update: Update, context: BotContext, who: Roles) -> None:
    """Show the choice: at once or in the digest."""
    await reply(context, update, await context.services.writes(filings.show, context.services, who, language=context.language(update)))


@button(Action.NOTICES, private=True)
async def on_notify(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    services = context.services
    if not pressed.args:
        await reply(context, update, [])
        return
    await reply(context, update, await services.writes(filings.choose, services, who, str(pressed.args[0]), language=context.language(update), now=services.clock.now()))


def after_filing(context: BotContext) -> None:
    """Something may have been filed: tell the coordinators who asked to hear at once."""
    jobs.soon(context.application)
