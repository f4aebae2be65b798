"""Errors: log them (never the token, never personal data) and answer the user politely.

Every update gets an answer or a deliberate silence: a failure in a private chat is answered
from the catalog; in a group the bot stays silent. The database being away is not a bug: the
user is told once to try again in a minute and their message is kept and handled again when
the database is back (`bot.services.outage`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.context import SERVICES_KEY, BotContext, Services
from bot.services import notify, outage
from bot.texts.catalog import t

log = logging.getLogger(__name__)

REPLAY_JOB = "outage-replay"
# The apology for a reply Telegram failed: tried through a burst of 5xx of up to 2 minutes (the
# update stays in flight meanwhile, unconfirmed), rather than leave the user without any answer.
APOLOGY_TRIES = 30
SHOWN_MAX = 300  # characters of a message quoted back when it must be sent again


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with the update's ids only, and answer the user (an outage: see the module)."""
    if outage.is_outage(context.error):
        if not isinstance(update, Update):  # a job (the reminders' sweep): the next run does it again
            log.warning("a job met the database away: %s", type(context.error).__name__)
            return
        await _outage(update, context)
        raise ApplicationHandlerStop  # the later handler groups would only meet it again
    ids = ""
    if isinstance(update, Update):
        ids = f"update {update.update_id} chat {update.effective_chat.id if update.effective_chat else '-'}"
    if isinstance(context.error, NetworkError) and not isinstance(context.error, BadRequest):
        # Telegram or the network failed a reply (5xx, a dropped connection): not a fault of ours; apologise
        log.warning("Telegram or the network failed while handling %s: %r", ids or "a job", context.error)
    else:
        log.error("error while handling %s", ids or "a job", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            if update.effective_user is not None and not context.knows(update.effective_user.id):
                await context.reread(update)  # (the error handler has a context of its own) the apology in their language
            if update.callback_query is not None:
                await update.callback_query.answer(context.text(update, "error.generic"), show_alert=True)
            else:  # tried again on a transient error: the user must get an answer
                await notify.send_with_retries(context.bot, update.effective_chat.id, context.text(update, "error.generic"), tries=APOLOGY_TRIES)
        except Exception:  # the apology itself failing must not loop back here
            log.warning("could not send the error apology", exc_info=True)


async def _outage(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    services = context.services
    log.warning("database unreachable while handling update %s: %s", update.update_id, type(context.error).__name__)
    if chat is None or chat.type != "private":
        return  # a group: silence (nothing there is kept)
    language = _language(update, services)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t(language, "reliability.db-down-press"), show_alert=True)
            return
        message = update.message or update.edited_message  # (an edit too: kept, then read as edits are)
        if message is None:
            return
        if outage.keep(services, update):
            _arm_replay(context)
            if outage.first_time(services, chat.id):
                await context.bot.send_message(chat.id, t(language, "reliability.db-down"))
        elif message.text is not None:
            text = message.text if len(message.text) <= SHOWN_MAX else message.text[:SHOWN_MAX] + "…"
            await context.bot.send_message(chat.id, t(language, "reliability.db-down-resend", text=text))
        else:
            name = message.document.file_name if message.document and message.document.file_name else "—"
            await context.bot.send_message(chat.id, t(language, "reliability.db-down-resend-file", name=name))
    except TelegramError:
        log.warning("could not tell a user about the outage", exc_info=True)


def _language(update: Update, services: Services) -> str:
    """The user's Telegram language (their stored choice cannot be read while the database is away)."""
    user = update.effective_user
    return services.language_of(None, user.language_code if user else None)


def _arm_replay(context: BotContext) -> None:
    queue = context.application.job_queue
    if queue is not None and not queue.get_jobs_by_name(REPLAY_JOB):
        queue.run_repeating(_replay, interval=outage.REPLAY_EVERY_S, first=outage.REPLAY_EVERY_S, name=REPLAY_JOB)


async def _replay(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The database back: handle the kept messages again, in order; then stop trying."""
    services: Services = context.application.bot_data[SERVICES_KEY]
    if not await asyncio.to_thread(outage.database_back, services):  # (a ping: off the loop, as every database call)
        return
    if context.job is not None:
        context.job.schedule_removal()
    kept: list[Any] = outage.take_all(services)
    log.info("database back: handling %d message(s) kept during the outage", len(kept))
    for update in kept:
        try:
            await context.application.process_update(update)
        finally:
            outage.replayed(services, update.update_id)


async def stale_button(update: Update, context: BotContext) -> None:
    """A button this bot no longer understands: say so rather than act on it."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
