"""Messages the bot starts (not replies): to one person, or to every coordinator in their private chat.

A 403 (the user blocked the bot) marks the person unreachable; they become reachable again
the next time they write to the bot (`handlers.guard` does that). The coordinators of the level
above the liaison's units (`level_above`; in a flat campaign, all of them) are told when a liaison
becomes unreachable, and see it in /liaisons.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.context import Services
from bot.models import Person, Role
from bot.storage import people, roles, units
from bot.texts.catalog import t

log = logging.getLogger(__name__)



def chat_of(person: Person) -> int:
    """A person's private chat (the same id as the user in Telegram)."""
    return person.chat_id or person.telegram_user_id


TRIES = 6  # a notice that meets a network error or a 5xx is sent, at most, this many times (11.5 s)
PAUSE_S = 0.5  # before the second try; doubles, up to PAUSE_MAX_S
PAUSE_MAX_S = 4.0


async def send_with_retries(bot: Bot, chat_id: int, text: str, *, tries: int = TRIES, **kw: Any) -> Message:
    """One message, tried again on a transient error (the network, a 5xx), at most `tries` times. A
    notice has no keyboard to recognise it by, so a send whose answer was lost after Telegram
    performed it may arrive twice: for a notice, twice is better than never."""
    for attempt in range(1, tries + 1):
        try:
            return await bot.send_message(chat_id, text, **kw)
        except BadRequest:  # (a NetworkError in PTB) the request itself is wrong: trying again cannot help
            raise
        except (NetworkError, RetryAfter) as e:  # TimedOut is a NetworkError; 429s the limiter gave up on
            if attempt == tries:
                raise
            log.info("a notice met %s; trying again (%d/%d)", type(e).__name__, attempt + 1, tries)
            await asyncio.sleep(min(PAUSE_S * 2 ** (attempt - 1), PAUSE_MAX_S))
    raise AssertionError("unreachable")


async def send_to_person(services: Services, bot: Bot, person: Person, text: str, **kw: Any) -> Message | None:
    """Send `text` to the person's private chat; None if they blocked the bot (then marked unreachable) or never started it.

    A transient error is tried again (`TRIES`); one that persists is raised."""
    try:
        return await send_with_retries(bot, chat_of(person), text, **kw)
    except Forbidden:
        assert person.id is not None
        newly = await services.writes(services.storage.people.mark_unreachable, person_id=person.id, now=services.clock.now())
        log.info("person %s is unreachable (403)", person.id)
        if newly and not await services.reads(_is_coordinator, services, person):
            await _tell_unreachable(services, bot, person)
        return None
    except BadRequest as e:
        if "chat not found" not in e.message.lower():
            raise
        # They never started the bot (e.g. a coordinator named in config.toml): nothing to mark.
        log.info("person %s has no chat with the bot yet", person.id)
        return None


async def tell_newly_unreachable(services: Services, bot: Bot, *, person_id: int) -> None:
    """A 403 has just marked this person unreachable: tell the coordinators (unless they are one)."""
    person = await services.writes(services.storage.people.get_person, person_id=person_id)
    if person is None or await services.reads(_is_coordinator, services, person):
        return
    log.info("person %s is unreachable (403 to a reminder); telling the coordinators", person_id)
    await _tell_unreachable(services, bot, person)


def _is_coordinator(services: Services, person: Person) -> bool:
    with services.storage.read() as s:
        return any(p.id == person.id for p in roles.people_with_role(s, role=Role.coordinator))


def level_above(services: Services, unit_ids: list[int], *, own_level: bool = False) -> list[Person]:
    """The coordinators answering for these units ("上报一级"): for each unit, those bound to its nearest ancestor
    (or, with `own_level`, to the unit itself first) that has any; for a unit with none (a flat campaign), the
    campaign-wide coordinators."""
    found: dict[int, Person] = {}
    with services.storage.read() as s:
        wide = False
        for unit_id in unit_ids:
            chain = units.ancestors(s, unit_id=unit_id)
            if own_level:
                chain = [u for u in [units.get_unit(s, unit_id=unit_id)] if u is not None] + chain
            above = next((people for a in chain if a.id is not None
                          for people in [roles.people_with_role(s, role=Role.coordinator, unit_id=a.id)] if people), None)
            if above is None:
                wide = True
            found.update({p.id or 0: p for p in above or []})
        if wide or not unit_ids:
            found.update({p.id or 0: p for _, p in roles.campaign_holders(s, role=Role.coordinator)})
    return [found[k] for k in sorted(found)]


def coordinators(services: Services) -> list[Person]:
    """Everyone currently holding the coordinator role."""
    return list(services.storage.roles.people_with_role(role=Role.coordinator))


async def tell_coordinators(services: Services, bot: Bot, key: str, /, to: list[Person] | None = None, **params: object) -> int:
    """Send catalog text `key` to every coordinator (or those named by `to`) in their own language; how many got it."""
    sent = 0
    for person in await services.writes(coordinators, services) if to is None else to:
        try:  # one coordinator who cannot be reached now does not keep the others from being told
            if await send_to_person(services, bot, person, t(services.language_of(person.language), key, **params)) is not None:
                sent += 1
        except TelegramError as e:
            log.warning("a notice %s to coordinator %s was not delivered: %r", key, person.id, e)
    return sent


async def _tell_unreachable(services: Services, bot: Bot, person: Person) -> None:
    def read() -> tuple[list[Any], Person | None]:
        with services.storage.read() as s:
            assert person.id is not None
            return roles.units_of(s, person_id=person.id), people.get_person(s, person_id=person.id)

    held, fresh = await services.reads(read)
    if fresh is None:
        return
    unit_names = "、".join(u.name for u in held) or "—"
    # whoever answers for each of their units: a coordinator bound to it, else to the nearest level above
    to = await services.reads(level_above, services, [u.id for u in held if u.id is not None], own_level=True)
    await tell_coordinators(
        services, bot, "notify.unreachable", to=to, name=fresh.name or fresh.first_name or str(fresh.telegram_user_id), units=unit_names
    )
