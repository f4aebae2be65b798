"""Uploaded files are parsed in worker processes, each job with a memory cap and a time limit.

A thread cannot be stopped: a small file that is slow to parse, or that makes openpyxl, python-docx
or lxml balloon, would hold its thread (and the memory of the bot) for as long as it likes. So every
parse of a user's file runs a pure, module-level function of bytes in a worker *process*
(`parse(fn, data, limits=…)`, blocking: the callers are already off the event loop):

- the worker's address space is capped for the job (`resource.setrlimit(RLIMIT_AS)`, its idle size plus
  `Limits.memory_mb`): a parse that needs more gets a MemoryError in the worker, or the worker dies;
- the caller waits at most `Limits.seconds`; then the worker is killed;
- either way the caller gets `ParseRefused` ("too-slow" / "too-big") and the worker is replaced by a
  fresh one at the next job. Other exceptions of the function (a damaged file) come back as they are.

Workers are started lazily with the 'spawn' context (never a fork of a process with threads and an
event loop), kept warm and reused (at most `SIZE` at once; a caller beyond waits for one to be free),
and stopped by `shutdown()` (the application's post_shutdown; daemon processes are reaped at exit in any
case). A worker that came near its cap, or whose size stayed above half its headroom, is retired
after its job; a parse that failed near the cap is refused as TOO_BIG whatever the parser made of the
failed allocation (libxml2 reports it as an XML syntax error, openpyxl wraps a MemoryError).
(Like any 'spawn' child, a worker imports the script that started the process as `__mp_main__`: a
script that uses this must keep its work under `if __name__ == "__main__":`.)
Where no process can be started (a platform without `multiprocessing`, a sandbox that forbids it) the
parse runs in the calling thread with a warning logged once: the size bounds still hold, the time
and memory limits do not.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
SIZE = 2  # worker processes at most (the bot's host has a couple of cores)
START_S = 60.0  # a worker that is not ready by then is taken for one that cannot start
PRELOAD = ("openpyxl", "docx", "bot.services.sheets", "bot.services.drafting.source")  # imported when a worker
# starts (the readers the upload handlers send it), so that a job's time is its parse
TOO_SLOW = "too-slow"
TOO_BIG = "too-big"
UNAVAILABLE = "unavailable"  # no worker could be started just now: the file is not read unbounded in a thread instead


class ParseRefused(Exception):
    """The file was not read within the limits; `reason` is TOO_SLOW, TOO_BIG or UNAVAILABLE (no worker now)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """What one parse may take: seconds of wall-clock time, megabytes above the idle worker's size."""

    seconds: float = 20.0
    memory_mb: int = 512


DEFAULTS = Limits()  # (the config's defaults too: [files] parse_seconds, parse_memory_mb)

def _vm(field: str) -> int:
    """This process's address space now ("VmSize") or at its largest ("VmPeak"), in bytes (0: no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cap(limit: int | None) -> None:
    """Cap the address space at `limit` bytes (None: lift the cap); the hard limit is left alone."""
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still holds
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = resource.RLIM_INFINITY if limit is None else limit
    if hard != resource.RLIM_INFINITY:
        wanted = hard if wanted == resource.RLIM_INFINITY else min(wanted, hard)
    if wanted != soft:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _out_of_memory(e: BaseException | None) -> bool:
    """Whether `e` is a MemoryError or was raised while handling one (a parser that wraps every error)."""
    seen = 0
    while e is not None and seen < 20:
        if isinstance(e, MemoryError):
            return True
        e, seen = e.__cause__ or e.__context__, seen + 1
    return False


def _serve(conn: Connection, preload: tuple[str, ...]) -> None:
    """The worker: jobs in, one answer out per job, until the pipe closes or None comes."""
    from bot import cpu

    cpu.unpin()  # (not on the bot's one core, when it has one: `liaison-bot run --cpu`)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # openpyxl imports numpy when present: no thread pool for it
    for name in preload:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    idle = _vm("VmSize")
    conn.send(("ready", idle))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args, kwargs, memory = job
        answer: tuple[str, Any]
        _cap(idle + memory if idle and memory else None)
        try:
            answer = ("ok", fn(*args, **kwargs))
        except Exception as e:  # the function's own (a damaged file): the caller gets it back
            answer = ("raised", e)
        finally:
            _cap(None)
        # Near the cap (libxml2 reports a failed allocation as an XML syntax error, openpyxl wraps a
        # MemoryError in its own): a failure there is the cap's, and a worker that grew is not kept.
        reached = bool(idle and memory) and _vm("VmPeak") >= idle + memory * 9 // 10
        if answer[0] == "raised" and (reached or _out_of_memory(answer[1])):
            answer = (TOO_BIG, None)
        retire = answer[0] == TOO_BIG or reached or bool(idle and memory and _vm("VmSize") > idle + memory // 2)
        try:
            conn.send((*answer, retire))
        except Exception as e:  # an answer that does not pickle
            conn.send(("raised", RuntimeError(f"{type(e).__name__}: {e}"), retire))


class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, context: Any) -> None:
        ours, theirs = multiprocessing.Pipe(duplex=True)
        self.conn = ours
        self.process = context.Process(target=_serve, args=(theirs, PRELOAD), name="liaison-bot-parse", daemon=True)
        self.process.start()
        theirs.close()
        if not ours.poll(START_S):
            self.stop()
            raise OSError("the parse worker did not start")
        try:
            _, self.idle = ours.recv()
        except (EOFError, OSError):
            self.stop()
            raise OSError("the parse worker died while starting") from None

    def stop(self, *, kill: bool = True) -> None:
        """Stop the process and reap it (kill: at once; else ask it to end first)."""
        if not kill and self.process.is_alive():
            try:
                self.conn.send(None)
                self.process.join(5)
            except (OSError, ValueError):
                pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class Workers:
    """A few warm worker processes, shared by every thread of this process (thread-safe)."""

    def __init__(self, size: int = SIZE, method: str = "spawn") -> None:
        self.size = size
        self.method = method
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._in_thread = False  # no process can be started here: parse in the calling thread
        self.replaced = 0  # workers killed or retired after a job (a figure for tests and benches)

    def run(self, fn: Callable[..., T], *args: Any, limits: Limits, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)` in a worker within `limits`; its exceptions are raised here, or `ParseRefused`."""
        if self._in_thread:
            return fn(*args, **kwargs)
        with self._slots:
            worker = self._take()
            if worker is None:
                return fn(*args, **kwargs)
            try:
                answer = self._ask(worker, (fn, args, kwargs, limits.memory_mb * 1024 * 1024), limits.seconds)
            except BaseException:
                self._drop(worker)
                raise
            kind, value, retire = answer
            if retire:
                self._drop(worker, kill=kind == TOO_BIG)  # after a failed allocation its state is not to be trusted
            else:
                self._give_back(worker)
            if kind == "ok":
                return value  # the function's own result, through a pickle
            if kind == "raised":
                raise value
            raise ParseRefused(TOO_BIG)

    def _ask(self, worker: _Worker, job: tuple[Any, ...], seconds: float) -> tuple[str, Any, bool]:
        try:
            worker.conn.send(job)
            if not worker.conn.poll(seconds):
                raise ParseRefused(TOO_SLOW)
            answer: tuple[str, Any, bool] = worker.conn.recv()
        except (EOFError, OSError, ValueError):  # the worker died (the kernel's OOM killer, a crash in C; or `shutdown`)
            raise ParseRefused(TOO_BIG) from None
        return answer

    def _take(self) -> _Worker | None:
        with self._lock:
            if self._idle:
                worker = self._idle.pop()
                self._busy.add(worker)
                return worker
        try:
            worker = _Worker(multiprocessing.get_context(self.method))
        except (ImportError, NotImplementedError, PermissionError) as e:  # not on this platform, nor in this sandbox
            log.warning("cannot start a parse worker (%s): uploads are parsed in threads, without a time or memory limit", e)
            self._in_thread = True
            return None
        except OSError as e:  # this time (out of processes or file handles, a worker dead at its start): the next job tries again
            log.warning("cannot start a parse worker (%s): this upload is refused (sent again, it is read)", e)
            raise ParseRefused(UNAVAILABLE) from e
        with self._lock:
            self._busy.add(worker)
        return worker

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if worker in self._busy:  # (not stopped by `shutdown` meanwhile)
                self._busy.discard(worker)
                self._idle.append(worker)
                return
        worker.stop()

    def _drop(self, worker: _Worker, *, kill: bool = True) -> None:
        with self._lock:
            self._busy.discard(worker)
            self.replaced += 1
        worker.stop(kill=kill)

    def pids(self) -> list[int]:
        """The worker processes alive now."""
        with self._lock:
            return [w.process.pid for w in (*self._idle, *self._busy) if w.process.pid is not None and w.process.is_alive()]

    def shutdown(self) -> None:
        """Stop every worker (a job in flight is refused); the next job starts a fresh one."""
        with self._lock:
            idle, busy = self._idle, self._busy
            self._idle, self._busy = [], set()
        for worker in idle:
            worker.stop(kill=False)
        for worker in busy:
            worker.stop()


workers = Workers()


def parse(fn: Callable[..., T], *args: Any, limits: Limits, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in one of this process's parse workers (blocking; see `Workers.run`)."""
    return workers.run(fn, *args, limits=limits, **kwargs)


def shutdown() -> None:
    """Stop this process's parse workers (the application's post_shutdown)."""
    workers.shutdown()
