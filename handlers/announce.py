"""/announce (a notice with receipts), its conversation and buttons; /announcements (receipts, nudge);
the liaison's receipt button (回执)."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.replies import Reply
from bot.services import drafts
from bot.services.notices import announce as service
from bot.services.notices import broadcast, jobs, receipts
from bot.services.people.access import Action, Roles
from handlers import conversation
from handlers.conversation import Current
from handlers.guard import allowed, button, requires
from handlers.replies import reply
from handlers.submit import downloaded, incoming_file

BUTTONS = rf"^{service.ACTION}\|"
RECEIPT_BUTTONS = rf"^({receipts.ACTION}|{broadcast.ACK})\|"


@requires(Action.NOTICES, private=True)
async def announce(update: Update, context: BotContext, who: Roles) -> None:
    """Start a notice: ask for its text."""
    services = context.services
    await reply(context, update, await services.writes(service.start, services, who, language=context.language(update), now=services.clock.now()))


@conversation.flow(service.FLOW)
async def on_message(update: Update, context: BotContext, current: Current) -> None:
    """The notice's text, or a file of it."""
    assert update.message
    who = await allowed(update, context, Action.NOTICES, private=True)
    if who is None:
        return
    services = context.services
    language, now = context.language(update), services.clock.now()
    if current.state != "text":
        await update.message.reply_text(context.text(update, "notices.announce-use-buttons"))
        return
    incoming = incoming_file(update.message)
    if incoming is not None:
        attachment = await downloaded(update, context, incoming, now=now)
        if attachment is None:
            return
        assert attachment.id is not None
        replies = await services.writes(service.file, services, who, current.data, attachment.id, incoming.file_name, language=language, now=now)
    else:
        replies = await services.writes(service.text, services, who, current.data, update.message.text or "", language=language, now=now)
    await reply(context, update, replies)


@button(Action.NOTICES, private=True)
async def on_button(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Next, who, send, cancel."""
    services = context.services
    assert who.person_id is not None
    draft = await services.reads(drafts.get, services, person_id=who.person_id, flow=service.FLOW)
    if draft is None:
        await reply(context, update, [Reply("", alert=context.text(update, "error.stale-button"))])
        return
    args = tuple(str(a) for a in pressed.args)
    replies = await services.writes(service.press, services, who, dict(draft.data), draft.state, args, language=context.language(update), now=services.clock.now())
    await reply(context, update, replies)
    if args[:1] == (service.SEND,):
        jobs.soon(context.application)  # out to the liaisons, through the broadcast lane


@requires(Action.NOTICES, private=True)
async def announcements(update: Update, context: BotContext, who: Roles) -> None:
    """The recent notices and their receipts."""
    await reply(context, update, await context.services.writes(receipts.listing, context.services, who, language=context.language(update)))


async def on_receipt_button(update: Update, context: BotContext) -> None:
    """A coordinator's look at one notice or its nudge; a liaison's receipt."""
    pressed = context.pressed(update)
    if pressed is not None and pressed.action == broadcast.ACK:
        await _ack(update, context)
    else:
        await _receipts(update, context)


@button(Action.RECEIPT)
async def _ack(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    services = context.services
    try:
        announcement_id = pressed.int_arg(0)
    except (IndexError, ValueError):
        await reply(context, update, [Reply("", alert=context.text(update, "error.stale-button"))])
        return
    await reply(context, update, await services.writes(broadcast.acknowledge, services, who, announcement_id, language=context.language(update), now=services.clock.now()))


@button(Action.NOTICES, private=True)
async def _receipts(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    services = context.services
    language = context.language(update)
    try:
        op, announcement_id = str(pressed.args[0]), pressed.int_arg(1)
    except (IndexError, ValueError):
        await reply(context, update, [Reply("", alert=context.text(update, "error.stale-button"))])
        return
    if op == "n":
        replies = await receipts.nudge(services, context.bot, who, announcement_id, language=language, now=services.clock.now())
    else:
        replies = await services.writes(receipts.detail, services, who, announcement_id, language=language)
    await reply(context, update, replies)
