"""/announcements: a coordinator's recent notices with how many units confirmed (回执), the units that
have not, and a nudge (催办) of their liaisons. A coordinator bound to a unit sees its subtree only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import Announcement, Person, Unit, id_of
from bot.replies import Btn, Reply
from bot.services.notices import broadcast
from bot.services.people.access import Roles
from bot.storage import notices
from bot.storage import units as unit_store
from bot.texts.catalog import t

ACTION = "anr"
SHOWN = 10
PREVIEW = 24  # characters of a notice named in a button or a line


@dataclass
class State:
    """One announcement within a coordinator's sight: its units, who confirmed, who is still asked."""

    row: Announcement
    units: list[Unit] = field(default_factory=list)
    confirmed: set[int] = field(default_factory=set)  # units with a liaison's receipt
    waiting: dict[int, list[Person]] = field(default_factory=dict)  # unit → liaisons yet to confirm


def _state(services: Services, who: Roles, row: Announcement) -> State | None:
    seen = [u for u in row.unit_ids if who.visible_units is None or u in who.visible_units]
    if not seen:
        return None
    out = State(row=row)
    with services.storage.read() as s:
        found = {u.id: u for u in (unit_store.get_unit(s, unit_id=i) for i in seen) if u is not None}
        receipts = notices.receipts_of(s, announcement_id=id_of(row))
    out.units = sorted(found.values(), key=lambda u: u.code)
    for receipt, unit, person in receipts:
        if unit.id not in found:
            continue
        if receipt.confirmed_at is not None:
            out.confirmed.add(id_of(unit))
        else:
            out.waiting.setdefault(id_of(unit), []).append(person)
    for unit_id in out.confirmed:
        out.waiting.pop(unit_id, None)
    return out


def _state_of(services: Services, who: Roles, announcement_id: int) -> State | None:
    """`_state` of an announcement by id; None if there is none (or none within sight)."""
    with services.storage.read() as s:
        row = notices.get_announcement(s, announcement_id=announcement_id)
    return _state(services, who, row) if row is not None else None


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= PREVIEW else line[: PREVIEW - 1] + "…"


def listing(services: Services, who: Roles, *, language: str) -> list[Reply]:
    """The latest notices within sight, each with its receipts."""
    tz = services.config.campaign.tz
    with services.storage.read() as s:
        rows = notices.recent_announcements(s, limit=50)
    states = [x for x in (_state(services, who, r) for r in rows) if x is not None][:SHOWN]
    if not states:
        return [Reply(t(language, "notices.none-sent"))]
    lines = [t(language, "notices.list-title")]
    buttons: list[list[Btn]] = []
    for x in states:
        at = x.row.created_at.astimezone(tz).strftime("%m-%d %H:%M")
        lines.append(t(language, "notices.list-line", id=id_of(x.row), at=at, text=_short(x.row.text), confirmed=len(x.confirmed), units=len(x.units)))
        buttons.append([Btn(t(language, "notices.list-button", id=id_of(x.row), text=_short(x.row.text), waiting=len(x.units) - len(x.confirmed)), ACTION, ("v", id_of(x.row)))])
    return [Reply("\n".join(lines), buttons)]


def detail(services: Services, who: Roles, announcement_id: int, *, language: str) -> list[Reply]:
    """The units of one notice that have not confirmed, with their liaisons, and the nudge button."""
    x = _state_of(services, who, announcement_id)
    if x is None:
        return [Reply("", alert=t(language, "error.stale-button"))]
    lines = [t(language, "notices.detail-title", id=announcement_id, text=_short(x.row.text), confirmed=len(x.confirmed), units=len(x.units))]
    unconfirmed = [u for u in x.units if id_of(u) not in x.confirmed]
    for unit in unconfirmed:
        names = "、".join(p.name or p.first_name or "—" for p in x.waiting.get(id_of(unit), []))
        lines.append(t(language, "notices.detail-line", unit=unit.name, names=names) if names else t(language, "notices.detail-nobody", unit=unit.name))
    if not unconfirmed:
        lines.append(t(language, "notices.detail-all"))
    buttons = [[Btn(t(language, "notices.nudge-button", count=len(x.waiting)), ACTION, ("n", announcement_id))]] if x.waiting else []
    return [Reply("\n".join(lines), buttons, edit=True)]


async def nudge(services: Services, bot: Any, who: Roles, announcement_id: int, *, language: str, now: datetime) -> list[Reply]:
    """Send the notice again to the liaisons of the units within sight that have not confirmed."""
    x = await services.reads(_state_of, services, who, announcement_id)
    if x is None:
        return [Reply("", alert=t(language, "error.stale-button"))]
    persons = list({id_of(p): p for found in x.waiting.values() for p in found}.values())
    if not persons:
        return [Reply(t(language, "notices.detail-all"), edit=True)]
    done = await broadcast.nudge(services, bot, x.row, persons, now=now)
    text = t(language, "notices.nudged", sent=done.sent, unreachable=done.unreachable, too_soon=done.too_soon)
    return [Reply(text, edit=True)]
