"""The pace of every Bot API request: `PacedLimiter`, the rate limiter all of the application's requests pass.

python-telegram-bot calls `process_request` for every request (replies, broadcasts, edits),
so pacing lives here and nowhere else. Unlike the stock `AIORateLimiter` it:

- paces message sends evenly slightly under Telegram's limits instead of letting bursts
  through (about 29.5/s in total and never more than 30 in a rolling second, 1/s per private chat, 20/min per group);
- keeps two lanes: answers to users who are talking to the bot go ahead of broadcasts
  (pass ``rate_limit_args={"lane": "broadcast"}`` for reminders and digests);
- on 429 holds back only the chat that got it, for ``retry_after``, while other chats go on.

Network errors, 5xx and 403 are the caller's to handle (`bot.services.reminders.delivery`): the
limiter must not guess whether a request that failed half-way was performed. To help the
caller find out, it remembers per chat the highest message id it has seen (in answers to
sends and in incoming updates) and the ids of the bot's own recent messages
(`top_message_id`, `own_message_ids`) with each one's keyboard (`own_keyboards`, by
`keyboard_key`), so that a reminder whose answer was seen is recognised among them:
message ids in a private chat are sequential.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

INTERACTIVE = "interactive"
BROADCAST = "broadcast"
LANES = (INTERACTIVE, BROADCAST)

# Requests that put a message in a chat; the others (answerCallbackQuery, getFile …) are not paced.
_PACED_PREFIXES = ("send", "copy", "forward", "editmessage")


@dataclass
class Limits:
    """Pacing limits, set slightly under Telegram's so that 429s stay rare."""

    total_per_s: float = 29.5
    private_interval_s: float = 1.0
    group_interval_s: float = 3.05  # 20 per minute
    max_retry_after: int = 3  # 429s in a row before a broadcast send gives up (delivery tries it again later)
    max_retry_after_interactive: int = 10  # for a reply to a user: nothing tries it again, so it waits out a longer flood
    # Telegram counts sends per second. Sends leave evenly at `total_per_s`; a dispatcher that woke
    # late (the event loop was busy) makes up at most `catch_up` intervals, and never more than
    # floor(total_per_s) + 1 sends leave within `window_s`: a second plus a guard for the sends'
    # uneven travel time, so what arrives in any second stays within Telegram's 30.
    window_s: float = 1.02
    catch_up: int = 8


@dataclass
class _Waiter:
    future: asyncio.Future[None]
    chat: int | str


@dataclass
class _Lane:
    # chat -> its waiters in arrival order; chats in order of their first waiter
    chats: OrderedDict[int | str, deque[_Waiter]] = field(default_factory=OrderedDict)


OWN_KEPT = 64  # the bot's messages remembered per chat


class PacedLimiter(BaseRateLimiter[dict[str, Any]]):
    """Paces every message send; answers go ahead of broadcasts; 429 holds back one chat only."""

    def __init__(self, limits: Limits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or Limits()
        self._clock = clock
        self._lanes = {lane: _Lane() for lane in LANES}
        self._chat_next: dict[int | str, float] = {}
        self._global_next = 0.0
        self._recent: deque[float] = deque()  # when the sends of the last `window_s` left
        self._window_cap = math.floor(self.limits.total_per_s) + 1
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self.retry_after_count = 0
        self._top: dict[int | str, int] = {}
        self._own: dict[int | str, dict[int, str]] = {}  # (a dict keeps its order and is half an OrderedDict's size)

    async def initialize(self) -> None:
        """Start the dispatcher (once, however often the bot is initialized)."""
        if self._task is not None and not self._task.done():
            return
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._dispatch(), name="paced-limiter")

    async def shutdown(self) -> None:
        """Stop the dispatcher; requests still waiting are cancelled."""
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for lane in self._lanes.values():
            for waiters in lane.chats.values():
                for w in waiters:
                    w.future.cancel()
            lane.chats.clear()

    def pending(self, lane: str = BROADCAST) -> int:
        """How many requests wait in a lane."""
        return sum(len(q) for q in self._lanes[lane].chats.values())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for this chat's and the bot's turn, then make the request; on 429 wait and retry."""
        chat = data.get("chat_id")
        if chat is None or not endpoint.lower().startswith(_PACED_PREFIXES):
            result = await callback(*args, **kwargs)
            if endpoint.lower() == "getupdates" and isinstance(result, list):
                self._note_updates(result)
            return result
        lane = (rate_limit_args or {}).get("lane", INTERACTIVE)
        if lane not in self._lanes:
            raise ValueError(f"unknown lane {lane!r}")
        tries = 0
        while True:
            await self._turn(chat, lane)
            try:
                result = await callback(*args, **kwargs)
                if isinstance(result, dict) and endpoint.lower().startswith(("send", "copy", "forward")):
                    self._note_own(chat, result)
                return result
            except RetryAfter as e:
                self.retry_after_count += 1
                tries += 1
                wait = e.retry_after if isinstance(e.retry_after, int | float) else e.retry_after.total_seconds()
                self._hold(chat, float(wait))
                if tries > (self.limits.max_retry_after if lane == BROADCAST else self.limits.max_retry_after_interactive):
                    raise
                log.info("429 for a chat; holding it %.1f s (try %d)", wait, tries)

    def top_message_id(self, chat: int | str) -> int | None:
        """The highest message id this process has seen in a chat, None if it saw none."""
        return self._top.get(_chat_key(chat))

    def own_message_ids(self, chat: int | str) -> set[int]:
        """Ids of the bot's recent messages in a chat that this process sent and saw answered."""
        return set(self._own.get(_chat_key(chat), ()))

    def own_keyboards(self, chat: int | str) -> dict[int, str]:
        """The bot's recent messages in a chat (as `own_message_ids`), each with its `keyboard_key`."""
        return dict(self._own.get(_chat_key(chat), {}))

    def _seen(self, chat: int | str, message_id: int) -> None:
        if len(self._top) > 200_000:
            self._top.clear()
            self._own.clear()
        if message_id > self._top.get(chat, 0):
            self._top[chat] = message_id

    def _note_own(self, chat: int | str, result: dict[str, Any]) -> None:
        message_id = result.get("message_id")
        if isinstance(message_id, int):
            key = _chat_key(chat)
            self._seen(key, message_id)
            own = self._own.get(key)
            if own is None:
                own = self._own[key] = {}
            own[message_id] = keyboard_key(result.get("reply_markup"))
            while len(own) > OWN_KEPT:
                del own[next(iter(own))]  # the oldest

    def _note_updates(self, updates: list[Any]) -> None:
        for update in updates:
            if not isinstance(update, dict):
                continue
            message = update.get("message") or update.get("edited_message")
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat, message_id = message["chat"].get("id"), message.get("message_id")
                if isinstance(chat, int) and isinstance(message_id, int):
                    self._seen(chat, message_id)

    def _hold(self, chat: int | str, seconds: float) -> None:
        self._chat_next[chat] = max(self._chat_next.get(chat, 0.0), self._clock() + seconds)
        if self._wake:
            self._wake.set()

    async def _turn(self, chat: int | str, lane: str) -> None:
        if self._task is None:
            raise RuntimeError("PacedLimiter used before initialize()")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._lanes[lane].chats.setdefault(chat, deque()).append(_Waiter(future, chat))
        assert self._wake is not None
        self._wake.set()
        await future

    def _interval(self, chat: int | str) -> float:
        is_group = isinstance(chat, str) or chat < 0
        return self.limits.group_interval_s if is_group else self.limits.private_interval_s

    def _pick(self, now: float) -> tuple[_Lane, int | str] | float:
        """The lane and chat whose turn it is, or the earliest moment one may be ready."""
        soonest = float("inf")
        for lane_name in LANES:
            lane = self._lanes[lane_name]
            for chat, waiters in lane.chats.items():
                while waiters and waiters[0].future.cancelled():
                    waiters.popleft()
                if not waiters:
                    continue
                ready_at = self._chat_next.get(chat, 0.0)
                if ready_at <= now:
                    return lane, chat
                soonest = min(soonest, ready_at)
        return soonest

    async def _dispatch(self) -> None:
        assert self._wake is not None
        while True:
            now = self._clock()
            if self._global_next > now:
                await asyncio.sleep(self._global_next - now)
                continue
            self._drop_empty()
            picked = self._pick(now)
            if isinstance(picked, float):
                self._wake.clear()
                timeout = None if picked == float("inf") else max(0.0, picked - now)
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    pass
                # Time spent with nothing ready to go is not made up afterwards (no burst after a pause).
                self._global_next = max(self._global_next, self._clock() - 1.0 / self.limits.total_per_s)
                continue
            lane, chat = picked
            waiters = lane.chats[chat]
            waiter = waiters.popleft()
            if not waiters:
                del lane.chats[chat]
            else:
                lane.chats.move_to_end(chat)  # other chats first: one chat's backlog doesn't block the lane
            self._chat_next[chat] = now + self._interval(chat)
            # Keep to the schedule: a dispatcher that woke late makes up at most `catch_up` intervals
            # (the rate lost to a busy event loop is won back), within the rolling window's cap.
            interval = 1.0 / self.limits.total_per_s
            self._global_next = max(self._global_next, now - self.limits.catch_up * interval) + interval
            recent = self._recent
            recent.append(now)
            while recent and recent[0] <= now - self.limits.window_s:
                recent.popleft()
            if len(recent) >= self._window_cap:  # the window is full: the next send waits for its oldest to leave it
                self._global_next = max(self._global_next, recent[0] + self.limits.window_s)
            waiter.future.set_result(None)

    def _drop_empty(self) -> None:
        for lane in self._lanes.values():
            for chat in [c for c, q in lane.chats.items() if not q or all(w.future.cancelled() for w in q)]:
                del lane.chats[chat]
        if len(self._chat_next) > 50_000:  # forget chats that are long past their turn
            now = self._clock()
            self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}


def keyboard_key(markup: Any) -> str:
    """What identifies an inline keyboard: its buttons' callback data in order ('' for none).

    `markup` is the Bot API's dict (in an answer) or a PTB `InlineKeyboardMarkup`."""
    if markup is not None and not isinstance(markup, dict):
        markup = markup.to_dict()
    rows = (markup or {}).get("inline_keyboard") or []
    return "|".join(str(b.get("callback_data") or b.get("url") or "") for row in rows for b in row if isinstance(b, dict))


def _chat_key(chat: int | str) -> int | str:
    """Chat ids arrive as int or numeric str depending on the caller; use one form."""
    if isinstance(chat, str) and chat.lstrip("-").isdigit():
        return int(chat)
    return chat
