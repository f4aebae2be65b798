"""Delivering one claimed reminder: send, retry within the moment, and settle what cannot be known.

How 429, network errors, 5xx and 403 are told apart and when a chat is probed: docs/reminders.md (Delivery)."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp
import httpx
from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.context import Services
from bot.services import outage
from bot.pacing import BROADCAST, PacedLimiter, keyboard_key
from bot.storage import deliveries, people, reminders

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # tries of one send in a row (with backoff); `reminders.retry_failed` tries again later
FINAL = reminders.FINAL  # attempts recorded for a reminder given up for good: never retried
MAX_PROBES = 12
BACKOFF_S = 0.5
BACKOFF_CAP_S = 8.0


class Outcome(StrEnum):
    """How a delivery ended."""

    sent = "sent"
    unreachable = "unreachable"
    failed = "failed"  # gave up for now (retryable later) or for good
    unknown = "unknown"  # may or may not have arrived; not retried (at most once)


@dataclass
class Delivery:
    """The end of one delivery."""

    outcome: Outcome
    message_id: int | None = None
    attempts: int = 1  # the row's attempt count at the end (for the next part of a multi-part row)
    tell_unreachable: bool = False  # a 403 ("blocked") that marked the person unreachable just now


def _surely_not_sent(error: Exception) -> bool:
    """True when the request never reached Telegram (safe to retry blindly)."""
    cause = error.__cause__
    never_sent = httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError
    return isinstance(cause, never_sent) or (
        isinstance(error, TimedOut) and "Pool timeout" in str(error)
    )


def _limiter(bot: Any) -> PacedLimiter | None:
    limiter = getattr(bot, "rate_limiter", None)
    return limiter if isinstance(limiter, PacedLimiter) else None


def chat_floor(bot: Any, chat_id: int) -> int | None:
    """The highest message id the limiter has seen in the chat; None if none (then: no probe)."""
    limiter = _limiter(bot)
    return limiter.top_message_id(chat_id) if limiter else None


async def _probe(  # noqa: C901
    bot: Any, chat_id: int, floor: int, markup: InlineKeyboardMarkup, lane: str, *, skip: set[int] | None = None
) -> int | None | bool:
    """The id of our message if it is in the chat, None if it surely is not, False if unknown.

    Probes ids above `floor` with a keyboard-only edit (see the module docstring); `skip`: more
    ids known to be the bot's other messages. A message of the bot's that this process saw
    answered is recognised by its keyboard without a request: ours if it is this one (a send
    whose answer came but whose recording failed, e.g. the database was away), else skipped.
    """
    limiter = _limiter(bot)
    known = limiter.own_keyboards(chat_id) if limiter else {}
    ours = keyboard_key(markup)
    own = set(known) | (skip or set())
    for message_id, key in sorted(known.items()):
        if message_id > floor and key == ours:
            return message_id
    message_id, probes, failures = floor + 1, 0, 0
    while probes < MAX_PROBES:
        if message_id in own:
            message_id += 1
            continue
        probes += 1
        try:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=markup, rate_limit_args={"lane": lane})
        except BadRequest as e:
            answer = e.message.lower()
            if "not modified" in answer:
                return message_id
            if "not found" in answer:
                return None
            if "can't be edited" in answer:
                message_id += 1  # the user's message: nothing was changed
                continue
            log.warning("delivery probe: unexpected answer %r; delivery unknown", e.message)
            return False
        except Forbidden:
            return None  # blocked: nothing more can reach them, so a send (answered 403) can double nothing
        except (NetworkError, RetryAfter) as e:
            if not (isinstance(e, RetryAfter) or _surely_not_sent(e)):
                log.warning("delivery probe: no answer (%r); delivery unknown", e)
                return False  # it may have changed a message: a later "not modified" would prove nothing
            failures += 1
            if failures > 3:
                return False
            await asyncio.sleep(BACKOFF_S * failures)
            continue
        else:
            # One of the bot's messages we did not know: it now carries this reminder's keyboard.
            log.warning("delivery probe changed the keyboard of an unknown bot message; removing it, delivery unknown")
            await _remove_keyboard(bot, chat_id, message_id, lane)
            return False
    return False


async def _remove_keyboard(bot: Any, chat_id: int, message_id: int, lane: str) -> None:
    """Take the keyboard the probe put on a message off again (best effort)."""
    try:
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None, rate_limit_args={"lane": lane})
    except TelegramError as e:
        log.warning("delivery probe: could not remove the keyboard it added: %r", e)


async def deliver(
    services: Services,
    bot: Any,
    *,
    reminder_id: int,
    person_id: int,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    lane: str = BROADCAST,
    attempts: int = 1,
) -> Delivery:
    """Send a claimed reminder (its row holding `attempts`) and record how it ended (see the module docstring)."""
    return await deliver_parts(
        services, bot, reminder_id=reminder_id, person_id=person_id, chat_id=chat_id, texts=[text], markup=markup, lane=lane, attempts=attempts
    )


async def deliver_parts(
    services: Services,
    bot: Any,
    *,
    reminder_id: int,
    person_id: int,
    chat_id: int,
    texts: list[str],
    markup: InlineKeyboardMarkup | None = None,
    lane: str = BROADCAST,
    attempts: int = 1,
) -> Delivery:
    """Send one claimed row as several messages in order (a digest longer than one message).

    The row is recorded sent (with the last part's message id) only when every part went
    out; the first part that does not go out decides the row's fate (failed, unreachable,
    unknown) and the later parts are not sent. `markup` goes on the last part.
    """
    flying = in_flight(services)
    flying.add(reminder_id)
    try:
        result = Delivery(Outcome.failed)
        for index, text in enumerate(texts):
            last = index == len(texts) - 1
            result = await _deliver(
                services, bot, reminder_id=reminder_id, person_id=person_id, chat_id=chat_id, text=text,
                markup=markup if last else None, lane=lane, attempts=attempts, record_sent=last,
            )
            if result.outcome is not Outcome.sent:
                break
            attempts = result.attempts
    finally:
        flying.discard(reminder_id)
    if result.tell_unreachable:  # outside any session: it sends to the coordinators
        from bot.services import notify

        try:  # a notice that cannot go out never stops the reminders (the digest names the unreachable)
            await notify.tell_newly_unreachable(services, bot, person_id=person_id)
        except Exception as e:
            if outage.is_outage(e):  # the database away: a normal state (the digest names them when it is back)
                log.warning("telling the coordinators that person %s is unreachable: the database is away (%s)", person_id, type(e).__name__)
            else:
                log.exception("telling the coordinators that person %s is unreachable failed", person_id)
    return result


def in_flight(services: Services) -> set[int]:
    """Ids of the reminders this process is delivering right now (never stuck, however long they take)."""
    return services.caches.in_flight


async def _deliver(  # noqa: C901
    services: Services,
    bot: Any,
    *,
    reminder_id: int,
    person_id: int,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None,
    lane: str,
    attempts: int,
    record_sent: bool = True,
) -> Delivery:
    """One message of a claimed row, with retries; `record_sent=False` leaves a success unrecorded."""
    storage = services.storage
    attempt = attempts
    while True:
        floor = chat_floor(bot, chat_id)  # before this send: the probe only looks above it
        error: str
        try:
            message: Message = await bot.send_message(chat_id, text, reply_markup=markup, rate_limit_args={"lane": lane})
        except Forbidden as e:
            newly = await services.writes(_blocked, services, reminder_id=reminder_id, person_id=person_id, error=f"403 {e.message}")
            # (one who never started the bot is named in the digest instead: `never_started_bot`)
            tell = newly and not never_started_bot(e.message)
            return Delivery(Outcome.unreachable, attempts=attempt, tell_unreachable=tell)
        except BadRequest as e:
            if chat_id > 0 and never_started_bot(e.message):
                # A private chat the bot never had (a leader or coordinator named in config.toml who never opened
                # it; Telegram answers so as well as 403 "can't initiate conversation"): unreachable until they
                # start it, as a 403 would leave them (sent again then, named in the digest meanwhile).
                await services.writes(_blocked, services, reminder_id=reminder_id, person_id=person_id, error=f"400 {e.message}")
                return Delivery(Outcome.unreachable, attempts=attempt)
            await services.writes(
                storage.deliveries.give_up_reminder, reminder_id=reminder_id, error=f"{reminders.UNDELIVERED}: 400 {e.message}", attempts=FINAL, now=services.clock.now()
            )
            return Delivery(Outcome.failed, attempts=attempt)
        except RetryAfter as e:
            error = f"429 retry after {e.retry_after}"
        except (NetworkError, TimedOut) as e:  # TimedOut is a NetworkError; named for the reader
            error = f"{type(e).__name__}: {e.message}"
            if not _surely_not_sent(e):
                if markup is None:
                    why = "no keyboard to recognise it by"
                    found: int | None | bool = False
                elif floor is None:  # restarted since this chat's last message: the database's floor
                    why = "the probe from the last recorded reminder could not tell"
                    # (not the person's last message now: another process's may be above ours)
                    db_floor, skip = await services.reads(_floor_and_skip, services, reminder_id=reminder_id, person_id=person_id)
                    found = await _probe(bot, chat_id, db_floor, markup, lane, skip=skip)
                else:
                    why = "the probe could not tell"
                    found = await _probe(bot, chat_id, floor, markup, lane)
                if found is False:
                    await services.writes(
                        storage.deliveries.give_up_reminder, reminder_id=reminder_id, error=f"delivery unknown after {error} ({why})", attempts=FINAL,
                        now=services.clock.now(),
                    )
                    return Delivery(Outcome.unknown, attempts=attempt)
                if found is not None:
                    await services.writes(storage.reminders.mark_reminder_sent, reminder_id=reminder_id, message_id=int(found), now=services.clock.now())
                    log.info("a dropped send had arrived; recorded it instead of sending again")
                    return Delivery(Outcome.sent, int(found), attempts=attempt)
        else:
            if record_sent:  # (in a thread, as the claim: `send._claim`)
                await services.writes(storage.reminders.mark_reminder_sent, reminder_id=reminder_id, message_id=message.message_id, now=services.clock.now())
            return Delivery(Outcome.sent, message.message_id, attempts=attempt)
        # Not sent: try again after a pause, unless the attempts are used up.
        if attempt >= attempts + MAX_ATTEMPTS - 1:
            await services.writes(storage.reminders.mark_reminder_failed, reminder_id=reminder_id, error=error, unreachable=False, now=services.clock.now())
            return Delivery(Outcome.failed, attempts=attempt)
        if not await services.writes(storage.reminders.reclaim_reminder, reminder_id=reminder_id, seen_attempts=attempt, now=services.clock.now()):
            return Delivery(Outcome.failed, attempts=attempt)  # someone else took it over
        attempt += 1
        await asyncio.sleep(min(BACKOFF_CAP_S, BACKOFF_S * 2 ** (attempt - 2)) * (0.5 + random.random() / 2))


def seen_here(bot: Any, chat_id: int, markup: InlineKeyboardMarkup) -> int | None:
    """The id of a message with exactly this keyboard that this process sent and saw answered, if any."""
    limiter = _limiter(bot)
    ours = keyboard_key(markup)
    known = limiter.own_keyboards(chat_id) if limiter else {}
    return next((message_id for message_id, key in sorted(known.items()) if key == ours), None)


async def find_delivered(
    services: Services, bot: Any, *, reminder_id: int, person_id: int, chat_id: int, markup: InlineKeyboardMarkup,
) -> int | None | bool:
    """Whether a reminder whose sender stopped mid-send (a stuck claim) is in the chat.

    The same probe as after an ambiguous failure (keyboard-only, stops as unknown at the first
    message it would change), from the floor of its claim (`deliveries.probe_floor`: no older
    message is ever touched, and none of ours is under it); every reminder id recorded for the
    person is skipped, and a message of the bot's that this process saw is recognised by its
    keyboard. The id of our message, None if it surely is not there, False if that cannot be told.
    """
    floor, skip = await services.reads(_floor_and_skip, services, reminder_id=reminder_id, person_id=person_id)
    return await _probe(bot, chat_id, floor, markup, BROADCAST, skip=skip)


def _floor_and_skip(services: Services, *, reminder_id: int, person_id: int) -> tuple[int, set[int]]:
    """Where a probe for this reminder starts, and the bot's messages to the person it skips."""
    with services.storage.read() as s:
        return deliveries.probe_floor(s, reminder_id=reminder_id), deliveries.message_ids_of(s, person_id=person_id)


def never_started_bot(error: str | None) -> bool:
    """Whether a send's error says the person never opened a chat with the bot (not: blocked it): a 403
    "can't initiate conversation", or a 400 "chat not found" for their private chat."""
    answer = (error or "").lower()
    return "initiate conversation" in answer or "chat not found" in answer


def _blocked(services: Services, *, reminder_id: int, person_id: int, error: str) -> bool:
    """A send answered 403, or 400 "chat not found" for a private chat: the row unreachable, the person too;
    whether they became unreachable just now."""
    now = services.clock.now()
    with services.storage.session() as s:
        reminders.mark_reminder_failed(s, reminder_id=reminder_id, error=error, unreachable=True, now=now)
        return people.mark_unreachable(s, person_id=person_id, now=now)
