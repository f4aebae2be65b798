"""The liaison roster (联络员名册): every active unit with its liaisons, invites and reachability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.context import Services
from bot.models import Role
from bot.replies import Reply
from bot.services.people.access import Roles
from bot.storage import invites, roles, units
from bot.services import paging
from bot.texts.catalog import t, tn

PAGE_LIMIT = 3500  # characters of HTML per page, well under Telegram's 4096


@dataclass
class RosterLiaison:
    """One active liaison of a unit."""

    role: Role
    name: str
    mobile: str | None
    reachable: bool


@dataclass
class RosterUnit:
    """A unit and who answers for it."""

    code: str
    name: str
    liaisons: list[RosterLiaison] = field(default_factory=list)
    invited: bool = False


def roster(services: Services, *, now: datetime) -> list[RosterUnit]:
    """Every active unit, by code, with its active liaisons and whether an invite is open."""
    with services.storage.session() as s:
        open_units = {i.unit_id for i in invites.open_invites(s, now=now) if i.unit_id is not None}
        out = []
        for unit in units.list_units(s):
            assert unit.id is not None
            row = RosterUnit(code=unit.code, name=unit.name, invited=unit.id in open_units)
            for held in roles.liaisons_of_unit(s, unit_id=unit.id):
                p = held.person
                row.liaisons.append(
                    RosterLiaison(role=held.role, name=p.name or p.first_name or str(p.telegram_user_id), mobile=p.mobile, reachable=p.reachable)
                )
            out.append(row)
        return out


def paginate(blocks: Sequence[str], *, limit: int = PAGE_LIMIT, separator: str = "\n\n") -> list[str]:
    """Join blocks into pages of at most `limit` characters, never cutting a block (a longer block is a page of its own)."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if current and len(candidate) > limit:
            pages.append(current)
            current = block
        else:
            current = candidate
    if current or not pages:
        pages.append(current)
    return pages


def page(services: Services, who: Roles, *, number: int, pressed: bool, language: str, now: datetime) -> list[Reply]:
    """Page `number` of /liaisons as a reply (mobiles for coordinators only); an alert if there is no such page."""
    blocks = []
    rows = roster(services, now=now)
    for row in rows:
        lines = [t(language, "roster.unit", unit=row.name)]
        for liaison in row.liaisons:
            role = t(language, f"role.{liaison.role.value}")
            if who.is_coordinator and liaison.mobile:
                lines.append(t(language, "roster.person-mobile", role=role, name=liaison.name, mobile=liaison.mobile))
            else:
                lines.append(t(language, "roster.person", role=role, name=liaison.name))
            if not liaison.reachable:
                lines.append(t(language, "roster.unreachable", name=liaison.name))
        if not row.liaisons:
            lines.append(t(language, "roster.invited" if row.invited else "roster.none"))
        blocks.append("\n".join(lines))
    pages = paginate(blocks, limit=PAGE_LIMIT - 200)  # leave room for the title line
    if not 0 <= number < len(pages):
        return [Reply("", alert=t(language, "error.stale-button"))]
    title = t(language, "roster.title", units=tn(language, "counts.units", len(rows)), page=number + 1, pages=len(pages))
    return [Reply(f"{title}\n\n{pages[number]}", paging.nav(number, len(pages), action="ros:p"), edit=pressed)]
