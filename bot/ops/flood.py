"""The flood limit shared by every worker: before a message goes out, its second is counted in the
database (`send_slot`), at most `per_second` sends per second for all workers together; a full
second makes the send wait for the next one. Per-chat pacing stays in each worker's `PacedLimiter`
(a chat's updates reach one worker at a time, its sends are paced there)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import TelegramError

from bot.ops.metrics import Metrics
from bot.pacing import _PACED_PREFIXES, Limits, PacedLimiter  # (the one list of paced methods)
from bot.storage import Storage
from bot.storage import ops as ops_storage

FORGET_EVERY_S = 60


class SharedLimiter(PacedLimiter):
    """A `PacedLimiter` whose global limit is counted in the database, shared with the other workers."""

    def __init__(
        self,
        storage: Storage,
        limits: Limits | None = None,
        *,
        metrics: Metrics | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(limits)
        self.storage = storage
        self.metrics = metrics
        self.per_second = max(1, math.floor(self.limits.total_per_s))
        self._wall = wall  # Unix time: the seconds all workers count in
        self._forgotten = 0
        self._thread: Callable[..., Awaitable[bool]] = asyncio.to_thread  # `count_threads_in`

    def count_threads_in(self, writes: Callable[..., Awaitable[Any]]) -> None:
        """Claim the seconds' slots through `writes` (`Services.writes`): counted among the database calls in
        threads, which the stop waits for before it closes the storage."""
        self._thread = writes

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Pace as `PacedLimiter` does; the request itself waits for a free slot of the shared second."""
        if data.get("chat_id") is None or not endpoint.lower().startswith(_PACED_PREFIXES):
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

        async def counted(*a: Any, **kw: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            await self.slot()
            return await callback(*a, **kw)

        started = time.monotonic()
        try:
            return await super().process_request(counted, args, kwargs, endpoint, data, rate_limit_args)
        except TelegramError as e:
            if self.metrics is not None:
                self.metrics.send_errors.labels(type(e).__name__).inc()
            raise
        finally:
            if self.metrics is not None:
                self.metrics.send_seconds.observe(time.monotonic() - started)

    async def slot(self) -> None:
        """Wait until this worker may send: a second in which all workers together sent fewer than `per_second`."""
        while True:
            second = int(self._wall())
            if await self._thread(self._claim, second):
                return
            await asyncio.sleep(max(0.005, second + 1 - self._wall()))

    def _claim(self, second: int) -> bool:
        with self.storage.session() as s:
            if second - self._forgotten >= FORGET_EVERY_S:
                ops_storage.forget_send_slots(s, before=second - FORGET_EVERY_S)
                self._forgotten = second
            return ops_storage.claim_send_slot(s, second=second, per_second=self.per_second)
