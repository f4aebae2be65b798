"""/liaisons: the roster for coordinators (with mobiles) and leaders (names only), paged by buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.services.people import roster
from bot.services.people.access import Action, Roles
from bot.buttons import Button
from handlers.guard import button, requires


def _pages(update: Update, context: BotContext, who: Roles) -> tuple[list[str], int]:
    rows = roster.roster(context.services, now=context.services.clock.now())
    blocks = []
    for row in rows:
        lines = [context.text(update, "roster.unit", unit=row.name)]
        for liaison in row.liaisons:
            role = context.text(update, f"role.{liaison.role.value}")
            if who.is_coordinator and liaison.mobile:
                lines.append(context.text(update, "roster.person-mobile", role=role, name=liaison.name, mobile=liaison.mobile))
            else:
                lines.append(context.text(update, "roster.person", role=role, name=liaison.name))
            if not liaison.reachable:
                lines.append(context.text(update, "roster.unreachable", name=liaison.name))
        if not row.liaisons:
            lines.append(context.text(update, "roster.invited" if row.invited else "roster.none"))
        blocks.append("\n".join(lines))
    # leave room for the title line
    return roster.paginate(blocks, limit=roster.PAGE_LIMIT - 200), len(rows)


def _render(update: Update, context: BotContext, who: Roles, page: int) -> tuple[str, InlineKeyboardMarkup | None] | None:
    pages, count = _pages(update, context, who)
    if not 0 <= page < len(pages):
        return None
    title = context.text(update, "roster.title", units=count, page=page + 1, pages=len(pages))
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(context.text(update, "roster.prev"), callback_data=context.button(update, "ros:p", page - 1)))
    if page + 1 < len(pages):
        nav.append(InlineKeyboardButton(context.text(update, "roster.next"), callback_data=context.button(update, "ros:p", page + 1)))
    return f"{title}\n\n{pages[page]}", InlineKeyboardMarkup([nav]) if nav else None


@requires(Action.LIAISONS, private=True)
async def liaisons(update: Update, context: BotContext, who: Roles) -> None:
    """/liaisons: the first page of the roster."""
    rendered = _render(update, context, who, 0)
    assert rendered is not None and update.effective_message is not None
    text, markup = rendered
    await update.effective_message.reply_text(text, reply_markup=markup)


@button(Action.LIAISONS, private=True)
async def on_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Another page of the roster (refused if the page no longer exists)."""
    query = update.callback_query
    assert query is not None
    try:
        rendered = _render(update, context, who, pressed.int_arg(0))
    except (ValueError, IndexError):
        rendered = None
    if rendered is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    text, markup = rendered
    await query.answer()
    await query.edit_message_text(text, reply_markup=markup)
