"""/healthz: the database answers, the Bot API answers getMe, the scheduler runs its jobs on time."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bot.storage import Storage

# A job whose next run is this far in the past means the scheduler is stuck.
LATE = timedelta(minutes=5)
API_CACHE_S = 15.0  # /healthz polled every few seconds must not become a stream of getMe
TIMEOUT_S = 5.0


@dataclass
class Health:
    """The checks of one worker; `check()` gives (ok, {check: "ok" or why not})."""

    app: Any  # the telegram Application
    storage: Storage
    _api: tuple[float, str] | None = field(default=None, repr=False)

    async def check(self) -> tuple[bool, dict[str, str]]:
        results = dict(
            zip(
                ("database", "bot_api", "scheduler"),
                await asyncio.gather(self._database(), self._bot_api(), self._scheduler()),
                strict=True,
            )
        )
        return all(v == "ok" for v in results.values()), results

    async def _database(self) -> str:
        def ping() -> None:
            with self.storage.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        try:
            await asyncio.wait_for(asyncio.to_thread(ping), TIMEOUT_S)
        except Exception as e:  # any failure is the answer, in one line
            return f"failing: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
        return "ok"

    async def _bot_api(self) -> str:
        now = time.monotonic()
        if self._api is not None and now - self._api[0] < API_CACHE_S:
            return self._api[1]
        try:
            await asyncio.wait_for(self.app.bot.get_me(), TIMEOUT_S)
            answer = "ok"
        except Exception as e:  # unreachable, timed out, token revoked: all one line
            answer = f"failing: {type(e).__name__}: {e}"
        self._api = (now, answer)
        return answer

    async def _scheduler(self) -> str:
        queue = self.app.job_queue
        if queue is None or not queue.scheduler.running:
            return "failing: the scheduler is not running"
        jobs = queue.jobs()
        if not jobs:
            return "failing: no job is scheduled (the reminder timer is missing)"
        now = datetime.now(UTC)  # (operations code may read the clock)
        late = [j.name for j in jobs if j.next_t is not None and j.next_t < now - LATE]
        return f"failing: jobs overdue by more than {LATE}: {', '.join(late)}" if late else "ok"
