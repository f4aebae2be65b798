"""Send a service's `Reply` objects: long texts split within Telegram's limit, buttons signed, files attached.

After a reply's text come its stored attachments (by id), then the documents made for it (the blank 附件1).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile

from bot.context import BotContext
from bot.services import notify
from bot.services.submissions import files
from bot.replies import split
from bot.replies import Reply


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


async def send(context: BotContext, chat_id: int, user_id: int, replies: list[Reply]) -> None:
    """Send each reply; a text over 4096 characters goes as several messages, the buttons on the last.

    A reply addressed to someone else (`Reply.to`: the unit head asked to sign off) goes to that
    person privately through `notify.send_to_person` (a 403 marks them unreachable)."""
    for reply in replies:
        if reply.to is not None:
            await _send_to(context, reply)
            continue
        chunks = split(reply.text)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            await context.bot.send_message(chat_id, chunk, reply_markup=keyboard(context, user_id, reply) if last else None)
        if reply.attachment_ids:
            with context.services.storage.session() as s:
                from bot.storage import submissions

                found = submissions.attachments_by_ids(s, attachment_ids=reply.attachment_ids)
            for attachment in found:
                data = files.read(context.services, attachment)
                await context.bot.send_document(chat_id, InputFile(data, filename=attachment.file_name or "file"))
        for document in reply.documents:
            await context.bot.send_document(chat_id, InputFile(document.data, filename=document.name))
