"""Plain messages (text, files, photos) in a private chat go to the user's conversation in progress.

Conversations are drafts in the database (`bot.services.drafts`), so a restart of the bot in
the middle of one loses nothing. A flow module registers the handler for its flow name with
`@flow("registration")`; a message with no conversation in progress goes to the fallback
(`set_fallback`), which by default explains what the user can send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update

from bot.context import BotContext


@dataclass
class Current:
    """The conversation a message belongs to."""

    person_id: int
    flow: str
    state: str
    data: dict[str, Any]


FlowHandler = Callable[[Update, BotContext, Current], Awaitable[None]]
Fallback = Callable[[Update, BotContext], Awaitable[None]]

_FLOWS: dict[str, FlowHandler] = {}


async def _explain(update: Update, context: BotContext) -> None:
    assert update.message
    await update.message.reply_text(context.text(update, "conversation.no-flow"))


_fallback: list[Fallback] = [_explain]


def flow(name: str) -> Callable[[FlowHandler], FlowHandler]:
    """Register the handler of a flow's messages."""

    def register(handler: FlowHandler) -> FlowHandler:
        if name in _FLOWS and _FLOWS[name] is not handler:
            raise ValueError(f"flow {name!r} registered twice")
        _FLOWS[name] = handler
        return handler

    return register


def set_fallback(handler: Fallback) -> None:
    """What to do with a message when no conversation is in progress."""
    _fallback[0] = handler


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command nobody handles: say so, in private chats (in groups other bots' commands are not ours)."""
    if update.message is None or update.effective_chat is None or update.effective_chat.type != "private":
        return
    command = (update.message.text or "").split()[0].split("@")[0]
    await update.message.reply_text(context.text(update, "conversation.unknown-command", command=command))


async def unsupported(update: Update, context: BotContext) -> None:
    """A sticker, voice note, video, location … in a private chat: say what the bot can take."""
    if update.message is not None:
        await update.message.reply_text(context.text(update, "conversation.unsupported"))


async def on_message(update: Update, context: BotContext) -> None:
    """Route a private message to its conversation, or to the fallback."""
    assert update.effective_user
    known = context.known(update)  # the drafts as this update found them (one read per update)
    if known.person_id is not None and known.drafts:
        draft = known.drafts[0]
        handler = _FLOWS.get(draft.flow)
        if handler is not None:
            await handler(update, context, Current(known.person_id, draft.flow, draft.state, dict(draft.data)))
            return
    await _fallback[0](update, context)
