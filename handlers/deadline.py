"""/deadline: add an ad-hoc deadline in a short conversation (flow "deadline", kept as a draft).

title → who owes it (all units, unit groups by tag, or named units) → when ("9月15日前",
"下周五下午5点": echoed as a full date with weekday) → template → confirm.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.config import TemplateKind
from bot.context import BotContext
from bot.services.deadlines import adhoc
from bot.services.reminders import timer as core_timer
from bot.services.coordinator import views as v
from bot.services.people.access import Action, Roles
from bot.buttons import Button
from handlers import conversation
from handlers.conversation import Current
from handlers.guard import allowed, button, requires
from schedules import When, parse_when

FLOW = "deadline"


def _save(context: BotContext, person_id: int, state: str, data: dict[str, Any]) -> None:
    services = context.services
    services.storage.drafts.save_draft(person_id=person_id, flow=FLOW, state=state, data=data, now=services.clock.now())


def _when(data: dict[str, Any]) -> When:
    moment = datetime.fromisoformat(data["moment"]) if data.get("moment") else None
    return When(day=date.fromisoformat(data["day"]), moment=moment)


def _when_text(context: BotContext, update: Update, when: When) -> str:
    tz = context.services.config.campaign.tz
    return v.format_moment(adhoc.due_at_of(when, tz), context.language(update), tz)


def _btn(context: BotContext, update: Update, label: str, *args: str | int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=context.button(update, "dl", *args))


def _who_keyboard(context: BotContext, update: Update, chosen: list[str]) -> InlineKeyboardMarkup:
    tags = adhoc.tags_of(context.services)
    rows = [[_btn(context, update, ("✅ " if tag in chosen else "") + tag, "t", i)] for i, tag in enumerate(tags)]
    rows.append([_btn(context, update, context.text(update, "deadline.all-units"), "all"), _btn(context, update, context.text(update, "deadline.pick-units"), "pick")])
    rows.append([_btn(context, update, context.text(update, "deadline.next"), "next")])
    return InlineKeyboardMarkup(rows)


def _template_keyboard(context: BotContext, update: Update) -> InlineKeyboardMarkup:
    rows = [[_btn(context, update, context.text(update, f"template.{k.value}"), "k", k.value)] for k in adhoc.TEMPLATES]
    rows.append([_btn(context, update, context.text(update, "deadline.change-when"), "rw")])
    return InlineKeyboardMarkup(rows)


@requires(Action.DEADLINE, private=True)
async def deadline(update: Update, context: BotContext, who: Roles) -> None:
    """Start the conversation: ask for the title."""
    assert update.message and who.person_id is not None
    _save(context, who.person_id, "title", {})
    await update.message.reply_text(context.text(update, "deadline.ask-title"))


@conversation.flow(FLOW)
async def on_message(update: Update, context: BotContext, current: Current) -> None:
    """A typed answer: the title, the units, or the deadline."""
    assert update.message
    if await allowed(update, context, Action.DEADLINE, private=True) is None:
        return
    text = (update.message.text or "").strip()
    data = dict(current.data)
    if current.state == "title":
        if not text:
            await update.message.reply_text(context.text(update, "deadline.ask-title"))
        elif len(text) > adhoc.MAX_TITLE:
            await update.message.reply_text(context.text(update, "deadline.title-too-long", max=adhoc.MAX_TITLE))
        else:
            data.update(title=text, tags=[], units=[])
            _save(context, current.person_id, "who", data)
            await update.message.reply_text(context.text(update, "deadline.ask-who", title=text), reply_markup=_who_keyboard(context, update, []))
    elif current.state == "units":
        codes, unknown = adhoc.match_units(context.services, text)
        if unknown or not codes:
            await update.message.reply_text(context.text(update, "deadline.units-unknown", words="、".join(unknown) or text))
            return
        data.update(units=codes, tags=[])
        _save(context, current.person_id, "when", data)
        await update.message.reply_text(context.text(update, "deadline.ask-when"))
    elif current.state == "when":
        services = context.services
        now = services.clock.now()
        when = parse_when(text, now=now, tz=services.config.campaign.tz)
        if when is None:
            await update.message.reply_text(context.text(update, "deadline.when-unknown", text=text))
            return
        if adhoc.due_at_of(when, services.config.campaign.tz) <= now:
            await update.message.reply_text(context.text(update, "deadline.when-past", when=_when_text(context, update, when)))
            return
        data.update(day=when.day.isoformat(), moment=when.moment.isoformat() if when.moment else None)
        _save(context, current.person_id, "template", data)
        await update.message.reply_text(context.text(update, "deadline.ask-template", when=_when_text(context, update, when)), reply_markup=_template_keyboard(context, update))
    elif current.state == "who":
        await update.message.reply_text(context.text(update, "deadline.ask-who", title=data.get("title", "")), reply_markup=_who_keyboard(context, update, data.get("tags", [])))
    else:
        await update.message.reply_text(context.text(update, "deadline.ask-template", when=_when_text(context, update, _when(data))), reply_markup=_template_keyboard(context, update))


@button(Action.DEADLINE, private=True)
async def on_button(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """A press in the conversation: unit groups, template, confirm or cancel."""
    query = update.callback_query
    assert query is not None and who.person_id is not None
    services = context.services
    draft = services.storage.drafts.get_draft(person_id=who.person_id, flow=FLOW)
    if draft is None:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    data, op = dict(draft.data), pressed.args[0] if pressed.args else ""
    tags = adhoc.tags_of(services)
    if op == "t" and draft.state == "who":
        tag = tags[pressed.int_arg(1)]
        chosen = list(data.get("tags", []))
        chosen = [c for c in chosen if c != tag] if tag in chosen else [*chosen, tag]
        data["tags"] = chosen
        _save(context, who.person_id, "who", data)
        await query.answer()
        # the text again with the new keyboard (editMessageReplyMarkup would carry the default parse_mode)
        await query.edit_message_text(context.text(update, "deadline.ask-who", title=data.get("title", "")), reply_markup=_who_keyboard(context, update, chosen))
    elif op in ("all", "next") and draft.state == "who":
        if op == "next" and not data.get("tags"):
            await query.answer(context.text(update, "deadline.no-units"), show_alert=True)
            return
        if op == "all":
            data.update(tags=[], units=[])
        _save(context, who.person_id, "when", data)
        await query.answer()
        await query.edit_message_text(context.text(update, "deadline.ask-when"))
    elif op == "pick" and draft.state == "who":
        _save(context, who.person_id, "units", data)
        await query.answer()
        await query.edit_message_text(context.text(update, "deadline.ask-units"))
    elif op == "rw" and draft.state == "template":
        _save(context, who.person_id, "when", data)
        await query.answer()
        await query.edit_message_text(context.text(update, "deadline.ask-when"))
    elif op == "k" and draft.state == "template":
        data["template"] = TemplateKind(pressed.args[1]).value
        _save(context, who.person_id, "confirm", data)
        count = len(adhoc.owing_codes(services, tags=data.get("tags", []), unit_codes=data.get("units", [])))
        keyboard = InlineKeyboardMarkup([[_btn(context, update, context.text(update, "deadline.create"), "ok"), _btn(context, update, context.text(update, "deadline.cancel"), "x")]])
        text = context.text(update, "deadline.confirm", title=data["title"], who=_who(context, update, data), count=count, when=_when_text(context, update, _when(data)), template=context.text(update, f"template.{data['template']}"))
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)
    elif op == "ok" and draft.state == "confirm":
        when = _when(data)
        created = adhoc.create(services, title=data["title"], template=TemplateKind(data["template"]), when=when, tags=data.get("tags", []), unit_codes=data.get("units", []), person_id=who.person_id, now=services.clock.now())
        services.storage.drafts.delete_draft(person_id=who.person_id, flow=FLOW)
        core_timer.arm(context.application)  # its reminders may come before the timer's next moment
        await query.answer()
        await query.edit_message_text(context.text(update, "deadline.created", title=data["title"], count=created.units, when=_when_text(context, update, when)))
    elif op == "x":
        services.storage.drafts.delete_draft(person_id=who.person_id, flow=FLOW)
        await query.answer()
        await query.edit_message_text(context.text(update, "deadline.cancelled"))
    else:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)


def _who(context: BotContext, update: Update, data: dict[str, Any]) -> str:
    if data.get("units"):
        with context.services.storage.session() as s:
            from bot.storage import units

            found = units.units_by_codes(s, codes=data["units"])
        return "、".join(found[c].name for c in data["units"] if c in found)
    if data.get("tags"):
        return "、".join(data["tags"])
    return context.text(update, "deadline.who-all")
