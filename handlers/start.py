"""/start, /help, /lang, /cancel: what anyone, registered or not, may send."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.services.people import contact
from bot.services import drafts
from bot.texts.catalog import LANGUAGES
from handlers import guard, registration


async def start(update: Update, context: BotContext) -> None:
    """Greet; with an invite payload, begin registration."""
    assert update.effective_user and update.message
    services = context.services
    if context.args:
        await registration.open_link(update, context, context.args[0])
        return
    name = update.effective_user.full_name
    campaign = services.config.campaign.name if context.language(update) == "zh-CN" else (services.config.campaign.name_en or services.config.campaign.name)
    lines = [context.text(update, "start.welcome", name=name, campaign=campaign)]
    roles = guard.roles_for(update, context)
    if roles.is_registered:
        role = context.text(update, f"role.{roles.main_role}")
        if roles.unit_names:
            lines.append(context.text(update, "start.already-registered", unit=roles.describe_units(), role=role))
        else:  # a campaign-wide coordinator or leader: of no unit
            lines.append(context.text(update, "start.registered-campaign", role=role))
    else:
        lines.append(context.text(update, "start.no-invite"))
    await update.message.reply_text("\n\n".join(lines))


async def help_command(update: Update, context: BotContext) -> None:
    """What this user may do."""
    assert update.effective_user and update.message
    roles = guard.roles_for(update, context)
    parts = [context.text(update, "help.title")]
    if roles.is_coordinator:
        parts.append(context.text(update, "help.coordinator"))
    if roles.is_liaison:
        parts.append(context.text(update, "help.liaison"))
    if roles.is_leader and not roles.is_coordinator:
        parts.append(context.text(update, "help.leader"))
    if not roles.is_registered:
        parts.append(context.text(update, "help.stranger"))
    await update.message.reply_text("\n\n".join(parts))


async def lang(update: Update, context: BotContext) -> None:
    """Offer the two languages."""
    assert update.message
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(context.text(update, "lang.button-zh"), callback_data="lang:zh-CN"),
          InlineKeyboardButton(context.text(update, "lang.button-en"), callback_data="lang:en")]]
    )
    await update.message.reply_text(context.text(update, "lang.choose"), reply_markup=keyboard)


async def lang_chosen(update: Update, context: BotContext) -> None:
    """Store the chosen language and confirm in it."""
    query = update.callback_query
    assert query and update.effective_user
    language = (query.data or "").removeprefix("lang:")
    if language not in LANGUAGES:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    services = context.services
    await services.writes(contact.set_language, services, telegram_user_id=update.effective_user.id, language=language, now=services.clock.now())
    await context.reread(update)  # confirm in the language just chosen
    await query.answer()
    await query.edit_message_text(context.text(update, "lang.set"))


async def cancel(update: Update, context: BotContext) -> None:
    """Leave the current flow; what was typed in it is dropped."""
    assert update.effective_user and update.message
    services = context.services
    cancelled = await services.writes(drafts.cancel_current, services, telegram_user_id=update.effective_user.id)
    await update.message.reply_text(context.text(update, "cancel.done" if cancelled else "cancel.nothing"))
