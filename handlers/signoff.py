"""The unit head's approve / return buttons on a filing that needs sign-off, and the return comment."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services import drafts
from bot.replies import Reply
from bot.services.notices import jobs as notices
from bot.services.people import access
from bot.services.signoff import flow as service
from handlers import conversation, guard
from handlers.conversation import Current
from handlers.replies import send

BUTTONS = r"^so\|"


@guard.button(access.Action.SIGN_OFF, private=True)
async def on_button(update: Update, context: BotContext, roles: access.Roles, pressed: Button) -> None:
    """审核通过 or 退回修改 (which asks for the comment)."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    services = context.services
    now, language = services.clock.now(), context.language(update)
    replies: list[Reply] | None = None
    try:
        op, submission_id = pressed.args[0], pressed.int_arg(1)
        if op == "ok":
            replies = await services.writes(service.approve, services, roles, submission_id=submission_id, now=now, language=language)
        elif op == "ret":
            replies = await services.writes(service.ask_comment, services, roles, submission_id=submission_id, now=now, language=language)
    except service.NotAllowed:
        await query.answer(context.text(update, "error.not-allowed"), show_alert=True)
        return
    except (LookupError, ValueError, IndexError):
        replies = None
    if replies is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    await send(context, update.effective_chat.id, update.effective_user.id, replies)
    notices.soon(context.application)  # an approved filing now counts: coordinators may want to hear of it


@conversation.flow(service.FLOW)
async def on_comment(update: Update, context: BotContext, current: Current) -> None:
    """The return comment: the filing goes back to the liaisons with it."""
    assert update.effective_user and update.effective_chat and update.message
    services = context.services
    roles = guard.roles_for(update, context)
    try:
        replies = await services.writes(service.return_with,
            services, roles, data=dict(current.data), comment=update.message.text or "", now=services.clock.now(), language=context.language(update)
        )
    except (service.NotAllowed, LookupError):
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=service.FLOW)
        replies = [Reply(context.text(update, "error.not-allowed"))]
    await send(context, update.effective_chat.id, update.effective_user.id, replies)
