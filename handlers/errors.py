"""Errors: log them (never the token, never personal data) and answer the user politely."""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with the update's ids only, and tell the user nothing they typed is lost."""
    ids = ""
    if isinstance(update, Update):
        ids = f"update {update.update_id} chat {update.effective_chat.id if update.effective_chat else '-'}"
    log.error("error while handling %s", ids or "a job", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await context.bot.send_message(update.effective_chat.id, context.text(update, "error.generic"))
        except Exception:  # the apology itself failing must not loop back here
            log.warning("could not send the error apology", exc_info=True)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button this bot no longer understands: say so rather than act on it."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
