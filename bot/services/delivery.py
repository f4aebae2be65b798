"""Delivering one claimed reminder exactly once, as far as the Bot API allows.

A reminder row is claimed (`storage.reminders.claim_reminder`, a UNIQUE key) before its
message goes out, so no two senders — tasks or processes — ever send the same one. What is
left is the failure of a single send:

- 429: `bot.sender.PacedLimiter` holds that chat for `retry_after` and tries again itself;
  if it gives up, the message was surely not sent and we retry with backoff.
- 403 (blocked, never started): final; the person is marked unreachable, the caller turns to
  the backup.
- 400: final (the request itself is wrong); retrying cannot help.
- a connect error or a pool timeout: the request never left; retry with backoff.
- anything else that ends without Telegram's answer — a dropped connection (PTB:
  `NetworkError` from httpx's RemoteProtocolError/ReadError), a read timeout (`TimedOut`),
  a 5xx from the gateway — is *ambiguous*: Telegram may have performed it. From the client
  both cases look the same (the emulator's `drop_next(after=True/False)` produce identical
  errors), so a blind retry doubles and no retry loses. We *detect prior delivery* instead:
  message ids in a private chat are sequential, and every reminder's keyboard is unique
  (its buttons carry the reminder's row id). Starting above the highest message id known in
  the chat before the send (`PacedLimiter.top_message_id`, else the person's last reminder
  in the database), we ask Telegram to set each next message's text and keyboard to that same
  text and keyboard (editMessageText): "message is not modified" means our reminder is there (delivered: record its
  id); "message to edit not found" means no message has that id yet (not delivered:
  retry); "message can't be edited" is the user's message (look further). Ids of the bot's
  own other messages in the chat are skipped. If the probe cannot decide (no floor within
  `MAX_PROBES`, or the probe itself keeps failing) we choose *at most once*: the reminder is
  marked failed with "delivery unknown" and not retried automatically.

Limits of the probe, accepted: a message another process sent to the same chat in the same
second could have its keyboard changed by the probe; a request Telegram performs *after* we
probed (still in flight when the connection dropped) would be doubled by the retry.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import httpx
from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.context import Services
from bot.sender import BROADCAST, PacedLimiter
from bot.storage import people, reminders

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FINAL = 1_000_000  # attempts recorded for a reminder given up for good: never retried
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


def _surely_not_sent(error: Exception) -> bool:
    """True when the request never reached Telegram (safe to retry blindly)."""
    cause = error.__cause__
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout) or (
        isinstance(error, TimedOut) and "Pool timeout" in str(error)
    )


def _limiter(bot: Any) -> PacedLimiter | None:
    limiter = getattr(bot, "rate_limiter", None)
    return limiter if isinstance(limiter, PacedLimiter) else None


def _floor(services: Services, bot: Any, chat_id: int, person_id: int) -> int:
    limiter = _limiter(bot)
    known = limiter.top_message_id(chat_id) if limiter else None
    if known is not None:
        return known
    return services.storage.reminders.last_message_id(person_id=person_id) or 0


async def _probe(  # noqa: C901
    bot: Any, chat_id: int, floor: int, text: str, markup: InlineKeyboardMarkup, lane: str, *, skip: set[int] | None = None, strict: bool = False
) -> int | None | bool:
    """The id of our message if it is in the chat, None if it surely is not, False if unknown.

    `skip`: more ids known to be the bot's other messages. `strict`: an edit that changed a
    message (not byte-identical: someone else's message, or ours rendered differently) ends
    the probe as unknown instead of looking further.
    """
    limiter = _limiter(bot)
    own = (limiter.own_message_ids(chat_id) if limiter else set()) | (skip or set())
    message_id, probes, failures = floor + 1, 0, 0
    while probes < MAX_PROBES:
        if message_id in own:
            message_id += 1
            continue
        probes += 1
        try:
            # editMessageText with the very same text and keyboard: a no-op on our message. (Not
            # editMessageReplyMarkup: PTB adds the default parse_mode to it, which the API does not know.)
            await bot.edit_message_text(text, chat_id, message_id, reply_markup=markup, rate_limit_args={"lane": lane})
        except BadRequest as e:
            answer = e.message.lower()  # (not `text`: that is what each probe sets)
            if "not modified" in answer:
                return message_id
            if "not found" in answer:
                return None
            if "can't be edited" in answer:
                message_id += 1
                continue
            log.warning("delivery probe: unexpected answer %r", e.message)  # noqa
            return False
        except Forbidden:
            return False
        except (NetworkError, RetryAfter) as e:
            log.warning("delivery probe failed: %r", e)
            failures += 1
            if failures > 3:
                return False
            await asyncio.sleep(BACKOFF_S * failures)
            continue
        else:
            # Someone else's bot message (another process's): we changed its keyboard; go on.
            log.warning("delivery probe edited a message it did not recognise in a chat")
            if strict:
                return False
            message_id += 1
    return False


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
    flying = in_flight(services)
    flying.add(reminder_id)
    try:
        return await _deliver(
            services, bot, reminder_id=reminder_id, person_id=person_id, chat_id=chat_id, text=text, markup=markup, lane=lane, attempts=attempts
        )
    finally:
        flying.discard(reminder_id)


def in_flight(services: Services) -> set[int]:
    """Ids of the reminders this process is delivering right now (never stuck, however long they take)."""
    return services.extras.setdefault("delivery-in-flight", set())  # type: ignore[no-any-return]


async def _deliver(
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
) -> Delivery:
    storage = services.storage
    attempt = attempts
    while True:
        floor = _floor(services, bot, chat_id, person_id)
        error: str
        try:
            message: Message = await bot.send_message(chat_id, text, reply_markup=markup, rate_limit_args={"lane": lane})
        except Forbidden as e:
            now = services.clock.now()
            with storage.session() as s:
                reminders.mark_reminder_failed(s, reminder_id=reminder_id, error=f"403 {e.message}", unreachable=True, now=now)
                people.mark_unreachable(s, person_id=person_id, now=now)
            return Delivery(Outcome.unreachable)
        except BadRequest as e:
            storage.reminders.give_up_reminder(reminder_id=reminder_id, error=f"400 {e.message}", attempts=FINAL, now=services.clock.now())
            return Delivery(Outcome.failed)
        except RetryAfter as e:
            error = f"429 retry after {e.retry_after}"
        except (NetworkError, TimedOut) as e:  # TimedOut is a NetworkError; named for the reader
            error = f"{type(e).__name__}: {e.message}"
            if not _surely_not_sent(e) and markup is not None:
                found = await _probe(bot, chat_id, floor, text, markup, lane)
                if found is False:
                    storage.reminders.give_up_reminder(
                        reminder_id=reminder_id, error=f"delivery unknown after {error}", attempts=FINAL, now=services.clock.now()
                    )
                    return Delivery(Outcome.unknown)
                if found is not None:
                    storage.reminders.mark_reminder_sent(reminder_id=reminder_id, message_id=int(found), now=services.clock.now())
                    log.info("a dropped send had arrived; recorded it instead of sending again")
                    return Delivery(Outcome.sent, int(found))
            elif markup is None and not _surely_not_sent(e):
                storage.reminders.give_up_reminder(
                    reminder_id=reminder_id, error=f"delivery unknown after {error}", attempts=FINAL, now=services.clock.now()
                )
                return Delivery(Outcome.unknown)
        else:
            storage.reminders.mark_reminder_sent(reminder_id=reminder_id, message_id=message.message_id, now=services.clock.now())
            return Delivery(Outcome.sent, message.message_id)
        # Not sent: try again after a pause, unless the attempts are used up.
        if attempt >= attempts + MAX_ATTEMPTS - 1:
            storage.reminders.mark_reminder_failed(reminder_id=reminder_id, error=error, unreachable=False, now=services.clock.now())
            return Delivery(Outcome.failed)
        with storage.session() as s:
            if not reminders.reclaim_reminder(s, reminder_id=reminder_id, seen_attempts=attempt, now=services.clock.now()):
                return Delivery(Outcome.failed)  # someone else took it over
        attempt += 1
        await asyncio.sleep(min(BACKOFF_CAP_S, BACKOFF_S * 2 ** (attempt - 2)) * (0.5 + random.random() / 2))


async def find_delivered(
    services: Services, bot: Any, *, person_id: int, chat_id: int, text: str, markup: InlineKeyboardMarkup, started: datetime
) -> int | None | bool:
    """Whether a reminder whose sender stopped mid-send (a stuck claim) is in the chat.

    The same probe as after an ambiguous failure, made safe for a message another (dead)
    process may have sent: it starts above the person's last reminder recorded sent before the
    attempt began, skips every reminder id recorded for the person, and stops as unknown at
    the first message it would change. The id of our message, None if it surely is not
    there, False if that cannot be told.
    """
    with services.storage.session() as s:
        floor = reminders.last_message_id_before(s, person_id=person_id, before=started) or 0
        skip = reminders.message_ids_of(s, person_id=person_id)
    return await _probe(bot, chat_id, floor, text, markup, BROADCAST, skip=skip, strict=True)
