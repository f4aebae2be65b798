"""/review: coordinators open submissions waiting, accept them or return them with a comment."""

from __future__ import annotations


from telegram import Update

from bot.models import Person

from bot.context import BotContext
from bot.services.people import access
from bot.services.submissions import review
from bot.replies import Btn, Reply
from bot.services import drafts, notify
from bot.buttons import Button
from bot.replies import split
from bot.texts.catalog import t
from handlers import conversation, guard
from handlers.conversation import Current
from handlers.replies import keyboard, send

BUTTONS = r"^rv\|"


@guard.requires(access.Action.REVIEW, private=True)
async def review_command(update: Update, context: BotContext, roles: access.Roles) -> None:
    """List the submissions waiting for review."""
    assert update.effective_user and update.effective_chat and update.message
    replies = await context.services.writes(review.waiting, context.services, roles, language=context.language(update))
    await send(context, update.effective_chat.id, update.effective_user.id, replies)


async def _tell(context: BotContext, notice: review.Notice) -> bool:
    """Send a notice through `notify.send_to_person` (a 403 marks the liaison unreachable); True if it arrived."""
    language = notice.language
    text = t(language, notice.key, **notice.params)
    reply = Reply(text, [[Btn(t(language, k), a, args)] for k, a, args in notice.buttons])
    chunks = split(text)
    for i, chunk in enumerate(chunks):
        markup = keyboard(context, notice.person.telegram_user_id, reply) if i == len(chunks) - 1 else None
        if await notify.send_to_person(context.services, context.bot, notice.person, chunk, reply_markup=markup) is None:
            return False
    return True


async def _finish(update: Update, context: BotContext, replies: list[Reply], done: review.Done | None) -> None:
    """Tell the unit's liaisons first, then the coordinator what happened, worded by who was reached."""
    assert update.effective_user and update.effective_chat
    if done is not None:
        reached: list[Person] = []
        unreached: list[Person] = []
        for notice in done.notices:
            (reached if await _tell(context, notice) else unreached).append(notice.person)
        replies = [*replies, review.outcome(context.language(update), done, reached=reached, unreached=unreached)]
    await send(context, update.effective_chat.id, update.effective_user.id, replies, query=update.callback_query)  # a page replaces the list


async def drop_pending_return(update: Update, context: BotContext) -> None:
    """Any command while a return comment is awaited drops that return (runs before the command's own handler)."""
    if update.effective_user is None or update.message is None or update.effective_chat is None or update.effective_chat.type != "private":
        return
    if not any(d.flow == review.FLOW for d in context.known(update).drafts):
        return  # nothing awaited: no query (this runs before every command)
    command = (update.message.text or "").split()[0].split("@")[0].lstrip("/").lower()
    if await context.services.writes(review.drop_pending, context.services, telegram_user_id=update.effective_user.id, command=command):
        await context.reread(update)


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
    done = None
    try:
        if op == "page":  # another page of the list
            replies = await services.writes(review.waiting, services, roles, language=language, page=submission_id)
        elif op == "open":
            replies = await services.writes(review.open_one, services, roles, submission_id=submission_id, language=language)
        elif op == "ok":
            replies, done = await services.writes(review.accept, services, roles, submission_id=submission_id, now=now, language=language)
        elif op == "ret":
            replies = await services.writes(review.ask_comment, services, roles, submission_id=submission_id, now=now, language=language)
        elif op == "rc":
            replies, done = await services.writes(review.confirm_return, services, roles, submission_id=submission_id, now=now, language=language)
        elif op == "rx":
            replies = await services.writes(review.cancel_return, services, roles, submission_id=submission_id, language=language)
        else:
            raise ValueError(op)
    except (LookupError, ValueError):
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    except review.NotAllowed:  # another level's submission
        await query.answer(context.text(update, "error.not-allowed"), show_alert=True)
        return
    await query.answer()
    await _finish(update, context, replies, done)


@conversation.flow(review.FLOW)
async def on_comment(update: Update, context: BotContext, current: Current) -> None:
    """The comment for a returned submission: shown back with 确认退回 / 取消 (typing again replaces it)."""
    assert update.effective_user and update.effective_chat and update.message
    roles = guard.roles_for(update, context)
    services = context.services
    if not roles.may(access.Action.REVIEW):
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=review.FLOW)
        await update.message.reply_text(context.text(update, "review.not-allowed"))
        return
    try:
        replies = await services.writes(review.preview_return,
            services, roles, submission_id=int(current.data["submission_id"]), comment=update.message.text or "",
            now=services.clock.now(), language=context.language(update),
        )
    except (LookupError, ValueError):
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=review.FLOW)
        replies = [Reply(context.text(update, "review.gone"))]
    await send(context, update.effective_chat.id, update.effective_user.id, replies)
