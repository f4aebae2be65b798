"""/review: coordinators open submissions waiting, accept them or return them with a comment."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.services import access, review
from bot.services.submissions import Btn, Reply
from bot.texts.catalog import normalize_language, t
from bot.services.buttons import Button
from handlers import conversation, guard
from handlers.conversation import Current
from handlers.replies import send

BUTTONS = r"^rv\|"


@guard.requires(access.Action.REVIEW, private=True)
async def review_command(update: Update, context: BotContext, roles: access.Roles) -> None:
    """List the submissions waiting for review."""
    assert update.effective_user and update.effective_chat and update.message
    replies = review.waiting(context.services, roles, language=context.language(update))
    await send(context, update.effective_chat.id, update.effective_user.id, replies)


async def _tell(context: BotContext, notice: review.Notice | None) -> None:
    if notice is None:
        return
    language = notice.language or context.services.config.language
    language = normalize_language(language, context.services.config.language)
    reply = Reply(t(language, notice.key, **notice.params), [[Btn(t(language, k), a, args)] for k, a, args in notice.buttons])
    await send(context, notice.chat_id, notice.telegram_user_id, [reply])


@guard.button(access.Action.REVIEW, private=True)
async def on_button(update: Update, context: BotContext, roles: access.Roles, pressed: Button) -> None:
    """Open, accept or return a submission."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    if len(pressed.args) < 2:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    services = context.services
    now = services.clock.now()
    language = context.language(update)
    op, submission_id = pressed.args[0], pressed.int_arg(1)
    notice = None
    try:
        if op == "open":
            replies = review.open_one(services, roles, submission_id=submission_id, language=language)
        elif op == "ok":
            replies, notice = review.accept(services, roles, submission_id=submission_id, now=now, language=language)
        elif op == "ret":
            replies = review.ask_comment(services, roles, submission_id=submission_id, now=now, language=language)
        else:
            raise ValueError(op)
    except (LookupError, ValueError):
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    await send(context, update.effective_chat.id, update.effective_user.id, replies)
    await _tell(context, notice)


@conversation.flow(review.FLOW)
async def on_comment(update: Update, context: BotContext, current: Current) -> None:
    """The comment for a returned submission."""
    assert update.effective_user and update.effective_chat and update.message
    roles = guard.roles_for(update, context)
    services = context.services
    if not roles.may(access.Action.REVIEW):
        services.storage.drafts.delete_draft(person_id=current.person_id, flow=review.FLOW)
        await update.message.reply_text(context.text(update, "review.not-allowed"))
        return
    try:
        replies, notice = review.return_with(
            services, roles, submission_id=int(current.data["submission_id"]), comment=update.message.text or "",
            now=services.clock.now(), language=context.language(update),
        )
    except (LookupError, ValueError):
        services.storage.drafts.delete_draft(person_id=current.person_id, flow=review.FLOW)
        replies, notice = [Reply(context.text(update, "review.gone"))], None
    await send(context, update.effective_chat.id, update.effective_user.id, replies)
    await _tell(context, notice)
