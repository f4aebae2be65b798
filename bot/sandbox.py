"""The sandbox: the real bot, a temporary database and the Bot API emulator on 127.0.0.1, and the
personas who talk to it (used by the terminal demo and the browser sandbox)."""

from __future__ import annotations

import asyncio
import html
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.clock import FixedClock, OffsetClock
from bot.config import Config, FilesSettings, People
from bot.models import Role
from bot.telegram_settings import TelegramSettings
from bot.db import upgrade
from bot.pacing import Limits, PacedLimiter
from bot.storage import Storage, people, roles, units
from emulator import BotMessage, Emulator, UserHandle


DEMO_TOKEN = "100001:demo-sandbox-not-a-real-token"


DEMO_BOT = "liaison_demo_bot"


# The demo lives inside seed 000's campaign: a Tuesday, three days before typical cases are due.
DEMO_START = datetime(2023, 8, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass(frozen=True)
class Persona:
    """Someone the demo lets you be."""

    key: str
    user_id: int
    first_name: str
    description: str
    language: str = "zh-hans"


PERSONAS = (
    Persona("coordinator", 1001, "苏荣", "综合协调组 coordinator"),
    Persona("liaison", 2001, "张伟", "liaison officer of 平岗市场监管所 (after registering)"),
    Persona("liaison2", 2002, "李娜", "liaison officer of 史河市场监管所 (after registering)"),
    Persona("leader", 3001, "潘泽民", "领导小组 leader"),
    Persona("english", 4001, "Alex", "an English-speaking user", "en"),
)


def render(message: BotMessage) -> str:
    """A bot message as plain terminal text, with its buttons."""
    text = re.sub(r"<br\s*/?>", "\n", message.source or message.text)
    text = re.sub(r"<a href=\"([^\"]*)\">(.*?)</a>", r"\2 (\1)", text)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = [("  " + line) if line else "" for line in text.splitlines()] or ["  (empty)"]
    if message.document:
        lines.append(f"  📎 {message.document.get('file_name', 'file')}")
    if message.photo:
        lines.append("  🖼 (picture)")
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        lines.append("  " + " ".join(f"[{b['text']}]" for b in row))
    prefix = "✎ " if message.edited else ""
    return prefix + "\n".join(lines).lstrip()


@dataclass
class Sandbox:
    """Emulator, bot and temporary database, started together."""

    config: Config
    clock: FixedClock | OffsetClock
    fast: bool = False
    people: People | None = None  # who coordinates and leads in the sandbox (default: 1001 and 3001)
    emulator: Emulator = field(init=False)
    storage: Storage = field(init=False)
    app: Any = field(init=False)
    _tmp: tempfile.TemporaryDirectory[str] = field(init=False)
    _seen: dict[int, int] = field(default_factory=dict)

    async def start(self) -> None:
        """Start everything; the bot polls the emulator."""
        self._tmp = tempfile.TemporaryDirectory(prefix="liaison-demo-")
        url = f"sqlite:///{Path(self._tmp.name) / 'demo.sqlite3'}"
        self.emulator = Emulator(bot_token=DEMO_TOKEN, bot_username=DEMO_BOT)
        await self.emulator.start()
        self.config = self.config.model_copy(
            update={
                "telegram": TelegramSettings(api_url=self.emulator.url, bot_username=DEMO_BOT),
                "people": self.people or People(coordinators=[1001], leaders=[3001]),
                "files": FilesSettings(dir=str(Path(self._tmp.name) / "files")),
            }
        )
        await asyncio.to_thread(upgrade, url)
        self.storage = Storage.from_url(url)
        # The scripted walk-through needs no real pacing (the emulator enforces no flood limits
        # here) and waits for each answer; the terminal chat paces like Telegram.
        limiter = PacedLimiter(Limits(total_per_s=1000.0, private_interval_s=0.0, group_interval_s=0.0)) if self.fast else None
        self.app = build_application(self.config, token=DEMO_TOKEN, storage=self.storage, clock=self.clock, limiter=limiter)
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        await self.app.updater.start_polling(poll_interval=0.0, timeout=2, allowed_updates=["message", "callback_query"])

    async def stop(self) -> None:
        """Stop the bot, the emulator, and remove the temporary database."""
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        self.storage.dispose()
        await self.emulator.stop()
        self._tmp.cleanup()

    def user(self, persona: Persona) -> UserHandle:
        """The emulator's handle for a persona."""
        return self.emulator.user(persona.user_id, first_name=persona.first_name, language_code=persona.language)

    def appoint(self, persona: Persona, role: Role, unit_code: str, *, title: str | None = None) -> None:
        """Give a persona a role for a unit, as accepting an invite for it would (the browser sandbox's unit head)."""
        now = self.clock.now()
        with self.storage.session() as s:
            unit = units.get_unit_by_code(s, code=unit_code)
            if unit is None or unit.id is None:
                raise LookupError(unit_code)
            person = people.get_or_create_person(s, telegram_user_id=persona.user_id, now=now, chat_id=persona.user_id, first_name=persona.first_name)
            person.name, person.department, person.title = persona.first_name, unit.name, title
            s.add(person)
            s.flush()
            assert person.id is not None
            roles.assign_role(s, person_id=person.id, role=role, unit_id=unit.id, now=now)

    async def replies(self, first_timeout: float = 5.0, quiet: float = 0.35) -> list[tuple[int, BotMessage]]:
        """Every new bot message or edit in any chat, once the bot has gone quiet."""
        loop = asyncio.get_running_loop()
        found: list[tuple[int, BotMessage]] = []
        deadline = loop.time() + first_timeout
        last_new = None
        while True:
            fresh = self._collect()
            if fresh:
                found.extend(fresh)
                last_new = loop.time()
            now = loop.time()
            if last_new is not None and now - last_new >= quiet:
                return found
            if last_new is None and now >= deadline:
                return found
            await asyncio.sleep(0.05)

    def _collect(self) -> list[tuple[int, BotMessage]]:
        out: list[tuple[int, BotMessage]] = []
        for chat_id, chat in self.emulator.state.chats.items():
            seen = self._seen.get(chat_id, 0)
            for event in chat.events[seen:]:
                out.append((chat_id, event))
            self._seen[chat_id] = len(chat.events)
        return out
