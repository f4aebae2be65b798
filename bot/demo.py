"""`liaison-bot demo`: the offline sandbox in the terminal.

The real bot runs against the built-in Bot API emulator on 127.0.0.1 with a temporary
database (`bot.sandbox`); a person chats with it in the terminal as a liaison officer or a
coordinator, or `--script` plays a walk-through and prints the transcript. No token, no
Telegram, no internet."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot import demo_campaign
from bot import demo_terminal as terminal
from bot.clock import FixedClock, OffsetClock
from bot.config import load_config
from bot.logsetup import setup_logging
from bot.sandbox import DEMO_BOT, DEMO_START, DEMO_TOKEN, PERSONAS, Persona, Sandbox
from bot.services.reminders import timer
from bot.transcript import DEMO_PDF, Transcript
from emulator import BotMessage

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
    """The liaison files a typical case for last month, pasted whole as written in the 附件8 layout, with the decision as a PDF."""
    liaison = PERSONAS[1]
    tr.note("张伟 asks what the unit owes, then files a typical case (附件8) for 2023年8月:")
    tr.note("he pastes the case he already wrote; the bot reads its fields and asks only for what is missing.")
    await tr.say(liaison, "/due")
    await tr.say(liaison, "/submit")
    await tr.press(liaison, "典型案例 · 2023年8月")
    await tr.say(liaison, DEMO_CASE)
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
    tr.note("Two days later, Friday 2023-09-01 09:00: the \"1 day before\" reminders are due, and the on-the-day ones")
    tr.note("with them: the due day is a Saturday and reminders come on working days only. 平岗所 has filed its case,")
    tr.note("so 张伟 is reminded only of the statistics; 李娜 (史河所, nothing filed) of both.")
    await timer.process_due_moments(services, tr.sandbox.app.bot, now=clock.now())
    await tr.show()
    tr.note("李娜 asks to be reminded again tomorrow morning.")
    await tr.press(liaison2, "明早9点提醒")
    clock.set(datetime(2023, 9, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    tr.note("Saturday 2023-09-02 09:00, the due day: only 李娜's snooze, as she asked — still only for what is open.")
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


DEMO_CASE = """平岗所报送某药店从非法渠道购进药品案
一、案情概述
经查，该药店从无资质个人处购进药品并销售，货值金额3200元。
二、查办结果
依据《药品管理法》第一百二十九条，我局于2023年8月10日作出行政处罚决定（叶市监罚〔2023〕15号），没收违法所得并处罚款1.5万元；不涉嫌犯罪，未移送公安机关。"""

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


REPL_HELP = """Type a message to send it to the bot as the current persona (arrow keys edit and recall lines; Tab completes). Commands:
  :as NAME        switch persona ({names})
  :press TEXT     press the button labelled TEXT on the bot's latest message
  :file PATH      send a file
  (paste an invite link https://t.me/...?start=... to open it as the current persona)
  :later HOURS    move the sandbox clock forward
  :who            list the personas
  :help           this text
  :quit           leave (Ctrl-D too)"""


async def repl(sandbox: Sandbox, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout, files_dir: Path | None = None) -> None:
    """A terminal chat with the bot; files it sends are kept in `files_dir` (a new folder by default)."""
    folder = files_dir or terminal.files_folder()
    tr = Transcript(sandbox, out, files_dir=folder)
    personas = {p.key: p for p in PERSONAS}
    current = personas["liaison"]
    print(f"liaison-bot sandbox — {sandbox.config.campaign.name}", file=out)
    print(REPL_HELP.format(names=", ".join(personas)), file=out)
    print(f"Files the bot sends are saved in {folder}", file=out)
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
    who = [current]  # the persona typing now, for the completion of buttons
    read = terminal.reader(stdin, out, lambda: [*personas, *tr.buttons.get(who[0].user_id, [])])
    while True:
        who[0] = current
        print(terminal.hint(tr.buttons.get(current.user_id, [])), file=out)
        got = await read(f"[{current.key}: {current.first_name}]> ")
        if got is None:
            print(file=out)
            return
        line = got.strip()
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


async def run_demo(*, config_path: str | None = None, scripted: bool = False, verbose: bool = False, web_port: int | None = None) -> int:
    """Start the sandbox, then play the script, open the terminal chat, or (`web_port`) serve it to a browser."""
    setup_logging(logging.INFO if verbose else logging.WARNING, secrets=[DEMO_TOKEN])
    config = load_config(config_path)
    if web_port is not None:
        from bot.web.sandbox import run_web

        return await run_web(config, port=web_port)
    start = demo_campaign.start_moment(config, DEMO_START)
    clock: FixedClock | OffsetClock = FixedClock(start) if scripted else OffsetClock(start)
    from bot import demo_levels  # a campaign in levels (campaigns/ningxia.toml) has its own walk-through

    levels = scripted and demo_levels.applies(config)
    sandbox = Sandbox(config=config, clock=clock, fast=scripted, people=demo_levels.people() if levels else None)
    await sandbox.start()
    try:
        if levels:
            await demo_levels.play(sandbox, sys.stdout)
        elif scripted:
            await play_script(sandbox)
        else:
            await repl(sandbox)
    finally:
        await sandbox.stop()
    return 0
