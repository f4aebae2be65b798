"""The command menu each person sees: one table, role → commands, in the person's language.

Telegram shows the most specific menu set for a chat (`BotCommandScopeChat`), else the default
one for the user's language, else the language-less default. Strangers see the default menus
(`MENUS["stranger"]`); a registered person gets their own, the union of their roles' menus,
whenever their roles or chosen language change (`handlers/menus.py`). Another role's commands
(an /announce) are one more entry in `MENUS`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from bot.context import Services
from bot.services.people import access
from bot.services.people.access import Roles
from bot.storage import roles as role_rows
from bot.texts.catalog import LANGUAGES, t

# role -> its commands, in menu order; a person with several roles sees the union, coordinator's first.
MENUS: dict[str, tuple[str, ...]] = {
    "stranger": ("start", "help", "lang"),
    "coordinator": (
        "status", "outstanding", "remind", "review", "deadline", "announce", "announcements", "invite", "invites", "liaisons",
        "backups", "notify", "export", "compile", "chart", "problems", "newproblem", "tasks", "bulletin", "web", "me", "cancel", "help", "lang",
    ),
    "leader": ("status", "outstanding", "liaisons", "chart", "problems", "tasks", "me", "help", "lang"),
    "liaison": ("due", "submit", "me", "problems", "tasks", "cancel", "help", "lang"),
    "head": ("me", "help", "lang"),
}
ROLE_ORDER = ("coordinator", "leader", "liaison", "head")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MenuKey:
    """What a person's menu depends on: their roles and the language they chose (None: Telegram's)."""

    roles: tuple[str, ...]
    language: str | None

    @property
    def is_default(self) -> bool:
        """A stranger following Telegram's language sees the default menus: nothing of their own."""
        return not self.roles and self.language is None


def roles_key(who: Roles) -> tuple[str, ...]:
    """The rows of `MENUS` a person's roles take."""
    held = {"coordinator": who.is_coordinator, "leader": who.is_leader, "liaison": who.is_liaison, "head": bool(who.head_units)}
    return tuple(role for role in ROLE_ORDER if held[role])


def commands(role_names: tuple[str, ...]) -> list[str]:
    """The commands of these roles, each once, in menu order."""
    out: list[str] = []
    for role in role_names or ("stranger",):
        out += [c for c in MENUS[role] if c not in out]
    return out


def menu(role_names: tuple[str, ...], language: str) -> list[tuple[str, str]]:
    """(command, description) of the menu in `language`."""
    return [(c, t(language, f"commands.{c}")) for c in commands(role_names)]


def telegram_code(language: str) -> str:
    """The Bot API language_code of a catalog language ('zh-CN' → 'zh')."""
    return language.split("-")[0]


def chat_menus(key: MenuKey, default_language: str) -> dict[str, list[tuple[str, str]]]:
    """The menus to set for one person's chat, by Bot API language_code ('' for any other language).

    A chosen language wins whatever the Telegram client's language; otherwise each client
    language gets its own, and the campaign's language the rest."""
    out = {telegram_code(language): menu(key.roles, key.language or language) for language in LANGUAGES}
    out[""] = menu(key.roles, key.language or default_language)  # set last: until then each client language has its own
    return out


@dataclass(frozen=True)
class Holder:
    """A person who holds or held a role: whose chat may have a menu of its own."""

    telegram_user_id: int
    key: MenuKey


def holders(services: Services, running: Callable[[], bool] = lambda: True) -> list[Holder]:
    """Everyone who holds or has held a role, with the menu they should see now (as far as it got
    before `running()` said the bot stopped: a read per person, thousands in a large campaign)."""
    with services.storage.read() as s:
        found = [(p.telegram_user_id, p.language) for p in role_rows.people_ever_in_a_role(s)]
    out: list[Holder] = []
    for uid, language in found:
        if not running():
            break
        out.append(Holder(uid, MenuKey(roles_key(access.roles_of(services, uid)), language)))
    return out


def key_now(services: Services, *, telegram_user_id: int) -> MenuKey:
    """The menu this person should see now: their roles and chosen language, read afresh in one statement."""
    found = services.storage.identity.find(telegram_user_id=telegram_user_id)
    return MenuKey(roles_key(access.roles_from(found)), found.language)


def digest(menus: dict[str, list[tuple[str, str]]]) -> str:
    """What a chat's menus (`chat_menus`) say in every client language, as a digest: a new version's
    commands or descriptions change it, so a restart republishes them; the same menus do not."""
    return hashlib.sha256(json.dumps(menus, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def recorded(services: Services) -> dict[int, str]:
    """The menus set for chats before (by this process or an earlier one): Telegram user id -> digest."""
    with services.storage.read() as s:
        return role_rows.menus_set(s)


def record(services: Services, telegram_user_id: int, menus_digest: str) -> None:
    """Remember the menu just set for this chat (its `digest`); if the database is away it is set again at the next start."""
    try:
        with services.storage.session() as s:
            role_rows.record_menu(s, telegram_user_id=telegram_user_id, digest=menus_digest, now=services.clock.now())
    except SQLAlchemyError as e:
        log.warning("the menu set for a chat was not recorded (%s): it is set again at the next start", type(e).__name__)
