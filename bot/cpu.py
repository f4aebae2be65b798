"""One CPU for the bot's process (`liaison-bot run --cpu N`), and its worker processes freed of it.

The bot is one event loop with worker threads for its database calls (`Services.reads`, `writes`); the
interpreter runs one of them at a time. On a machine of several cores the kernel moves the threads
between them, and every hand-over of a call to a thread then finds its data in the other core's cache:
on PostgreSQL, where each update's reads hop to a thread, `/due` costs about a quarter more CPU than with
the process on one core (bench/updates.py `--cpu`). Scaled out, run one worker per core, each on its own.

The worker processes (uploaded files parsed, big workbooks laid out) are started from the pinned process
and would inherit its one core: they take back the CPUs the bot had before it was pinned (`unpin`).
"""

from __future__ import annotations

import os

ORIGINAL_ENV = "LIAISON_BOT_CPUS_BEFORE_PIN"  # the CPUs before `pin`, for the worker processes (`unpin`)


def available() -> set[int]:
    """The CPUs this process may run on."""
    return set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or 1))


def pin(cpu: int) -> None:
    """Run this process (its threads made from now on) on `cpu` only; ValueError if it may not run there."""
    cpus = available()
    if cpu not in cpus or not hasattr(os, "sched_setaffinity"):
        raise ValueError(f"CPU {cpu} is not one this process may use (it may use {', '.join(map(str, sorted(cpus)))})")
    os.environ[ORIGINAL_ENV] = ",".join(map(str, sorted(cpus)))
    os.sched_setaffinity(0, {cpu})


def unpin() -> None:
    """In a worker process of a pinned bot: run on the CPUs the bot had before it was pinned."""
    before = os.environ.get(ORIGINAL_ENV)
    if not before or not hasattr(os, "sched_setaffinity"):
        return
    try:
        os.sched_setaffinity(0, {int(c) for c in before.split(",")})
    except (ValueError, OSError):  # (a CPU gone meanwhile: it stays where it is)
        pass
