"""/invite: a coordinator picks a unit, then a role, and gets a one-time deep link to pass on privately."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.models import UNIT_SCOPED_ROLES, Role
from bot.services.people import invites
from bot.services.people.access import Action, Roles
from bot.buttons import Button
from handlers.guard import button, requires


def _role_button(update: Update, context: BotContext, unit_id: int, role: Role) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.text(update, f"role.{role.value}"), callback_data=context.button(update, "inv:r", unit_id, role.value))


PAGE_SIZE = 20  # units a page, two a row: with the pager and the campaign-wide roles far below Telegram's 100 buttons


def _unit_page(update: Update, context: BotContext, page: int) -> tuple[str, InlineKeyboardMarkup] | None:
    """Page `page` of the units to invite for (None if there is no such page), with the campaign-wide roles."""
    active = context.services.storage.units.list_units()
    pages = max(1, -(-len(active) // PAGE_SIZE))
    if not 0 <= page < pages:
        return None
    shown = active[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [InlineKeyboardButton(u.name, callback_data=context.button(update, "inv:u", u.id)) for u in shown]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = context.text(update, "invite.choose-unit" if active else "invite.no-units")
    if pages > 1:
        text += "\n" + context.text(update, "invite.page", page=page + 1, pages=pages, units=len(active))
        pager = []
        if page > 0:
            pager.append(InlineKeyboardButton(context.text(update, "invite.prev"), callback_data=context.button(update, "inv:p", page - 1)))
        if page < pages - 1:
            pager.append(InlineKeyboardButton(context.text(update, "invite.next"), callback_data=context.button(update, "inv:p", page + 1)))
        rows.append(pager)
    rows.append([_role_button(update, context, 0, Role.coordinator), _role_button(update, context, 0, Role.leader)])
    return text, InlineKeyboardMarkup(rows)


@requires(Action.INVITE, private=True)
async def invite(update: Update, context: BotContext, who: Roles) -> None:
    """/invite: the units to choose from (a page at a time), and the campaign-wide roles."""
    message = update.effective_message
    assert message is not None
    shown = _unit_page(update, context, 0)
    assert shown is not None
    text, keyboard = shown
    await message.reply_text(text, reply_markup=keyboard)


@button(Action.INVITE, private=True)
async def on_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """‹ or ›: another page of units (refused if that page no longer exists)."""
    query = update.callback_query
    assert query is not None
    try:
        shown = _unit_page(update, context, pressed.int_arg(0))
    except (ValueError, IndexError):
        shown = None
    if shown is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    text, keyboard = shown
    await query.edit_message_text(text, reply_markup=keyboard)


@button(Action.INVITE, private=True)
async def on_unit(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A unit was chosen: offer its roles (primary or backup liaison)."""
    query = update.callback_query
    assert query is not None
    unit = None
    try:
        unit = context.services.storage.units.get_unit(unit_id=pressed.int_arg(0))
    except (ValueError, IndexError):
        pass
    if unit is None or not unit.active or unit.id is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup([
        [_role_button(update, context, unit.id, Role.primary), _role_button(update, context, unit.id, Role.backup)],
        [_role_button(update, context, unit.id, Role.head)],
    ])
    await query.edit_message_text(context.text(update, "invite.choose-role", unit=unit.name), reply_markup=keyboard)


@button(Action.INVITE, private=True)
async def on_role(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A role was chosen: make the invite and show its link (the only time the token is shown)."""
    query = update.callback_query
    assert query is not None
    services = context.services
    try:
        unit_id, role = pressed.int_arg(0), Role(pressed.args[1])
        made = invites.create_invite(
            services, role=role, unit_id=unit_id if role in UNIT_SCOPED_ROLES else None, now=services.clock.now(),
            created_by_person_id=who.person_id,
        )
    except (ValueError, IndexError):  # InviteError is a ValueError: the unit went away meanwhile
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    expires = made.invite.expires_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
    text = context.text(
        update, "invite.created", role=context.text(update, f"role.{role.value}"),
        unit=made.unit.name if made.unit else context.text(update, "invite.campaign-wide"),
        expires=expires, link=invites.invite_link(context.bot.username, made.token),
    )
    await query.edit_message_text(text, link_preview_options=None)
