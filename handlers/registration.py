"""Registration by invite link (/start <token>), its questions and summary, and /me (`bot.services.people.conversation`)."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services import notify
from bot.services.people import conversation as service
from bot.services.people import registration
from bot.services.people.access import Action, Roles
from handlers import conversation
from handlers.guard import allowed, button, requires
from handlers.replies import reply


async def open_link(update: Update, context: BotContext, token: str) -> None:
    """/start <token>: use the invite and begin (or resume) registration; refuse a bad link with the reason."""
    user = update.effective_user
    assert user is not None
    if await allowed(update, context, Action.REGISTER, private=True) is None:
        return
    services = context.services
    replies = await services.writes(service.open_link,
        services, token=token, telegram_user_id=user.id, chat_id=update.effective_chat.id if update.effective_chat else None,
        first_name=user.first_name, username=user.username, language=context.language(update), now=services.clock.now(),
    )
    await reply(context, update, replies)


@conversation.flow(registration.FLOW)
@requires(Action.REGISTER, private=True)
async def on_answer(update: Update, context: BotContext, who: Roles, current: conversation.Current) -> None:
    """An answer to the current question: checked, then the next question, or the question again with what is expected."""
    assert update.effective_message is not None
    services = context.services
    replies = await services.writes(service.answer,
        services, person_id=current.person_id, text=update.effective_message.text, language=context.language(update), now=services.clock.now()
    )
    await reply(context, update, replies)


@button(Action.REGISTER, private=True)
async def on_edit(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A field's button on the summary: ask that field again."""
    services = context.services
    replies = await services.writes(service.edit, services, person_id=who.person_id, args=pressed.args, language=context.language(update), now=services.clock.now())
    await reply(context, update, replies)


@button(Action.REGISTER, private=True)
async def on_confirm(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Confirm the summary: register, tell whoever was replaced, tell the coordinators."""
    services = context.services
    done = await services.writes(service.confirm, services, person_id=who.person_id, args=pressed.args, language=context.language(update), now=services.clock.now())
    await reply(context, update, done.replies)
    for notice in done.notices:
        await notify.send_to_person(services, context.bot, notice.person, notice.text)


@requires(Action.ME, private=True)
async def me(update: Update, context: BotContext, who: Roles) -> None:
    """/me: one's own registration, with buttons to correct it."""
    assert update.effective_user is not None
    await reply(context, update, await context.services.writes(service.record, context.services, telegram_user_id=update.effective_user.id, language=context.language(update)))


@button(Action.ME, private=True)
async def on_me_edit(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A field's button under /me: ask for the new value."""
    assert who.person_id is not None
    services = context.services
    replies = await services.writes(service.me_edit, services, person_id=who.person_id, args=pressed.args, language=context.language(update), now=services.clock.now())
    await reply(context, update, replies)


@conversation.flow(registration.PROFILE_FLOW)
@requires(Action.ME, private=True)
async def on_me_answer(update: Update, context: BotContext, who: Roles, current: conversation.Current) -> None:
    """The new value of a field being edited under /me: checked, saved, the record shown again."""
    assert update.effective_message is not None and update.effective_user is not None
    services = context.services
    replies = await services.writes(service.me_answer,
        services, person_id=current.person_id, telegram_user_id=update.effective_user.id, text=update.effective_message.text,
        language=context.language(update), now=services.clock.now(),
    )
    await reply(context, update, replies)


__all__ = ["me", "on_answer", "on_confirm", "on_edit", "on_me_edit", "on_me_answer", "open_link"]
