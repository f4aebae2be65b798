"""The liaison roster (联络员名册): every active unit with its liaisons, invites and reachability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.context import Services
from bot.models import Role
from bot.storage import invites, roles, units

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
