"""Send a service's `Reply` objects: long texts split within Telegram's limit, buttons signed, files attached.

`reply(context, update, replies)` is the one way a handler answers: for a pressed button it
answers the callback query (with a reply's `alert` or `toast`, else silently) and lets `edit` replies
replace the pressed message; everything else is sent. After a reply's text come its stored
attachments (by id), then the documents made for it (the blank 附件1).
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.error import BadRequest

from bot.botapi_client import unread
from bot.context import BotContext
from bot.replies import Reply, split
from bot.services import notify
from bot.services.submissions import files


async def _send_to(context: BotContext, reply: Reply) -> None:
    assert reply.to is not None
    chunks = split(reply.text)
    for i, chunk in enumerate(chunks):
        markup = keyboard(context, reply.to.telegram_user_id, reply) if i == len(chunks) - 1 else None
        if await notify.send_to_person(context.services, context.bot, reply.to, chunk, reply_markup=markup) is None:
            return


def keyboard(context: BotContext, user_id: int, reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons, with callback data signed for `user_id`."""
    if not reply.buttons:
        return None
    pack = context.services.buttons.pack
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=pack(user_id, b.action, *b.args)) for b in row] for row in reply.buttons]
    )


async def _edit(context: BotContext, query: CallbackQuery, user_id: int, reply: Reply) -> list[str]:
    """Replace the pressed message with the reply's first chunk (editMessageText); the chunks left to send."""
    if not reply.text:  # keep the text, drop the buttons (PTB adds parse_mode to editMessageReplyMarkup, which the API does not know)
        message = query.message
        if isinstance(message, Message) and message.text:
            await query.edit_message_text(message.text_html)
        return []
    chunks = split(reply.text)
    try:
        await query.edit_message_text(chunks[0], reply_markup=keyboard(context, user_id, reply) if len(chunks) == 1 else None)
    except BadRequest as e:
        if "not modified" not in str(e).lower():
            raise
        # the same page pressed again (a pager's n/N): the message already shows it
    return chunks[1:]


async def send(context: BotContext, chat_id: int, user_id: int, replies: list[Reply], *, query: CallbackQuery | None = None) -> None:
    """Send each reply (an `edit` one replaces the pressed message of `query`); a text over 4096 characters goes as several messages, the buttons on the last."""
    for reply in replies:
        if reply.to is not None:
            await _send_to(context, reply)
            continue
        with unread():  # what Telegram answers is not read: the message's id is all it would give
            chunks = await _edit(context, query, user_id, reply) if reply.edit and query is not None else split(reply.text) if reply.text else []
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1
                await context.bot.send_message(chat_id, chunk, reply_markup=keyboard(context, user_id, reply) if last else None)
        for attachment in await context.services.reads(files.by_ids, context.services, reply.attachment_ids) if reply.attachment_ids else []:
            data = await asyncio.to_thread(files.read, context.services, attachment)  # (a file read from disk)
            await context.bot.send_document(chat_id, InputFile(data, filename=attachment.file_name or "file"))
        for document in reply.documents:
            await context.bot.send_document(chat_id, InputFile(document.data, filename=document.name))


async def reply(context: BotContext, update: Update, replies: list[Reply]) -> None:
    """Answer the update with the replies: a pressed button is answered first (its alert, or silently)."""
    assert update.effective_chat and update.effective_user
    query = update.callback_query
    if query is not None:
        alert = next((r.alert for r in replies if r.alert), None)
        toast = next((r.toast for r in replies if r.toast), None)
        await (query.answer(alert, show_alert=True) if alert else query.answer(toast) if toast else query.answer())
    await send(context, update.effective_chat.id, update.effective_user.id, replies, query=query)
