"""The database away: each user is answered once ("try again in a minute"), what they sent is kept
in this process and handled again when the database is back (`handlers.errors`). A kept message
stays unconfirmed at Telegram until then (the first `updates.PIN_MAX` of them, when polling): a
process killed meanwhile gets it again at its restart.

Kept: messages (text, files, photos) in private chats, at most `KEEP` (then the user is told
exactly what to send again). Not kept: button presses (Telegram takes an answer to a press only
for a short while; the user is told to press again in a minute)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.context import Services

KEEP = 500  # messages kept per process during one outage
REPLAY_EVERY_S = 5.0  # how often the database is tried while messages wait


@dataclass
class Backlog:
    """Messages that met the outage, in arrival order, and the chats already told about it."""

    updates: list[Any] = field(default_factory=list)
    ids: set[int] = field(default_factory=set)
    told: set[int] = field(default_factory=set)
    replaying: set[int] = field(default_factory=set)  # taken from the last outage's backlog, being handled again


def is_outage(error: BaseException | None) -> bool:
    """True when `error` (or what caused it) is the database being unreachable, not a bug."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OperationalError | InterfaceError) or (isinstance(error, DBAPIError) and error.connection_invalidated):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def backlog(services: Services) -> Backlog:
    """This process's backlog (made on first use)."""
    if services.caches.outage is None:
        services.caches.outage = Backlog()
    kept: Backlog = services.caches.outage
    return kept


def keep(services: Services, update: Any) -> bool:
    """Keep a message to handle again; False when the backlog is full (the user must resend)."""
    kept = backlog(services)
    if update.update_id in kept.ids:
        return True
    if len(kept.updates) >= KEEP:
        return False
    kept.updates.append(update)
    kept.ids.add(update.update_id)
    services.caches.confirmations.pin(update.update_id)
    return True


def first_time(services: Services, chat_id: int) -> bool:
    """Whether this chat has not yet been told about the current outage (and now counts as told)."""
    kept = backlog(services)
    if chat_id in kept.told:
        return False
    kept.told.add(chat_id)
    return True


def database_back(services: Services) -> bool:
    """Whether the database answers again."""
    return services.storage.ping()


def take_all(services: Services) -> list[Any]:
    """The kept messages, oldest first, to handle again now (`replaying`, then `replayed`); the
    outage is over (users may be told again next time)."""
    kept = backlog(services)
    updates = kept.updates
    services.caches.outage = Backlog(replaying=set(kept.ids) | kept.replaying)
    return updates


def replaying(services: Services, update_id: int) -> bool:
    """Whether this process kept the update and handles it again now (its claim is its own)."""
    kept = services.caches.outage
    return kept is not None and update_id in kept.replaying


def replayed(services: Services, update_id: int) -> None:
    """A kept message handled again: Telegram may forget it, unless the database went away again meanwhile."""
    kept = backlog(services)
    kept.replaying.discard(update_id)
    if update_id not in kept.ids:
        services.caches.confirmations.unpin(update_id)
