"""`liaison-bot demo`: the offline sandbox.

The real bot runs against the built-in Bot API emulator on 127.0.0.1 with a temporary
database; a person chats with it in the terminal as a liaison officer or a coordinator, or
`--script` plays a walk-through and prints the transcript. No token, no Telegram, no internet.
"""

from __future__ import annotations

import asyncio
import html
import io
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.clock import FixedClock, OffsetClock
from bot import demo_campaign
from bot.config import Config, FilesSettings, People, TelegramSettings, load_config
from bot.db import upgrade
from emulator import BotMessage, Emulator, UserHandle
from bot.logsetup import setup_logging
from bot.sender import Limits, PacedLimiter
from bot.services.reminders import timer
from bot.storage import Storage

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
                "people": People(coordinators=[1001], leaders=[3001]),
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


class Transcript:
    """Prints who said what, and what the bot answered to whom."""

    def __init__(self, sandbox: Sandbox, out: TextIO) -> None:
        self.sandbox = sandbox
        self.out = out
        self.names = {p.user_id: p.first_name for p in PERSONAS}

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
            shown.append(message)
        return shown


Step = Callable[[Transcript], Any]


async def script_basics(tr: Transcript) -> None:
    """A stranger, a coordinator, languages."""
    coordinator, liaison, english = PERSONAS[0], PERSONAS[1], PERSONAS[4]
    tr.note("A liaison officer opens the bot without an invite.")
    await tr.say(liaison, "/start")
    tr.note("The coordinator (configured in config.toml [people]) asks for help.")
    await tr.say(coordinator, "/help")
    tr.note("An English-speaking user is answered in English and can switch language.")
    await tr.say(english, "/help")
    await tr.say(english, "/lang")
    await tr.press(english, "中文")


def _link_token(messages: list[BotMessage]) -> str:
    for message in messages:
        found = re.search(r"\?start=([A-Za-z0-9_-]+)", message.text)
        if found:
            return found.group(1)
    raise AssertionError("the coordinator got no invite link")


async def script_registration(tr: Transcript) -> None:
    """The coordinator invites a liaison officer, who registers through the link."""
    coordinator, liaison = PERSONAS[0], PERSONAS[1]
    tr.note("The coordinator creates an invite for 平岗市场监管所 (/invite, then two buttons).")
    await tr.say(coordinator, "/invite")
    await tr.press(coordinator, "平岗市场监管所")
    token = _link_token(await tr.press(coordinator, "联络员"))
    tr.note("张伟 opens the link: Telegram sends /start with the invite token.")
    await tr.say(liaison, f"/start {token}")
    await tr.say(liaison, "张伟")
    await tr.say(liaison, "平岗市场监管所")
    await tr.say(liaison, "副所长")
    tr.note("A wrong answer is explained, and the same question asked again.")
    await tr.say(liaison, "电话号码")
    await tr.say(liaison, "0564-6012345")
    await tr.say(liaison, "138 0564 1234")
    await tr.say(liaison, "zhangwei@example.gov.cn")
    tr.note("The summary has a button per field; 张伟 confirms. The coordinator is told.")
    await tr.press(liaison, "✅ 确认登记")


async def script_case(tr: Transcript) -> None:
    """The liaison files a typical case for last month, with the decision as a PDF."""
    liaison = PERSONAS[1]
    tr.note("张伟 asks what the unit owes, then files a typical case (附件8) for 2023年8月.")
    await tr.say(liaison, "/due")
    await tr.say(liaison, "/submit")
    await tr.press(liaison, "典型案例 · 2023年8月")
    await tr.say(liaison, "某药店从非法渠道购进药品案")
    await tr.say(liaison, "经查，该药店从无资质个人处购进药品并销售，货值金额3200元。")
    await tr.say(liaison, "依据《药品管理法》第一百二十九条，没收违法所得并处罚款。")
    await tr.say(liaison, "8月10日")
    await tr.say(liaison, "1.5万元")
    await tr.press(liaison, "否")
    tr.note("The 行政处罚决定书 is sent as a PDF; the bot keeps it with its SHA-256.")
    print(f"\n{liaison.first_name} › 📎 行政处罚决定书.pdf", file=tr.out)
    await tr.sandbox.user(liaison).send_document(DEMO_PDF, file_name="行政处罚决定书.pdf", mime_type="application/pdf")
    await tr.show()
    await tr.press(liaison, "✅ 确认提交")


async def script_reminders(tr: Transcript) -> None:
    """A second liaison registers; two days later the reminder reaches only the unit that has not filed."""
    coordinator, liaison2 = PERSONAS[0], PERSONAS[2]
    tr.note("李娜 registers for 史河市场监管所 the same way (not shown).")
    with tr.quietly():
        await tr.say(coordinator, "/invite")
        await tr.press(coordinator, "史河市场监管所")
        token = _link_token(await tr.press(coordinator, "联络员"))
        await tr.say(liaison2, f"/start {token}")
        for answer in ("李娜", "史河市场监管所", "科员", "0564-6023456", "139 0564 5678", "lina@example.gov.cn"):
            await tr.say(liaison2, answer)
        await tr.press(liaison2, "✅ 确认登记")
    services = tr.sandbox.app.bot_data["services"]
    clock = tr.sandbox.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2023, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    tr.note("Two days later, 2023-09-01 09:00: the \"1 day before\" reminders are due. 平岗所 has filed its case,")
    tr.note("so 张伟 is reminded only of the statistics; 李娜 (史河所, nothing filed) of both.")
    await timer.process_due_moments(services, tr.sandbox.app.bot, now=clock.now())
    await tr.show()
    tr.note("李娜 asks to be reminded again tomorrow morning.")
    await tr.press(liaison2, "明早9点提醒")
    clock.set(datetime(2023, 9, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    tr.note("2023-09-02 09:00, the due day: the on-the-day reminder (and 李娜's snooze) — still only for what is open.")
    await timer.process_due_moments(services, tr.sandbox.app.bot, now=clock.now())
    await tr.show()


async def script_coordinator(tr: Transcript) -> None:
    """The coordinator answers the leaders: who has not filed, and the status per report."""
    coordinator = PERSONAS[0]
    clock = tr.sandbox.clock
    assert isinstance(clock, FixedClock)
    clock.set(datetime(2023, 9, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    tr.note("2023-09-03 10:00, the day after the deadline. The coordinator asks who has not filed last month's cases,")
    await tr.say(coordinator, "/outstanding 案例 上月")
    tr.note("and for the filing status of every report.")
    await tr.say(coordinator, "/status")


DEMO_PDF = b"%PDF-1.4\n% liaison-bot demo: a stand-in for the decision\n" + b"0" * 256 + b"\n%%EOF\n"

SCRIPT: list[Step] = [script_basics, script_registration, script_case, script_reminders, script_coordinator]


async def play_script(sandbox: Sandbox, out: TextIO = sys.stdout) -> None:
    """Play every step of the walk-through, printing the transcript."""
    tr = Transcript(sandbox, out)
    print(f"liaison-bot demo — {sandbox.config.campaign.name}; the sandbox clock reads "
          f"{sandbox.clock.now().astimezone(sandbox.config.campaign.tz):%Y-%m-%d %H:%M} ({sandbox.config.campaign.timezone})", file=out)
    if not demo_campaign.is_shipped_campaign(sandbox.config):  # another campaign: its own forms
        await demo_campaign.script_campaign(tr, PERSONAS[0], PERSONAS[1], _link_token)
    else:
        for step in SCRIPT:
            await step(tr)
    print("\n# End of the walk-through.", file=out)


REPL_HELP = """Type a message to send it to the bot as the current persona. Commands:
  :as NAME        switch persona ({names})
  :press TEXT     press the button labelled TEXT on the bot's latest message
  :file PATH      send a file
  (paste an invite link https://t.me/...?start=... to open it as the current persona)
  :later HOURS    move the sandbox clock forward
  :who            list the personas
  :help           this text
  :quit           leave (Ctrl-D too)"""


async def repl(sandbox: Sandbox, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    """A terminal chat with the bot."""
    tr = Transcript(sandbox, out)
    personas = {p.key: p for p in PERSONAS}
    current = personas["liaison"]
    print(f"liaison-bot sandbox — {sandbox.config.campaign.name}", file=out)
    print(REPL_HELP.format(names=", ".join(personas)), file=out)
    printer = asyncio.create_task(_print_as_they_come(tr))
    try:
        await _chat(sandbox, tr, personas, current, stdin, out)
    finally:
        printer.cancel()


async def _print_as_they_come(tr: Transcript) -> None:
    """Messages the bot sends on its own (reminders, notices) appear without waiting for a command."""
    while True:
        await asyncio.sleep(0.5)
        await tr.show()


async def _chat(sandbox: Sandbox, tr: Transcript, personas: dict[str, Persona], current: Persona, stdin: TextIO, out: TextIO) -> None:
    while True:
        print(f"\n[{current.key}: {current.first_name}]> ", end="", file=out, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            print(file=out)
            return
        line = line.strip()
        if not line:
            await tr.show()
            continue
        command, _, rest = line.partition(" ")
        try:
            if command == ":quit":
                return
            if command == ":help":
                print(REPL_HELP.format(names=", ".join(personas)), file=out)
            elif command == ":who":
                for p in PERSONAS:
                    print(f"  {p.key:12} {p.first_name} (id {p.user_id}): {p.description}", file=out)
            elif command == ":as":
                if rest.strip() not in personas:
                    print(f"  unknown persona; choose one of: {', '.join(personas)}", file=out)
                else:
                    current = personas[rest.strip()]
            elif command == ":press":
                await tr.press(current, rest.strip())
            elif command == ":file":
                path = Path(rest.strip()).expanduser()
                await sandbox.user(current).send_document(path.read_bytes(), file_name=path.name, mime_type=_mime(path))
                await tr.show()
            elif command == ":later":
                if isinstance(sandbox.clock, OffsetClock):
                    sandbox.clock.advance(timedelta(hours=float(rest or "1")))
                await tr.show()
            elif command.startswith(":"):
                print("  unknown command; :help lists them", file=out)
            elif link := re.match(rf"^https://t\.me/{DEMO_BOT}\?start=([A-Za-z0-9_-]+)$", line):
                await tr.say(current, f"/start {link.group(1)}")  # what Telegram does when the link is opened
            else:
                await tr.say(current, line)
        except (AssertionError, OSError, ValueError) as e:
            print(f"  ! {e}", file=out)


def _mime(path: Path) -> str:
    return {
        ".pdf": "application/pdf",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".doc": "application/msword",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(path.suffix.lower(), "application/octet-stream")


async def run_demo(*, config_path: str | None = None, scripted: bool = False, verbose: bool = False) -> int:
    """Start the sandbox, then play the script or open the terminal chat."""
    setup_logging(logging.INFO if verbose else logging.WARNING, secrets=[DEMO_TOKEN])
    config = load_config(config_path)
    start = demo_campaign.start_moment(config, DEMO_START)
    clock: FixedClock | OffsetClock = FixedClock(start) if scripted else OffsetClock(start)
    sandbox = Sandbox(config=config, clock=clock, fast=scripted)
    await sandbox.start()
    try:
        if scripted:
            await play_script(sandbox)
        else:
            await repl(sandbox)
    finally:
        await sandbox.stop()
    return 0
