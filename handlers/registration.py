"""Registration by invite link (/start <token>), its questions and summary, and /me."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.services import notify
from bot.services.people import registration
from bot.services.people.access import Action, Roles
from bot.buttons import Button
from bot.services.people.registration import Step
from bot.services.people.validation import FIELDS
from bot.texts.catalog import Markup, t
from handlers import conversation
from handlers.guard import allowed, button, requires


def _kebab(field: str) -> str:
    return field.replace("_", "-")


def question(update: Update, context: BotContext, field: str) -> str:
    """The question asking for a 附件10 field."""
    return context.text(update, f"registration.ask.{_kebab(field)}")


def field_lines(update: Update, context: BotContext, values: dict[str, str | None]) -> Markup:
    """One escaped 'label: value' line per field."""
    empty = context.text(update, "me.empty")
    return Markup(
        "\n".join(
            context.text(update, "registration.summary-line", label=context.text(update, f"registration.field.{_kebab(f)}"), value=values.get(f) or empty)
            for f in FIELDS
        )
    )


def edit_keyboard(update: Update, context: BotContext, action: str, *prefix: str | int) -> list[list[InlineKeyboardButton]]:
    """A button per field, two a row, carrying `prefix` then the field's index."""
    buttons = [
        InlineKeyboardButton(
            context.text(update, "registration.edit-button", label=context.text(update, f"registration.field.{_kebab(f)}")),
            callback_data=context.button(update, action, *prefix, i),
        )
        for i, f in enumerate(FIELDS)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


async def drop_buttons(update: Update) -> None:
    """Take the buttons off the pressed message (editMessageText: PTB adds parse_mode to editMessageReplyMarkup, which the API does not know)."""
    query = update.callback_query
    message = query.message if query else None
    if query is not None and isinstance(message, Message) and message.text_html:
        await query.edit_message_text(message.text_html)


async def show_step(update: Update, context: BotContext, step: Step) -> None:
    """Ask the next question, or show the summary with its buttons."""
    message = update.effective_message
    assert message is not None
    if step.field is not None:
        await message.reply_text(question(update, context, step.field))
        return
    role = context.text(update, f"role.{step.role.value}")
    text = context.text(
        update, "registration.summary", unit=step.unit_name or context.text(update, "registration.no-unit"), role=role,
        fields=field_lines(update, context, dict(step.answers)),
    )
    rows = edit_keyboard(update, context, "reg:e", step.version)
    rows.append([InlineKeyboardButton(context.text(update, "registration.confirm-button"), callback_data=context.button(update, "reg:ok", step.version))])
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


async def open_link(update: Update, context: BotContext, token: str) -> None:
    """/start <token>: use the invite and begin (or resume) registration; refuse a bad link with the reason."""
    user, message = update.effective_user, update.effective_message
    assert user and message
    if await allowed(update, context, Action.REGISTER, private=True) is None:
        return
    services = context.services
    opened = registration.open_invite(
        services, token=token, telegram_user_id=user.id, chat_id=update.effective_chat.id if update.effective_chat else None,
        first_name=user.first_name, username=user.username, now=services.clock.now(),
    )
    if opened.step is None:
        reason = context.text(update, f"invite-reason.{opened.status.value}")
        await message.reply_text(context.text(update, "start.invite-invalid", reason=reason))
        return
    step = opened.step
    role = context.text(update, f"role.{step.role.value}")
    if opened.resumed:
        intro = context.text(update, "registration.resumed")
    elif step.unit_name:
        intro = context.text(update, "registration.started", unit=step.unit_name, role=role)
    else:
        intro = context.text(update, "registration.started-campaign", role=role)
    await message.reply_text(intro)
    await show_step(update, context, step)


@conversation.flow(registration.FLOW)
@requires(Action.REGISTER, private=True)
async def on_answer(update: Update, context: BotContext, who: Roles, current: conversation.Current) -> None:
    """An answer to the current question: checked, then the next question, or the question again with what is expected."""
    message = update.effective_message
    assert message is not None
    if not message.text:
        await message.reply_text(context.text(update, "registration.text-only"))
        return
    step, error = registration.answer(context.services, person_id=current.person_id, text=message.text, now=context.services.clock.now())
    if step is None:
        return
    if error is not None:
        await message.reply_text(context.text(update, error))
        if step.field is None:  # on the summary: show it again so its buttons are at hand
            await show_step(update, context, step)
            return
    await show_step(update, context, step)


@button(Action.REGISTER, private=True)
async def on_edit(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A field's button on the summary: ask that field again."""
    query = update.callback_query
    assert query is not None
    step = None
    if who.person_id is not None:
        try:
            version, index = pressed.int_arg(0), pressed.int_arg(1)
            step = registration.edit(context.services, person_id=who.person_id, version=version, field_name=FIELDS[index], now=context.services.clock.now())
        except (ValueError, IndexError):
            step = None
    if step is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await show_step(update, context, step)


@button(Action.REGISTER, private=True)
async def on_confirm(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Confirm the summary: register, tell whoever was replaced, tell the coordinators."""
    query = update.callback_query
    assert query is not None
    services = context.services
    done = None
    if who.person_id is not None:
        try:
            done = registration.confirm(services, person_id=who.person_id, version=pressed.int_arg(0), now=services.clock.now())
        except ValueError:
            done = None
    if done is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    assert update.effective_message is not None
    if isinstance(done, registration.Refused):
        expires = done.expires_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M") if done.expires_at else ""
        await update.effective_message.reply_text(
            context.text(update, f"registration.refused.{done.reason}", unit=done.unit_name or "", expires=expires)
        )
        return
    role = context.text(update, f"role.{done.role.value}")
    key = "registration.done" if done.unit_name else "registration.done-campaign"
    await update.effective_message.reply_text(context.text(update, key, unit=done.unit_name or "", role=role))
    person = done.person
    for old in done.replaced:
        lang = services.language_of(old.language)
        await notify.send_to_person(services, context.bot, old, t(lang, "registration.replaced", unit=done.unit_name or "", name=person.name or ""))
    for coordinator in notify.coordinators(services):
        if coordinator.id == person.id:
            continue
        lang = services.language_of(coordinator.language)
        text = t(
            lang, "registration.coordinator-notice", name=person.name or "", unit=done.unit_name or t(lang, "registration.no-unit"),
            role=t(lang, f"role.{done.role.value}"), department=person.department or "", title=person.title or "",
            office_phone=person.office_phone or "", mobile=person.mobile or "", email=person.email or "",
        )
        if done.replaced:
            text += "\n" + t(lang, "registration.coordinator-replaced", old="、".join(p.name or p.first_name or "?" for p in done.replaced))
        await notify.send_to_person(services, context.bot, coordinator, text)


# --- /me ---------------------------------------------------------------------------------------


async def show_record(update: Update, context: BotContext) -> None:
    """One's own record with a button per field."""
    user, message = update.effective_user, update.effective_message
    assert user and message
    record = registration.record_of(context.services, telegram_user_id=user.id)
    if record is None:
        await message.reply_text(context.text(update, "error.not-allowed"))
        return
    lines = [
        context.text(update, "me.role-line", role=context.text(update, f"role.{r.value}"), unit=u)
        if u else context.text(update, "me.role-only", role=context.text(update, f"role.{r.value}"))
        for r, u in record.roles
    ] or [context.text(update, "me.no-roles")]
    values = {f: getattr(record.person, f) for f in FIELDS}
    text = context.text(update, "me.title", roles=Markup("\n".join(lines)), fields=field_lines(update, context, values))
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(edit_keyboard(update, context, "me:e")))


@requires(Action.ME, private=True)
async def me(update: Update, context: BotContext, who: Roles) -> None:
    """/me: one's own registration, with buttons to correct it."""
    await show_record(update, context)


@button(Action.ME, private=True)
async def on_me_edit(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A field's button under /me: ask for the new value."""
    query = update.callback_query
    assert query is not None and who.person_id is not None
    try:
        field = FIELDS[pressed.int_arg(0)]
    except (ValueError, IndexError):
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    registration.begin_profile_edit(context.services, person_id=who.person_id, field_name=field, now=context.services.clock.now())
    await query.answer()
    assert update.effective_message is not None
    await update.effective_message.reply_text(question(update, context, field))


@conversation.flow(registration.PROFILE_FLOW)
@requires(Action.ME, private=True)
async def on_me_answer(update: Update, context: BotContext, who: Roles, current: conversation.Current) -> None:
    """The new value of a field being edited under /me: checked, saved, the record shown again."""
    message = update.effective_message
    assert message is not None
    if not message.text:
        await message.reply_text(context.text(update, "registration.text-only"))
        return
    field, error = registration.save_profile_edit(context.services, person_id=current.person_id, text=message.text, now=context.services.clock.now())
    if error is not None:
        await message.reply_text(context.text(update, error))
        if field:
            await message.reply_text(question(update, context, field))
        return
    await message.reply_text(context.text(update, "me.saved"))
    await show_record(update, context)


__all__ = ["me", "on_answer", "on_confirm", "on_edit", "on_me_edit", "on_me_answer", "open_link"]
