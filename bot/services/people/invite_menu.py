"""/invite as `Reply` data: a page of units to choose from (and the campaign-wide roles), a unit's roles, the link made.

Each press replaces the pressed message (`Reply.edit`); a press that no longer fits (a page or
unit gone) is an alert. The link is shown once, in the message that replaced the menu.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.models import UNIT_SCOPED_ROLES, Role
from bot.replies import Btn, Reply
from bot.services.people import invites
from bot.services import paging
from bot.texts.catalog import t, tn

PAGE_SIZE = 20  # units a page, two a row: with the pager and the campaign-wide roles far below Telegram's 100 buttons


def _stale(language: str) -> list[Reply]:
    return [Reply("", alert=t(language, "error.stale-button"))]


def _role_button(language: str, unit_id: int, role: Role) -> Btn:
    return Btn(t(language, f"role.{role.value}"), "inv:r", (unit_id, role.value))


def unit_page(services: Services, *, page: int, pressed: bool, language: str) -> list[Reply]:
    """Page `page` of the units to invite for, with the campaign-wide roles (an alert if there is no such page)."""
    active = invites.units_to_invite(services)
    pages = max(1, -(-len(active) // PAGE_SIZE))
    if not 0 <= page < pages:
        return _stale(language)
    shown = active[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    buttons = [Btn(u.name, "inv:u", (u.id,)) for u in shown if u.id is not None]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    text = t(language, "invite.choose-unit" if active else "invite.no-units")
    if pages > 1:
        text += "\n" + t(language, "invite.page", page=page + 1, pages=pages, units=tn(language, "counts.units", len(active)))
        rows += paging.nav(page, pages, action="inv:p")
    rows.append([_role_button(language, 0, Role.coordinator), _role_button(language, 0, Role.leader)])
    return [Reply(text, rows, edit=pressed)]


def unit_roles(services: Services, *, args: tuple[str, ...], language: str) -> list[Reply]:
    """A unit was chosen: its roles (primary or backup liaison)."""
    try:
        unit = invites.unit_to_invite(services, unit_id=int(args[0]))
    except (ValueError, IndexError):
        unit = None
    if unit is None or unit.id is None:
        return _stale(language)
    rows = [[_role_button(language, unit.id, Role.primary), _role_button(language, unit.id, Role.backup)], [_role_button(language, unit.id, Role.head)]]
    return [Reply(t(language, "invite.choose-role", unit=unit.name), rows, edit=True)]


def make(services: Services, *, person_id: int | None, args: tuple[str, ...], bot_username: str, language: str, now: datetime) -> list[Reply]:
    """A role was chosen: make the invite and show its link (the only time the token is shown)."""
    try:
        unit_id, role = int(args[0]), Role(args[1])
        made = invites.create_invite(
            services, role=role, unit_id=unit_id if role in UNIT_SCOPED_ROLES else None, now=now, created_by_person_id=person_id,
        )
    except (ValueError, IndexError):  # InviteError is a ValueError: the unit went away meanwhile
        return _stale(language)
    expires = made.invite.expires_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
    text = t(
        language, "invite.created", role=t(language, f"role.{role.value}"),
        unit=made.unit.name if made.unit else t(language, "invite.campaign-wide"),
        expires=expires, link=invites.invite_link(bot_username, made.token),
    )
    return [Reply(text, edit=True)]
