"""One long-polling process per bot token: two pollers on one token make Telegram end each other's
getUpdates (409 Conflict) and updates go to whichever asked last. The poller holds a lease in the
database, renewed while it runs; a second `run` on the same database is refused with a clear line.
(A second poller on another database cannot be seen here: Telegram's 409 is its only sign.)"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.storage import Storage
from bot.storage import ops as ops_storage

log = logging.getLogger(__name__)

TTL = timedelta(seconds=60)  # a poller that died is replaced after this
RENEW_EVERY_S = 15


class LeaseHeld(Exception):
    """Another live poller holds the lease: `what` happened and what `todo`."""

    def __init__(self, what: str, todo: str) -> None:
        super().__init__(what)
        self.what = what
        self.todo = todo


def holder_name() -> str:
    """Who holds the lease, as the refusal names it: host and process id."""
    return f"{socket.gethostname()} pid {os.getpid()}"


class PollerLease:
    """The lease of one bot's getUpdates, held by this process."""

    def __init__(self, storage: Storage, *, bot_id: int, now: Callable[[], datetime], holder: str | None = None) -> None:
        self.storage = storage
        self.bot_id = bot_id
        self.now = now
        self.holder = holder or holder_name()
        self._turn = threading.Lock()  # a renewal under way and the release, one after the other
        self._released = False

    def take(self) -> None:
        """Take the lease; LeaseHeld while another live poller holds it."""
        now = self.now()
        with self.storage.session() as s:
            lease = ops_storage.take_lease(s, bot_id=self.bot_id, holder=self.holder, now=now, ttl=TTL)
            holder, since, until = lease.holder, lease.acquired_at, lease.expires_at
        if holder != self.holder:
            raise LeaseHeld(
                f"Another liaison-bot is already polling this bot's updates: {holder}, since {since:%Y-%m-%d %H:%M:%S} UTC",
                f"stop that one first (two pollers would take each other's updates); if it died, its lease ends at "
                f"{until:%H:%M:%S} UTC; to run several workers, use webhook mode",
            )

    def renew(self) -> bool:
        """Keep the lease; False if it was lost (this process stalled past the TTL and another took it).
        After the release it takes nothing back: a renewal whose task the stop cancelled still runs in
        its thread, and would otherwise hold the lease for the next poller's whole TTL."""
        with self._turn:
            if self._released:
                return True
            try:
                self.take()
            except LeaseHeld:
                return False
            return True

    def release(self) -> None:
        """Give the lease up at a clean stop, so the next poller need not wait (after a renewal under way)."""
        with self._turn:
            self._released = True
            with self.storage.session() as s:
                ops_storage.release_lease(s, bot_id=self.bot_id, holder=self.holder)

    async def keep(self, on_lost: Callable[[], None], *, thread: Callable[..., Awaitable[Any]] = asyncio.to_thread) -> None:
        """Renew every few seconds until cancelled (in a worker thread, through `thread`: `Services.writes`,
        so that the stop waits for a renewal under way); call `on_lost` if the lease is lost."""
        while True:
            await asyncio.sleep(RENEW_EVERY_S)
            try:
                kept = await thread(self.renew)
            except Exception:  # a database hiccup: try again at the next round, the TTL leaves time
                log.warning("could not renew the poller's lease; retrying", exc_info=True)
                continue
            if not kept:
                log.error("the poller's lease was taken by another process; stopping")
                on_lost()
                return
