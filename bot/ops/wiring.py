"""`attach(app, …)`: put the operations pieces on an Application, as `liaison-bot run` does (and the
tests of several workers): updates taken once, metrics, /healthz and /metrics, the poller's lease."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.context import SERVICES_KEY, Services
from bot.ops import updates
from bot.ops.flood import SharedLimiter
from bot.ops.health import Health
from bot.ops.lease import PollerLease
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer
from bot.pacing import Limits
from bot.storage import Storage
from bot.storage import ops as ops_storage


def shared_limiter(storage: Storage, metrics: Metrics, limits: Limits | None = None) -> SharedLimiter:
    """The rate limiter of a worker: paced per chat here, the global limit counted in the database."""
    return SharedLimiter(storage, limits, metrics=metrics)


@dataclass
class Operations:
    """What `attach` put on one Application; `server` is None without a metrics port."""

    metrics: Metrics
    health: Health
    server: OpsServer | None = None
    lease: PollerLease | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)


def attach(
    app: Any,
    *,
    storage: Storage,
    clock: Clock,
    metrics: Metrics,
    limiter: SharedLimiter,
    listen: str | None = "127.0.0.1",
    port: int = 0,
    lease: PollerLease | None = None,
) -> Operations:
    """Claim updates, count metrics, serve /healthz and /metrics on `listen:port` (None: no server),
    hold the poller's `lease` while running. Chains onto the app's post_init and post_shutdown."""

    def reminders() -> dict[str, int]:
        with storage.session() as s:
            return ops_storage.reminders_by_status(s)

    services: Services = app.bot_data[SERVICES_KEY]
    limiter.count_threads_in(services.writes)  # its database calls counted with the rest: the stop waits for them
    metrics.watch(limiter, reminders, lambda: storage.on_loop.count)
    updates.register(app, storage=storage, clock=clock, metrics=metrics, polling=lease is not None)
    ops = Operations(metrics=metrics, health=Health(app=app, storage=storage), lease=lease)
    if listen is not None:
        ops.server = OpsServer(ops.health, metrics, listen=listen, port=port)
    first_init: Callable[[Any], Awaitable[None]] | None = app.post_init
    first_shutdown: Callable[[Any], Awaitable[None]] | None = app.post_shutdown

    async def post_init(application: Any) -> None:
        if first_init is not None:
            await first_init(application)
        if ops.server is not None:
            await ops.server.start()
        if lease is not None:
            ops._tasks.append(asyncio.create_task(lease.keep(application.stop_running, thread=services.writes), name="poller-lease"))

    async def post_shutdown(application: Any) -> None:
        for task in ops._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if ops.server is not None:
            await ops.server.stop()
        if lease is not None:
            await services.writes(lease.release)
        if first_shutdown is not None:
            await first_shutdown(application)

    app.post_init = post_init
    app.post_shutdown = post_shutdown
    return ops
