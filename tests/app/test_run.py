"""`liaison-bot run` as an operator starts it: token from the environment, long polling, no token in logs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from emulator import Emulator

TOKEN = "7000001:AAFakeTokenForTests_abcdefghijk"


async def test_run_polls_answers_and_never_logs_the_token(tmp_path: Path) -> None:
    emu = Emulator(bot_token=TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    env = {
        **os.environ,
        "LIAISON_BOT_TOKEN": TOKEN,
        "LIAISON_BOT_API_URL": emu.url,
        "LIAISON_BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "LIAISON_BOT_FILES_DIR": str(tmp_path / "files"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--verbose", "--metrics-port", "-1",  # (9108 may be another test's)
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        user = emu.user(8101, first_name="周", language_code="zh-hans")
        await _until_polling(emu)
        reply = await user.ask("/start", timeout=20)
        assert "邀请链接" in reply.text
        assert (tmp_path / "bot.sqlite3").exists()  # migrated on start
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
        await emu.stop()
    log = output.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "getUpdates" in log or "Application started" in log or "INFO" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_run_without_a_token_says_what_is_missing() -> None:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_BOT_TOKEN"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert b"LIAISON_BOT_TOKEN" in err


async def _until_polling(emu: Emulator, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not emu.calls("getUpdates"):
        if loop.time() > end:
            raise AssertionError("the bot never polled")
        await asyncio.sleep(0.1)
