"""The demo terminal: readline on a terminal (history kept, Tab completes), plain lines otherwise."""

from __future__ import annotations

import builtins
import io
from pathlib import Path

import pytest

from bot import demo_terminal


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_a_terminal_reads_through_readline_and_keeps_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readline = pytest.importorskip("readline")
    monkeypatch.setattr(demo_terminal, "HISTORY", tmp_path / "history")
    typed = iter(["/due", ":press 中文"])

    def typing(prompt: str) -> str:  # what input() does on a terminal with readline: the line joins the history
        line = next(typed)
        readline.add_history(line)
        return line

    monkeypatch.setattr(builtins, "input", typing)
    read = demo_terminal.reader(Terminal(), io.StringIO(), lambda: ["liaison", "中文"])
    assert await read("> ") == "/due"
    assert await read("> ") == ":press 中文"
    assert "/due" in (tmp_path / "history").read_text()  # kept for the next session
    complete = readline.get_completer()
    assert complete is not None and complete(":pr", 0) == ":press" and complete("li", 0) == "liaison"


async def test_a_pipe_reads_plain_lines() -> None:
    out = io.StringIO()
    read = demo_terminal.reader(io.StringIO("hello\n"), out, lambda: [])
    assert await read("> ") == "hello" and out.getvalue() == "> "
    assert await read("> ") is None


def test_the_hint_names_the_buttons() -> None:
    assert demo_terminal.hint(["中文", "English"]) == "  ↳ :press 中文  :press English"
    assert demo_terminal.hint(["a", "b", "c", "d"]).endswith(" …")
    assert "Ctrl-D" in demo_terminal.hint([])
