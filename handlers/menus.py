"""Publish the command menus (`bot.services.people.menus`): the defaults at start, each person's own
when their roles or chosen language change.

`after_update` runs after every update's handlers (group 1): it compares the menu the person should
see with the one last set for them in this process and sets it when it differs. At start every
person who holds or held a role gets theirs (in the background), since roles also change by the
config, the command line or another person's registration.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.context import BotContext, Services
from bot.services.people import access, menus
from bot.services.people.menus import MenuKey
from bot.texts.catalog import LANGUAGES

log = logging.getLogger(__name__)


def _commands(items: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in items]


async def set_defaults(bot: Bot, default_language: str) -> None:
    """What strangers see: the campaign's language without a language_code, each language with its own.

    A menu for all private chats (set by earlier versions) is deleted: it would win over the
    English default for English clients."""
    await bot.set_my_commands(_commands(menus.menu((), default_language)), scope=BotCommandScopeDefault())
    for language in LANGUAGES:
        code = menus.telegram_code(language)
        await bot.set_my_commands(_commands(menus.menu((), language)), scope=BotCommandScopeDefault(), language_code=code)
    for code in ("", *(menus.telegram_code(language) for language in LANGUAGES)):
        await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code=code or None)


async def publish(bot: Bot, services: Services, telegram_user_id: int, key: MenuKey) -> None:
    """Set one person's menus (their private chat's scope), in every client language."""
    chat_menus = menus.chat_menus(key, services.config.language)
    try:
        for code, items in chat_menus.items():
            await bot.set_my_commands(_commands(items), scope=BotCommandScopeChat(telegram_user_id), language_code=code or None)
    except TelegramError as e:  # a chat Telegram does not know (never started): the default menus apply
        log.info("menu for a person not set: %s", e)
        return
    services.caches.menus[telegram_user_id] = key
    await services.writes(menus.record, services, telegram_user_id, menus.digest(chat_menus))


async def publish_all(bot: Bot, services: Services, *, running: Callable[[], bool] = lambda: True) -> None:
    """Every role holder's (and former holder's) menu, as it should be now (until `running()` says the bot stopped).

    A menu already set as it should be (recorded with the digest of what it says) is not set again: a
    restart of a campaign of 10,000 liaisons republished all of them, three requests each."""
    recorded = await services.reads(menus.recorded, services)  # (`stop_background` waits for it, as for `holders`)
    digests: dict[MenuKey, str] = {}
    for holder in await asyncio.to_thread(menus.holders, services, running):
        if not running():  # the bot is stopping: its connections are about to close
            return
        uid, key = holder.telegram_user_id, holder.key
        if services.caches.menus.get(uid) == key:
            continue
        if key not in digests:
            digests[key] = menus.digest(menus.chat_menus(key, services.config.language))
        if recorded.get(uid) == digests[key]:
            services.caches.menus[uid] = key  # set before, as it is now
            continue
        await publish(bot, services, uid, key)


async def after_update(update: Update, context: BotContext) -> None:
    """Give the person who wrote the menu their roles and language call for, if it changed."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    services = context.services
    view = _cannot_change_roles(update)
    if view:
        found = context.known(update)  # the update's own reading: a view changes no one's roles or language
        key = menus.MenuKey(menus.roles_key(access.roles_from(found)), found.language)
    else:
        key = await services.reads(menus.key_now, services, telegram_user_id=user.id)  # afresh: the handler may have just changed the roles
    known = services.caches.menus.get(user.id)
    if known == key or (known is None and key.is_default):
        return
    await publish(context.bot, services, user.id, key)
    # A registration may have replaced someone: their menu changes too. A view replaces no one (its
    # menu differs from the one known only because this process has not set it yet, as after a start).
    # In the background: every role holder is looked at (thousands in a large campaign), and this
    # chat's next update waits for nothing.
    if not view and key.roles != (known.roles if known else ()):
        start_background(context.application, services)


# Commands that only show or send things: they never change the sender's roles or chosen language.
_VIEWS = frozenset({
    "help", "due", "submit", "status", "outstanding", "remind", "review", "liaisons", "export", "compile", "chart",
    "problems", "tasks", "bulletin", "web", "cancel", "announcements",
})


def _cannot_change_roles(update: Update) -> bool:
    """A view command (not /start with an invite, /lang, /me, a conversation's text or button)."""
    text = update.message.text if update.message is not None and update.message.text else ""
    if not text.startswith("/"):
        return False
    return text[1:].split(maxsplit=1)[0].split("@")[0].lower() in _VIEWS


def start_background(app: Any, services: Services) -> None:
    """Publish every role holder's menu without holding up the start or the update that changed roles.

    One run at a time: asked again while one runs, it runs once more after it (roles may have
    changed behind the part it already went through)."""
    caches = services.caches
    if caches.menu_task is not None and not caches.menu_task.done():
        caches.menus_again = True
        return

    async def run() -> None:
        while True:
            caches.menus_again = False
            try:
                await publish_all(app.bot, services, running=lambda: bool(app.running))
            except Exception:  # never let the menus stop the bot; the next update of each person retries theirs
                log.exception("publishing the command menus failed")
            if not caches.menus_again or not app.running:
                return

    caches.menu_task = asyncio.get_running_loop().create_task(run())


async def stop_background(services: Services, *, wait_s: float = 5.0) -> None:
    """After the bot stopped: let the menus' run end (it sees the bot stopped at its next person, its
    read in a thread included), so that no connection is in use when the storage closes."""
    task = services.caches.menu_task
    if task is None or task.done():
        return
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=wait_s)
    except TimeoutError:
        task.cancel()
