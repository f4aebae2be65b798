"""Parse functions for the tests of `bot.parsing`: module-level, so a worker process can import them."""

from __future__ import annotations

import os
import signal
import time


def echo(data: bytes) -> tuple[int, bytes]:
    """The worker's pid and the bytes back."""
    return os.getpid(), data


def forever(data: bytes) -> None:
    """A parse that never ends (a file slow to parse)."""
    while True:
        time.sleep(1)


def hog(data: bytes, megabytes: int) -> int:
    """A parse that takes `megabytes` of memory at once."""
    held = bytearray(megabytes * 1024 * 1024)
    return len(held)


def hog_wrapped(data: bytes, megabytes: int) -> int:
    """A parser that turns every error into its own (as openpyxl and python-docx do)."""
    try:
        return hog(data, megabytes)
    except Exception as e:
        raise ValueError(f"cannot read: {type(e).__name__}") from None


def killed(data: bytes) -> None:
    """A worker killed from outside mid-parse (the kernel's OOM killer)."""
    os.kill(os.getpid(), signal.SIGKILL)


def damaged(data: bytes) -> None:
    """A parser's own error for a damaged file."""
    raise ValueError("not a workbook")
