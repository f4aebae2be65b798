"""/submit, the "submit now" and 零报告 buttons, and every message of a submission in progress."""

from __future__ import annotations

from datetime import datetime

from telegram import Message, Update

from bot.context import BotContext
from bot.models import Attachment
from bot.services import drafts
from bot.services.notices import jobs as notices
from bot.services.people import access
from bot.services.submissions import files
from bot.services.submissions import flow as service
from bot.buttons import Button
from handlers import conversation, guard
from handlers.conversation import Current
from bot.replies import Reply
from handlers.replies import reply

BUTTONS = r"^(sub|subany|subp|zero|sf|amend)\|"


def incoming_file(message: Message) -> files.Incoming | None:
    """The file a message carries (a document, or the largest size of a photo)."""
    if message.document is not None:
        d = message.document
        return files.Incoming(d.file_id, d.file_name or "document", d.mime_type, d.file_size)
    if message.photo:
        p = message.photo[-1]
        return files.Incoming(p.file_id, "photo.jpg", "image/jpeg", p.file_size)
    return None


async def downloaded(update: Update, context: BotContext, incoming: files.Incoming, *, now: datetime) -> Attachment | None:
    """The file of a message kept (any kind); None when refused, the sender told why (its size, its type)."""
    assert update.message
    try:
        return await files.download(context.services, context.bot, incoming, service.FileGroup.ANY, now=now)
    except files.Refused as e:
        await update.message.reply_text(context.text(update, f"submissions.file.{e.key}", **e.params))
        return None


async def send(context: BotContext, update: Update, person_id: int | None, replies: list[Reply]) -> None:
    """Answer with the replies, their in-filing buttons tied to the filing now in progress."""
    assert update.effective_chat and update.effective_user
    draft = await context.services.reads(drafts.get, context.services, person_id=person_id, flow=service.FLOW) if person_id is not None else None
    replies = service.stamp(replies, draft.data.get(service.NONCE) if draft else None)
    await reply(context, update, replies)
    if draft is None:  # the filing ended (filed, or dropped): coordinators may want to hear of it
        notices.soon(context.application)


async def _refuse(update: Update, context: BotContext) -> None:
    assert update.effective_message
    await update.effective_message.reply_text(context.text(update, "error.not-allowed"))


@guard.requires(access.Action.SUBMIT, private=True)
async def submit(update: Update, context: BotContext, roles: access.Roles) -> None:
    """Start a submission: for the one open report, or ask which."""
    assert update.effective_user and update.effective_chat
    replies = await context.services.writes(service.launch, context.services, roles, "start", (), language=context.language(update), now=context.services.clock.now())
    await send(context, update, roles.person_id, replies)


async def on_free_message(update: Update, context: BotContext) -> None:
    """A liaison's text or file with no flow in progress starts a submission, keeping what was sent."""
    assert update.effective_user and update.effective_chat and update.message
    services = context.services
    roles = guard.roles_for(update, context)
    if not roles.is_liaison:
        await update.message.reply_text(context.text(update, "conversation.no-flow"))
        return
    now = services.clock.now()
    language = context.language(update)
    carry: list[dict[str, object]] = []
    incoming = incoming_file(update.message)
    if incoming is not None:
        attachment = await downloaded(update, context, incoming, now=now)
        if attachment is None:
            return
        carry.append({"attachment": attachment.id, "name": incoming.file_name})
    if update.message.text:
        carry.append({"text": update.message.text})
    elif update.message.caption:
        carry.append({"text": update.message.caption, "caption": True})
    replies = await services.writes(service.start, services, roles, language=language, now=now, carry=carry)
    await send(context, update, roles.person_id, replies)


@conversation.flow(service.FLOW)
async def on_flow_message(update: Update, context: BotContext, current: Current) -> None:
    """An answer to the current step of a submission."""
    assert update.effective_user and update.effective_chat and update.message
    services = context.services
    roles = guard.roles_for(update, context)
    if not roles.is_liaison:
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=service.FLOW)
        await _refuse(update, context)
        return
    now = services.clock.now()
    language = context.language(update)
    incoming = incoming_file(update.message)
    if incoming is not None:
        replies = await service.answer_file(services, context.bot, roles, current.data, current.state, incoming, language=language, now=now)
    else:
        replies = await services.writes(service.answer_text, services, roles, current.data, current.state, update.message.text or "", language=language, now=now)
    await send(context, update, current.person_id, replies)


@guard.button(access.Action.SUBMIT)
async def on_button(update: Update, context: BotContext, roles: access.Roles, pressed: Button) -> None:
    """Buttons of the submission flow, and "submit now" / 零报告 from anywhere (reminders included)."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    services = context.services
    if not roles.is_liaison or roles.person_id is None:
        await query.answer(context.text(update, "error.not-allowed"), show_alert=True)
        return
    now = services.clock.now()
    language = context.language(update)
    person_id = roles.person_id

    def pressing() -> list[Reply] | None:  # (in a worker thread: the draft, the filing's reads and writes, a workbook carried read)
        draft = drafts.get(services, person_id=person_id, flow=service.FLOW)
        if pressed.action == "subp":  # another page of the choices
            return service.choices_page(services, roles, pressed.int_arg(0), language=language, now=now)
        if pressed.action in ("sub", "zero", "amend", "subany"):
            carry = list(draft.data.get("carry", [])) if draft is not None and draft.state == "choose" else None
            return service.launch(services, roles, pressed.action, pressed.args, language=language, now=now, carry=carry)
        args = service.unstamp(pressed.args, draft.data) if draft is not None else None  # a button of this filing?
        if not args:
            return None
        if args[0] == "new" and len(args) > 1:  # discard the one in progress, start the new one
            return service.launch(services, roles, args[1], args[2:], language=language, now=now, replace=True)
        assert draft is not None
        if args[0] == "resume":
            return service.resume(services, roles, dict(draft.data), draft.state, language=language, now=now)
        return service.press(services, roles, dict(draft.data), draft.state, args[0], args[1:], language=language, now=now)

    replies: list[Reply] | None
    try:
        replies = await services.writes(pressing)
    except service.NotAllowed:
        await query.answer(context.text(update, "error.not-allowed"), show_alert=True)
        return
    except (LookupError, ValueError):
        replies = None
    if replies is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await send(context, update, roles.person_id, replies)
