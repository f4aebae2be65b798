"""How the command line fails: one line saying what is wrong and what to do, exit status 2.

A `StartupError` is a failure the operator can fix (a bad token, an unreachable Bot API, a wrong
database URL, pending migrations, an invalid config); `main` prints its one line. Anything else
is a bug: one line too, and the traceback only with `--debug`. A pipe closed early (`| head`) ends
the command quietly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

EXIT_STARTUP = 2  # the operator can fix it
EXIT_BUG = 1
EXIT_INTERRUPTED = 130


class StartupError(Exception):
    """A failure the operator can fix: `str(self)` is the one line that says what to do."""

    def __init__(self, what: str, todo: str) -> None:
        self.what = what.rstrip(". ")
        self.todo = todo.rstrip(". ")
        super().__init__(f"{self.what}. {self.todo[:1].upper()}{self.todo[1:]}.")


def first_line(error: BaseException) -> str:
    """An exception's message, first line only (drivers append SQL and links on the next ones)."""
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def quiet_broken_pipe() -> None:
    """Point stdout at /dev/null so Python's flush at exit does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # (no real stdout: nothing to flush)
        pass


def guarded(command: Callable[[], int], *, debug: bool) -> int:
    """Run a subcommand; turn every failure into one line on stderr (the traceback with `debug`)."""
    try:
        code = command()
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        quiet_broken_pipe()
        return 0
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except StartupError as e:
        if debug:
            raise
        print(f"liaison-bot: {e}", file=sys.stderr)
        return EXIT_STARTUP
    except Exception as e:  # a bug: say so in one line
        if debug:
            raise
        print(
            f"liaison-bot: unexpected error: {type(e).__name__}: {first_line(e)}. "
            "Run again with --debug for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_BUG
