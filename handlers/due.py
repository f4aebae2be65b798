"""/due: what the liaison's unit owes, with status and due dates."""

from __future__ import annotations


from telegram import Update

from bot.context import BotContext
from bot.services.people import access
from bot.buttons import Button
from bot.services.submissions.due_view import due_list, due_page
from handlers import guard
from handlers.replies import reply, send


@guard.requires(access.Action.DUE, private=True)
async def due_command(update: Update, context: BotContext, roles: access.Roles) -> None:
    """List overdue items and those due within 45 days, each with a button to file it."""
    assert update.effective_user and update.effective_chat and update.message
    if not roles.is_liaison:
        await update.message.reply_text(context.text(update, "due.not-liaison"))
        return
    replies = await context.services.reads(due_list, context.services, roles, language=context.language(update), now=context.services.clock.now())
    await send(context, update.effective_chat.id, update.effective_user.id, replies)


@guard.button(access.Action.DUE, private=True)
async def on_page(update: Update, context: BotContext, roles: access.Roles, pressed: Button) -> None:
    """◀ ▶ under a unit's /due: another page of its buttons, in place."""
    services = context.services
    try:
        if pressed.int_arg(0) not in roles.units():  # another unit's list
            await guard.refuse(update, context, "error.not-allowed")
            return
        replies = await services.reads(due_page, services, roles, pressed.int_arg(0), pressed.int_arg(1), language=context.language(update), now=services.clock.now())
    except (LookupError, ValueError, IndexError):
        await guard.refuse(update, context, "error.stale-button")
        return
    await reply(context, update, replies)
