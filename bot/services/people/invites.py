"""Invites: a coordinator (in chat or on the command line) makes a one-time deep link for a unit and role.

The token is random (192 bits), shown once in the link and never stored, logged or audited:
the database keeps its SHA-256 only. Using an invite binds it to the person who opened it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import Services
from bot.models import UNIT_SCOPED_ROLES, Invite, Role, Unit
from bot.storage import audit, invites, units
from bot.storage.invites import InviteStatus

DEFAULT_EXPIRY = timedelta(days=14)


class InviteError(ValueError):
    """An invite that cannot be made as asked (unknown unit, role without unit …)."""


@dataclass
class NewInvite:
    """A freshly made invite: the token (shown once) and what it is for."""

    token: str
    invite: Invite
    unit: Unit | None


def invite_link(bot_username: str, token: str) -> str:
    """The Telegram deep link that opens the bot with this invite."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def create_invite(
    services: Services,
    *,
    role: Role | str = Role.primary,
    now: datetime,
    unit_code: str | None = None,
    unit_id: int | None = None,
    expires: timedelta = DEFAULT_EXPIRY,
    created_by_person_id: int | None = None,
) -> NewInvite:
    """Make an invite for a unit (by code or id) and role; leader invites have no unit, a coordinator's may (one level's)."""
    try:
        role = Role(role)
    except ValueError:
        raise InviteError(f"unknown role {role!r}; expected one of {', '.join(r.value for r in Role)}") from None
    if expires <= timedelta(0):
        raise InviteError("an invite must expire in the future")
    token = invites.new_token()
    with services.storage.session() as s:
        unit: Unit | None = None
        if role in UNIT_SCOPED_ROLES:
            if unit_code is not None:
                unit = units.get_unit_by_code(s, code=unit_code)
            elif unit_id is not None:
                unit = units.get_unit(s, unit_id=unit_id)
            if unit is None or not unit.active:
                raise InviteError(f"no active unit {unit_code or unit_id!r}" if (unit_code or unit_id) else f"role {role.value} needs a unit")
        elif role is Role.coordinator and (unit_code is not None or unit_id is not None):
            # a coordinator of one level: acts for that unit's subtree only
            unit = units.get_unit_by_code(s, code=unit_code) if unit_code is not None else units.get_unit(s, unit_id=unit_id or 0)
            if unit is None or not unit.active:
                raise InviteError(f"no active unit {unit_code or unit_id!r}")
        elif unit_code is not None or unit_id is not None:
            raise InviteError(f"role {role.value} is campaign-wide: give no unit")
        invite = invites.create_invite(
            s,
            token_hash=invites.hash_token(token),
            role=role,
            unit_id=unit.id if unit else None,
            created_by_person_id=created_by_person_id,
            now=now,
            expires_at=now + expires,
        )
        audit.audit(
            s,
            action="invite.create",
            now=now,
            actor_person_id=created_by_person_id,
            subject=f"invite:{invite.id}",
            details={"unit": unit.code if unit else None, "role": role.value, "expires_at": invite.expires_at.isoformat()},
        )
    return NewInvite(token=token, invite=invite, unit=unit)


def create_invite_token(
    services: Services,
    *,
    unit_code: str | None,
    role: Role | str = Role.primary,
    now: datetime,
    expires: timedelta = DEFAULT_EXPIRY,
) -> str:
    """Script-friendly: just the token of a new invite (e.g. for `liaison-bot demo --script`)."""
    return create_invite(services, unit_code=unit_code, role=role, now=now, expires=expires).token


def units_to_invite(services: Services) -> list[Unit]:
    """The active units an invite can be made for, by code."""
    with services.storage.session() as s:
        return units.list_units(s)


def unit_to_invite(services: Services, *, unit_id: int) -> Unit | None:
    """The unit a chosen button names, if it is still active."""
    with services.storage.session() as s:
        unit = units.get_unit(s, unit_id=unit_id)
    return unit if unit is not None and unit.active and unit.id is not None else None


def looks_like_token(text: str) -> bool:
    """Whether a /start payload could be an invite token at all (cheap check before hashing)."""
    return 16 <= len(text) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in text)


__all__ = [
    "DEFAULT_EXPIRY",
    "InviteError",
    "InviteStatus",
    "NewInvite",
    "create_invite",
    "create_invite_token",
    "invite_link",
    "looks_like_token",
    "unit_to_invite",
    "units_to_invite",
]
