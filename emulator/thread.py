"""The emulator on its own thread and event loop, for synchronous callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from emulator.server import Emulator

T = TypeVar("T")


class EmulatorThread:
    """Run an `Emulator` in a background thread; `run()` executes a coroutine there.

    >>> with EmulatorThread() as thread:
    ...     user = thread.emulator.user(42, "Li")
    ...     thread.run(user.send("/start"))
    """

    def __init__(self, emulator: Emulator | None = None, **kwargs: Any) -> None:
        self._emulator = emulator
        self._kwargs = kwargs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def emulator(self) -> Emulator:
        assert self._emulator is not None, "start() the thread first"
        return self._emulator

    @property
    def url(self) -> str:
        return self.emulator.url

    def start(self, timeout: float = 10.0) -> None:
        """Start the loop and the server; returns once it listens."""
        self._thread = threading.Thread(target=self._main, name="telegram-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the emulator did not start in time")
        if self._error is not None:
            raise RuntimeError("the emulator failed to start") from self._error

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            if self._emulator is None:
                self._emulator = Emulator(**self._kwargs)
            loop.run_until_complete(self._emulator.start())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self._emulator.stop())
        loop.close()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        """Run a coroutine on the emulator's loop and return its result."""
        assert self._loop is not None, "start() the thread first"
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        """Stop the server and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = None
        self._thread = None

    def __enter__(self) -> EmulatorThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
