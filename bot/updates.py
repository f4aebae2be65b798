"""Update processing: different users concurrently, one user's updates strictly in order; each
confirmed to Telegram only once handled (`Confirmations`)."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import inspect
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `max_concurrent_updates` at once, but never two of the same chat.

    A liaison who types two answers quickly must have them handled in order, against the
    draft the first one left; other users must not wait behind them.
    """

    def __init__(self, max_concurrent_updates: int = 16, confirmations: Confirmations | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.confirmations = confirmations or Confirmations()
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers while holding its chat's lock."""
        cancelled = False
        try:
            await self._in_order(update, coroutine)
        except asyncio.CancelledError:
            cancelled = True  # stopped midway: left open, Telegram sends it again to the next process
            if inspect.iscoroutine(coroutine):
                coroutine.close()  # (stopped while waiting for its chat's turn: never run, not leaked)
            raise
        finally:
            if not cancelled and isinstance(update, Update):
                self.confirmations.done(update.update_id)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


log = logging.getLogger(__name__)

HELD_WAIT_S = 0.1  # while updates are open, Telegram answers getUpdates at once with them: ask again after this long, or when the lowest is done
GATHER_S = 0.005  # and then this long more, so that one getUpdates confirms the updates done together
PIN_MAX = 50  # updates kept unconfirmed for later (the database away); beyond, kept in memory only (getUpdates returns at most 100)
HOLD_MAX = 50  # updates Telegram sends again at most (the open one held and those after it): the rest of its 100 is for new ones


class Confirmations:
    """Which fetched updates Telegram may forget: getUpdates' offset confirms every update below it.

    PTB asks for the next batch as soon as one is queued, with the offset past it: a process killed
    then loses what it had fetched and not yet handled. Here the offset stays at the lowest update
    still open (fetched and not handled, or kept for later: `pin`); Telegram sends the open ones
    again with every answer, and they are skipped here. A process killed meanwhile gets them again
    when it restarts; a process stopped in order confirms what it handled (`LiaisonBot.shutdown`).
    """

    def __init__(self) -> None:
        self.fetched: set[int] = set()  # handed to the application and not yet confirmed
        self.open: set[int] = set()  # of those, not handled yet or pinned
        self.pinned: set[int] = set()
        self.polled = False
        self.only_repeats = False
        self.changed = asyncio.Event()

    def offset(self, wanted: int | None) -> int | None:
        """The offset to ask with: PTB's (`wanted`, past every update fetched), held at the lowest open one.

        Not so low that Telegram's answer (at most 100 updates from the offset) would have no room
        for new ones: an update open for long (a file being read, an export) while others keep coming
        is confirmed once `HOLD_MAX` updates are behind it; it is still handled here, but a process
        killed before it is done no longer gets it again."""
        self.polled = True
        if self.open:
            later = sorted(i for i in self.fetched if i >= min(self.open))
            held = [i for i in sorted(self.open) if len(later) - bisect.bisect_left(later, i) <= HOLD_MAX]
            if len(held) < len(self.open):
                released = self.open - set(held)
                log.warning("%d update(s) open for long confirmed to Telegram so that newer ones still come (a kill would lose them)", len(released))
                self.open -= released
                self.pinned -= released
            wanted = min(held) if held else wanted
        if wanted:
            self.fetched = {i for i in self.fetched if i >= wanted}
        self.changed.clear()
        return wanted

    def take(self, updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Of getUpdates' answer (before it is parsed), the updates not handed over yet (Telegram sends
        the open ones again), now open; `only_repeats` tells an answer of open ones only."""
        new = [u for u in updates if u.get("update_id") not in self.fetched]
        for update in new:
            self.fetched.add(update["update_id"])
            self.open.add(update["update_id"])
        self.only_repeats = bool(updates) and not new
        return new

    async def wait(self, seconds: float) -> None:
        """Until an open update is done (or `seconds`)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), seconds)

    def done(self, update_id: int) -> None:
        """Its handlers have run: Telegram may forget it (unless it is pinned)."""
        if update_id in self.open and update_id not in self.pinned:
            lowest = update_id == min(self.open)
            self.open.discard(update_id)
            if lowest:  # the offset moves on: ask again now (else Telegram would send the same open ones)
                self.changed.set()

    def pin(self, update_id: int) -> bool:
        """Keep an update unconfirmed after its handlers ran (to be handled again); False when too many are."""
        if update_id not in self.fetched or (update_id not in self.pinned and len(self.pinned) >= PIN_MAX):
            return False
        self.pinned.add(update_id)
        self.open.add(update_id)
        return True

    def unpin(self, update_id: int) -> None:
        """A pinned update handled at last."""
        if update_id in self.pinned:
            self.pinned.discard(update_id)
            self.done(update_id)

    def last_offset(self) -> int | None:
        """The offset that confirms every update handled, when this process polled and has handled one since."""
        if not self.polled or not self.fetched:
            return None
        return min(self.open) if self.open else max(self.fetched) + 1
