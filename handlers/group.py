"""Commands in group chats: /group (a coordinator turns the daily summary on or off there); any other
command gets one short answer pointing to the private chat (registered people) or silence (strangers),
never data. Runs before every other handler (group -2) and stops them for group chats."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.services.notices import group as service
from bot.services.people import access
from handlers.replies import reply


async def on_group_command(update: Update, context: BotContext) -> None:
    """/group by a coordinator; otherwise a short answer (or nothing), and no other handler runs."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or not message.text:
        raise ApplicationHandlerStop
    word, _, rest = message.text.partition(" ")
    command, _, addressed = word.lstrip("/").partition("@")
    if addressed and context.bot.username and addressed.lower() != context.bot.username.lower():
        raise ApplicationHandlerStop  # another bot's command
    services = context.services
    who = await services.reads(access.roles_of, services, user.id)
    language = services.config.language  # a group reads the campaign's language
    if command.lower() == "group" and who.is_coordinator:
        await reply(context, update, await services.writes(
            service.configure, services, who, chat_id=chat.id, title=chat.title or "", arg=rest, language=language, now=services.clock.now(),
        ))
    elif command.lower() == "group" and who.is_registered:
        await message.reply_text(context.text(update, "group.not-here"))
    elif who.is_registered:
        await message.reply_text(context.text(update, "error.private-only"))
    raise ApplicationHandlerStop
