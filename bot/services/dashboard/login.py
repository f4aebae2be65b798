"""Who is looking at the dashboard: login links from /web, browser sessions, CSRF tokens.

A link is made by /web in a coordinator's private chat: it holds a random token, is bound to
that person, expires after `LINK_LIFETIME` and works once. Opening it starts a browser session
(another random token, in an HttpOnly SameSite=Strict cookie) for `[web] session_hours`.
Only SHA-256 hashes of both tokens are stored. Every request checks the session again and
the person's roles again: a coordinator who lost the role loses the dashboard at once.
The CSRF token of a session is an HMAC of its token, so it needs no storage.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import Services
from bot.services.people.access import Action, Roles, roles_of
from bot.storage import people, web
from bot.storage.web import LinkStatus

LINK_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class Viewer:
    """A logged-in coordinator: who, in which language, and which units they may see (None: all)."""

    person_id: int
    name: str
    language: str
    csrf: str
    visible_units: frozenset[int] | None
    roles: Roles

    def sees(self, unit_id: int) -> bool:
        return self.visible_units is None or unit_id in self.visible_units


def visible_units(services: Services, roles: Roles) -> frozenset[int] | None:
    """The units a coordinator may see on the dashboard: None for a campaign-wide one, else the
    subtrees of the units their role is bound to (`Roles.visible_units`, units in levels)."""
    return roles.visible_units


def may_use(roles: Roles) -> bool:
    """Only coordinators use the dashboard; liaisons, leaders and strangers do not."""
    return roles.may(Action.WEB) and roles.is_coordinator


def issue_link(services: Services, roles: Roles, *, language: str, now: datetime) -> str | None:
    """A fresh one-time login URL for this coordinator; None if the dashboard is off or they may not use it."""
    settings = services.config.web
    if settings.port is None or roles.person_id is None or not may_use(roles):
        return None
    token = secrets.token_urlsafe(32)
    with services.storage.session() as s:
        web.create_token(s, token=token, kind=web.LINK, person_id=roles.person_id, language=language, now=now, expires_at=now + LINK_LIFETIME)
    return f"{settings.base_url}/login/{token}"


@dataclass(frozen=True)
class Login:
    """What opening a link gave: a session token, or why not (a `LinkStatus` or "forbidden")."""

    session_token: str | None
    reason: str


def redeem(services: Services, token: str, *, now: datetime) -> Login:
    """Open a login link: it is used up whatever follows; a session only for a person who is still a coordinator."""
    with services.storage.session() as s:
        use = web.consume_link(s, token=token, now=now)
        if use.status is not LinkStatus.ok or use.person_id is None:
            return Login(None, use.status.value)
        person = people.get_person(s, person_id=use.person_id)
    if person is None or not may_use(roles_of(services, person.telegram_user_id)):
        return Login(None, "forbidden")
    session_token = secrets.token_urlsafe(32)
    hours = timedelta(hours=services.config.web.session_hours)
    with services.storage.session() as s:
        web.create_token(s, token=session_token, kind=web.SESSION, person_id=use.person_id, language=use.language, now=now, expires_at=now + hours)
    return Login(session_token, "ok")


def csrf_of(session_token: str) -> str:
    """The CSRF token that goes with a session (an HMAC of the session token)."""
    return hmac.new(session_token.encode(), b"liaison-bot csrf", hashlib.sha256).hexdigest()


def check_csrf(session_token: str, sent: str) -> bool:
    """Whether a form carried its session's CSRF token."""
    return hmac.compare_digest(csrf_of(session_token), sent or "")


def viewer(services: Services, session_token: str | None, *, now: datetime) -> Viewer | None:
    """The coordinator behind a session cookie, or None (no session, expired, or no longer a coordinator)."""
    if not session_token:
        return None
    with services.storage.session() as s:
        row = web.session_of(s, token=session_token, now=now)
        if row is None:
            return None
        person = people.get_person(s, person_id=row.person_id)
        language = row.language
    if person is None or person.id is None:
        return None
    roles = roles_of(services, person.telegram_user_id)
    if not may_use(roles):
        return None
    name = person.name or person.first_name or str(person.telegram_user_id)
    return Viewer(person.id, name, person.language or language, csrf_of(session_token), visible_units(services, roles), roles)


def logout(services: Services, session_token: str, *, now: datetime) -> None:
    """End a browser session."""
    with services.storage.session() as s:
        web.end_session(s, token=session_token, now=now)
