"""The transcript a scripted walk-through prints: what each persona sends and presses, what the bot answers."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.sandbox import PERSONAS, Persona, Sandbox, render
from emulator import BotMessage


class Transcript:
    """Prints who said what, and what the bot answered to whom."""

    def __init__(self, sandbox: Sandbox, out: TextIO, files_dir: Path | None = None) -> None:
        self.sandbox = sandbox
        self.out = out
        self.names = {p.user_id: p.first_name for p in PERSONAS}
        self.files_dir = files_dir  # where files the bot sends are saved (the terminal chat), None: not saved
        self.buttons: dict[int, list[str]] = {}  # chat -> the buttons of the bot's latest message with buttons

    def note(self, text: str) -> None:
        """A narrator's line."""
        print(f"\n# {text}", file=self.out)

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Steps whose conversation is not printed."""
        out, self.out = self.out, io.StringIO()
        try:
            yield
        finally:
            self.out = out

    async def say(self, persona: Persona, text: str) -> list[BotMessage]:
        """The persona sends a message; print it and the bot's answers."""
        print(f"\n{persona.first_name} › {text}", file=self.out)
        await self.sandbox.user(persona).send(text)
        return await self.show()

    async def press(self, persona: Persona, button: str) -> list[BotMessage]:
        """The persona presses a button; print it and the bot's answers."""
        print(f"\n{persona.first_name} › [{button}]", file=self.out)
        await self.sandbox.user(persona).press(button)
        return await self.show()

    async def show(self) -> list[BotMessage]:
        """Print what the bot sent since the last look."""
        shown = []
        for chat_id, message in await self.sandbox.replies():
            who = self.names.get(chat_id, str(chat_id))
            print(f"bot → {who}:\n  {render(message)}", file=self.out)
            saved = self._save(message)
            if saved is not None:
                print(f"  💾 {saved}", file=self.out)
            if message.button_texts:
                self.buttons[chat_id] = message.button_texts
            shown.append(message)
        return shown

    def _save(self, message: BotMessage) -> Path | None:
        """Keep a file the bot sent in `files_dir`, under its own name (numbered if taken)."""
        if self.files_dir is None or not message.document:
            return None
        stored = self.sandbox.emulator.state.get_file(str(message.document["file_id"]))
        name = Path(str(message.document.get("file_name") or "file")).name or "file"
        target = self.files_dir / name
        n = 1
        while target.exists():
            n += 1
            target = self.files_dir / f"{Path(name).stem} ({n}){Path(name).suffix}"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stored.data)
        return target


DEMO_PDF = b"%PDF-1.4\n% liaison-bot demo: a stand-in for the decision\n" + b"0" * 256 + b"\n%%EOF\n"
