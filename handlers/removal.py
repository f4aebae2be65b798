"""/backups (remove a backup liaison) and /invites (revoke an unused invite): coordinators, in private."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services.people import removal_menu as service
from bot.services.people.access import Action, Roles
from handlers.guard import button, requires
from handlers.replies import reply

BUTTONS = rf"^({service.BACKUP}|{service.INVITE})\|"


@requires(Action.INVITE, private=True)
async def backups(update: Update, context: BotContext, who: Roles) -> None:
    await reply(context, update, await context.services.writes(service.backups, context.services, who, language=context.language(update)))


@requires(Action.INVITE, private=True)
async def invites(update: Update, context: BotContext, who: Roles) -> None:
    services = context.services
    await reply(context, update, await services.writes(service.invites, services, who, language=context.language(update), now=services.clock.now()))


@button(Action.INVITE, private=True)
async def on_button(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    services = context.services
    args = tuple(str(a) for a in pressed.args)
    press = service.press_backup if pressed.action == service.BACKUP else service.press_invite
    await reply(context, update, await services.writes(press, services, who, args, language=context.language(update), now=services.clock.now()))
