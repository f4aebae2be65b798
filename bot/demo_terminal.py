"""The terminal of `liaison-bot demo`: line editing and history (readline) when it is a terminal,
a hint line under each answer, and where the files the bot sends are kept."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TextIO

COMMANDS = (":as", ":press", ":file", ":later", ":who", ":help", ":quit")
HISTORY = Path.home() / ".liaison-bot-demo-history"


def files_folder() -> Path:
    """A new folder for the files the bot sends in this session (kept after the demo ends)."""
    return Path(tempfile.mkdtemp(prefix="liaison-demo-files-"))


def hint(buttons: Sequence[str]) -> str:
    """The hint line: how to press the buttons on screen, else what can be typed."""
    if buttons:
        shown = "  ".join(f":press {b}" for b in buttons[:3])
        more = " …" if len(buttons) > 3 else ""
        return f"  ↳ {shown}{more}"
    return "  ↳ type a message or a /command · :as NAME switches persona · :help · Ctrl-D quits"


def reader(stdin: TextIO, out: TextIO, words: Callable[[], Sequence[str]]) -> Callable[[str], Awaitable[str | None]]:
    """A function reading one line after a prompt; None at the end of input.

    On a terminal, readline gives line editing, history (kept in ~/.liaison-bot-demo-history)
    and Tab completion of the commands, personas and buttons (`words`)."""
    readline = _readline() if stdin.isatty() else None
    if readline is not None:
        _set_up(readline, words)

        async def read_tty(prompt: str) -> str | None:
            try:
                line = await asyncio.to_thread(input, prompt)
            except EOFError:
                return None
            readline.write_history_file(str(HISTORY))
            return line

        return read_tty

    async def read_lines(prompt: str) -> str | None:
        print(prompt, end="", file=out, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        return line.rstrip("\n") if line else None

    return read_lines


def _readline() -> ModuleType | None:
    """The readline module, where the platform has one."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows
        return None
    return readline


def _set_up(readline: ModuleType, words: Callable[[], Sequence[str]]) -> None:
    try:
        readline.read_history_file(str(HISTORY))
    except OSError:
        pass
    readline.set_history_length(1000)

    def complete(text: str, state: int) -> str | None:
        found = [w for w in (*COMMANDS, *words()) if w.startswith(text)]
        return found[state] if state < len(found) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" ")
    readline.parse_and_bind("tab: complete")
