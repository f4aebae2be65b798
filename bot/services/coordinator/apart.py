"""Work done apart, in a worker process: the export's later sheets while this process writes the register.

The bot's process is bound by one interpreter lock: reading and laying out the statistics of 3,000
units beside the register's 216,000 lines took the sum of both. A worker process takes the second
half on another core. Workers come from a fork server (started once, fresh, without this
process's threads and event loop: forking those is unsafe), one process per job, so nothing of a
job stays in memory after it. Where no process can be started the caller does the work itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from bot import cpu

log = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS = 2  # exports at once (each has its own process)

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()
_unavailable = False


def submit(fn: Callable[..., T], *args: Any) -> Future[T] | None:
    """`fn(*args)` in a worker process (a module-level function; arguments and result picklable), or None
    when no worker process can be had here: the caller does the work itself."""
    global _pool, _unavailable
    with _lock:
        if _unavailable:
            return None
        try:
            if _pool is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([fn.__module__])  # the fork server imports it once; each job forks from it
                _pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=context, max_tasks_per_child=1, initializer=cpu.unpin)
            return _pool.submit(fn, *args)
        except (ValueError, OSError, RuntimeError) as e:  # no fork server on this platform, no processes allowed, pool broken
            log.warning("no worker process (%s): the work is done in this process", e)
            _close(wait=False)
            _unavailable = isinstance(e, ValueError)  # a platform without a fork server: never again
            return None


def reset() -> None:
    """Drop the pool after a worker died (the next job starts a new one)."""
    with _lock:
        _close(wait=False)


def shutdown() -> None:
    """Stop the workers (at the bot's stop)."""
    with _lock:
        _close(wait=True)


def _close(*, wait: bool) -> None:
    """Shut the pool down, if any (the caller holds `_lock`)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=wait, cancel_futures=True)
        _pool = None
