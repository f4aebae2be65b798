"""/deadline as a conversation (flow "deadline", kept as a draft): what a coordinator sees at each step, as `Reply` data.

title → who owes it (all units, unit groups by tag, or named units) → when ("9月15日前",
"下周五下午5点": echoed as a full date with weekday) → template → confirm. Typed answers go
to `answer`, presses of its buttons (action `dl`) to `press`; a press that moves the
conversation on replaces the pressed message (`Reply.edit`), a press that cannot be taken is
an alert. The handler only sends what these return.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.config import TemplateKind
from bot.context import Services
from bot.replies import Btn, Reply
from bot.services import drafts
from bot.services.coordinator.views import format_moment
from bot.services.deadlines import adhoc
from bot.services.people.access import Roles
from bot.storage import units
from bot.texts.catalog import t
from schedules import When, parse_when

FLOW = "deadline"
ACTION = "dl"
CREATE = "ok"  # the press that adds the deadline


def _when(data: dict[str, Any]) -> When:
    moment = datetime.fromisoformat(data["moment"]) if data.get("moment") else None
    return When(day=date.fromisoformat(data["day"]), moment=moment)


def _when_text(services: Services, when: When, language: str) -> str:
    tz = services.config.campaign.tz
    return format_moment(adhoc.due_at_of(when, tz), language, tz)


def _save(services: Services, roles: Roles, state: str, data: dict[str, Any], now: datetime) -> None:
    assert roles.person_id is not None
    drafts.save(services, person_id=roles.person_id, flow=FLOW, state=state, data=data, now=now)


def _end(services: Services, roles: Roles) -> None:
    assert roles.person_id is not None
    drafts.delete(services, person_id=roles.person_id, flow=FLOW)


def _ask_who(services: Services, data: dict[str, Any], language: str, *, edit: bool = False) -> Reply:
    """The title echoed, a button per unit group (ticked when chosen), all units, named units, next."""
    chosen = data.get("tags", [])
    rows = [[Btn(("✅ " if tag in chosen else "") + tag, ACTION, ("t", i))] for i, tag in enumerate(adhoc.tags_of(services))]
    rows.append([Btn(t(language, "deadline.all-units"), ACTION, ("all",)), Btn(t(language, "deadline.pick-units"), ACTION, ("pick",))])
    rows.append([Btn(t(language, "deadline.next"), ACTION, ("next",))])
    return Reply(t(language, "deadline.ask-who", title=data.get("title", "")), rows, edit=edit)


def _ask_template(services: Services, when: When, language: str) -> Reply:
    rows = [[Btn(t(language, f"template.{k.value}"), ACTION, ("k", k.value))] for k in adhoc.TEMPLATES]
    rows.append([Btn(t(language, "deadline.change-when"), ACTION, ("rw",))])
    return Reply(t(language, "deadline.ask-template", when=_when_text(services, when, language)), rows)


def _who(services: Services, data: dict[str, Any], language: str) -> str:
    """Who owes it, in words: the named units, the unit groups, or all units."""
    if data.get("units"):
        with services.storage.session() as s:
            found = units.units_by_codes(s, codes=data["units"])
        return "、".join(found[c].name for c in data["units"] if c in found)
    if data.get("tags"):
        return "、".join(data["tags"])
    return t(language, "deadline.who-all")


def start(services: Services, roles: Roles, *, language: str, now: datetime) -> list[Reply]:
    """/deadline: a new conversation, asking for the title."""
    _save(services, roles, "title", {}, now)
    return [Reply(t(language, "deadline.ask-title"))]


def answer(services: Services, roles: Roles, data: dict[str, Any], state: str, text: str, *, language: str, now: datetime) -> list[Reply]:
    """A typed answer: the title, the named units or the deadline; in a step of buttons, that step again."""
    text = text.strip()
    data = dict(data)
    if state == "title":
        if not text:
            return [Reply(t(language, "deadline.ask-title"))]
        if len(text) > adhoc.MAX_TITLE:
            return [Reply(t(language, "deadline.title-too-long", max=adhoc.MAX_TITLE))]
        data.update(title=text, tags=[], units=[])
        _save(services, roles, "who", data, now)
        return [_ask_who(services, data, language)]
    if state == "units":
        codes, unknown = adhoc.match_units(services, text)
        if unknown or not codes:
            return [Reply(t(language, "deadline.units-unknown", words="、".join(unknown) or text))]
        data.update(units=codes, tags=[])
        _save(services, roles, "when", data, now)
        return [Reply(t(language, "deadline.ask-when"))]
    if state == "when":
        tz = services.config.campaign.tz
        when = parse_when(text, now=now, tz=tz)
        if when is None:
            return [Reply(t(language, "deadline.when-unknown", text=text))]
        if adhoc.due_at_of(when, tz) <= now:
            return [Reply(t(language, "deadline.when-past", when=_when_text(services, when, language)))]
        data.update(day=when.day.isoformat(), moment=when.moment.isoformat() if when.moment else None)
        _save(services, roles, "template", data, now)
        return [_ask_template(services, when, language)]
    if state == "who":
        return [_ask_who(services, data, language)]
    return [_ask_template(services, _when(data), language)]


def press(services: Services, roles: Roles, args: tuple[str, ...], *, language: str, now: datetime) -> list[Reply]:
    """A press of the conversation's buttons: a unit group, all or named units, next, a template, create or cancel."""
    assert roles.person_id is not None
    stale = [Reply("", alert=t(language, "error.stale-button"))]
    draft = drafts.get(services, person_id=roles.person_id, flow=FLOW)
    if draft is None:
        return stale
    data, state, op = dict(draft.data), draft.state, args[0] if args else ""
    if op == "t" and state == "who":
        tags = adhoc.tags_of(services)
        try:
            tag = tags[int(args[1])]
        except (IndexError, ValueError):
            return stale
        chosen = list(data.get("tags", []))
        data["tags"] = [c for c in chosen if c != tag] if tag in chosen else [*chosen, tag]
        _save(services, roles, "who", data, now)
        # the text again with the new keyboard (editMessageReplyMarkup would carry the default parse_mode)
        return [_ask_who(services, data, language, edit=True)]
    if op in ("all", "next") and state == "who":
        if op == "next" and not data.get("tags"):
            return [Reply("", alert=t(language, "deadline.no-units"))]
        if op == "all":
            data.update(tags=[], units=[])
        _save(services, roles, "when", data, now)
        return [Reply(t(language, "deadline.ask-when"), edit=True)]
    if op == "pick" and state == "who":
        _save(services, roles, "units", data, now)
        return [Reply(t(language, "deadline.ask-units"), edit=True)]
    if op == "rw" and state == "template":
        _save(services, roles, "when", data, now)
        return [Reply(t(language, "deadline.ask-when"), edit=True)]
    if op == "k" and state == "template":
        try:
            data["template"] = TemplateKind(args[1]).value
        except (IndexError, ValueError):
            return stale
        _save(services, roles, "confirm", data, now)
        count = len(adhoc.owing_codes(services, tags=data.get("tags", []), unit_codes=data.get("units", [])))
        text = t(
            language, "deadline.confirm", title=data["title"], who=_who(services, data, language), count=count,
            when=_when_text(services, _when(data), language), template=t(language, f"template.{data['template']}"),
        )
        buttons = [[Btn(t(language, "deadline.create"), ACTION, (CREATE,)), Btn(t(language, "deadline.cancel"), ACTION, ("x",))]]
        return [Reply(text, buttons, edit=True)]
    if op == CREATE and state == "confirm":
        when = _when(data)
        created = adhoc.create(
            services, title=data["title"], template=TemplateKind(data["template"]), when=when, tags=data.get("tags", []),
            unit_codes=data.get("units", []), person_id=roles.person_id, now=now,
        )
        _end(services, roles)
        return [Reply(t(language, "deadline.created", title=data["title"], count=created.units, when=_when_text(services, when, language)), edit=True)]
    if op == "x":
        _end(services, roles)
        return [Reply(t(language, "deadline.cancelled"), edit=True)]
    return stale
