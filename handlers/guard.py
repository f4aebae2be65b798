"""The guard every command, button and flow message passes: `bot.services.people.access` decides, this enforces.

    @requires(Action.SUBMIT)
    async def submit(update, context, who): ...            # who: access.Roles

    @requires(Action.REVIEW, private=True)                 # personal data: private chats only
    async def review(update, context, who): ...

    @button(Action.INVITE)                                 # callback data signed by context.button
    async def invite_unit(update, context, who, pressed): ...   # pressed: the verified Button

A refused command gets `error.not-allowed` (or `error.private-only` in a group); a forged,
altered or foreign button gets `error.stale-button` and is never acted on. Unit-level checks
stay in the handler: `who.may(Action.SUBMIT, unit_id=...)`. A user marked unreachable (403)
becomes reachable again here, the moment they write to the bot.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec

from telegram import Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.services.people import access, contact
from bot.services.people.access import Action, Roles
from bot.buttons import Button

P = ParamSpec("P")
CommandHandler = Callable[Concatenate[Update, BotContext, Roles, P], Awaitable[None]]
ButtonHandler = Callable[Concatenate[Update, BotContext, Roles, Button, P], Awaitable[None]]
Guarded = Callable[Concatenate[Update, BotContext, P], Coroutine[Any, Any, None]]  # what PTB's handlers take


def is_private(update: Update) -> bool:
    """Whether the update comes from a private chat."""
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def refuse(update: Update, context: BotContext, key: str) -> None:
    """Say no: as an alert on a button, as a reply to a message."""
    text = context.text(update, key)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def know(update: Update, context: BotContext) -> None:
    """Before every handler: who the user is (`context.known`), read in a worker thread, unless the
    update's claim read it already (`bot.ops.updates`); and marked reachable again if a 403 had marked
    them otherwise (in a private chat, where a 403 comes from). No handler then reads it on the loop."""
    user = update.effective_user
    if user is None:
        return
    if not context.knows(user.id):
        await context.reread(update)
    who = access.roles_from(context.known(update))
    if not who.reachable and who.person_id is not None and is_private(update):
        services = context.services
        await services.writes(contact.mark_reachable, services, person_id=who.person_id, now=services.clock.now())
        await context.reread(update)


def roles_for(update: Update, context: BotContext) -> Roles:
    """The user's roles (read once per update). Reachability is `know`'s: a private message makes a
    person reachable again; a command in a group says nothing of whether the bot may write to them."""
    assert update.effective_user is not None
    who = context.cached.get("roles")
    if isinstance(who, Roles):
        return who
    who = access.roles_from(context.known(update))
    context.cached["roles"] = who
    return who


async def allowed(update: Update, context: BotContext, action: Action, *, private: bool = False) -> Roles | None:
    """The user's roles if they may do `action` here; otherwise they are told why and None is returned."""
    if update.effective_user is None:
        return None
    who = roles_for(update, context)
    if not who.may(action):
        await refuse(update, context, "error.not-allowed" if who.is_registered else "access.not-registered")
        return None
    if private and not is_private(update):
        await refuse(update, context, "error.private-only")
        return None
    return who


def requires(action: Action, *, private: bool = False) -> Callable[[CommandHandler[P]], Guarded[P]]:
    """Decorate a command (or message) handler: it runs only for users who may do `action`."""

    def wrap(handler: CommandHandler[P]) -> Guarded[P]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext, *args: P.args, **kwargs: P.kwargs) -> None:
            who = await allowed(update, context, action, private=private)
            if who is not None:
                await handler(update, context, who, *args, **kwargs)

        setattr(guarded, "action", action)  # noqa: B010  (the authorization matrix test reads it)
        return guarded

    return wrap


def gate(action: Action, handler: Callable[[Update, BotContext], Awaitable[None]]) -> Guarded[[]]:
    """Guard a plain `(update, context)` handler (e.g. /start, /help): it runs only if the user may do `action`."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        if await allowed(update, context, action) is not None:
            await handler(update, context)

    setattr(guarded, "action", action)  # noqa: B010
    return guarded


def button(action: Action, *, private: bool = False) -> Callable[[ButtonHandler[P]], Guarded[P]]:
    """Decorate a callback handler: the button must verify (`context.pressed`) and the user may do `action`."""

    def wrap(handler: ButtonHandler[P]) -> Guarded[P]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext, *args: P.args, **kwargs: P.kwargs) -> None:
            pressed = context.pressed(update)
            if pressed is None:
                await refuse(update, context, "error.stale-button")
                return
            who = await allowed(update, context, action, private=private)
            if who is not None:
                await handler(update, context, who, pressed, *args, **kwargs)

        setattr(guarded, "action", action)  # noqa: B010
        return guarded

    return wrap
