"""/invite: a coordinator picks a unit, then a role, and gets a one-time deep link to pass on privately (`bot.services.people.invite_menu`)."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services.people import invite_menu
from bot.services.people.access import Action, Roles
from handlers.guard import button, requires
from handlers.replies import reply


@requires(Action.INVITE, private=True)
async def invite(update: Update, context: BotContext, who: Roles) -> None:
    """/invite: the units to choose from (a page at a time), and the campaign-wide roles."""
    await reply(context, update, await context.services.writes(invite_menu.unit_page, context.services, page=0, pressed=False, language=context.language(update)))


@button(Action.INVITE, private=True)
async def on_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """‹ or ›: another page of units (refused if that page no longer exists)."""
    try:
        page = pressed.int_arg(0)
    except (ValueError, IndexError):
        page = -1
    await reply(context, update, await context.services.writes(invite_menu.unit_page, context.services, page=page, pressed=True, language=context.language(update)))


@button(Action.INVITE, private=True)
async def on_unit(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A unit was chosen: offer its roles (primary or backup liaison)."""
    await reply(context, update, await context.services.writes(invite_menu.unit_roles, context.services, args=pressed.args, language=context.language(update)))


@button(Action.INVITE, private=True)
async def on_role(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A role was chosen: make the invite and show its link (the only time the token is shown)."""
    services = context.services
    replies = await services.writes(invite_menu.make,
        services, person_id=who.person_id, args=pressed.args, bot_username=context.bot.username, language=context.language(update),
        now=services.clock.now(),
    )
    await reply(context, update, replies)
