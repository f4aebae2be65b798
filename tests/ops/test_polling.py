"""`liaison-bot run` in polling mode as an operator starts it: /healthz and /metrics on its port, JSON logs
on request without a token or a phone, and a second poller on the same token refused in one line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.cli import main
from emulator import Emulator

TOKEN = "7000001:AAFakeTokenForTests_abcdefghijk"
PHONE = "13905645678"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(emu: Emulator, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_BOT_")}
    env.update(
        LIAISON_BOT_TOKEN=TOKEN,
        LIAISON_BOT_API_URL=emu.url,
        LIAISON_BOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        LIAISON_BOT_FILES_DIR=str(tmp_path / "files"),
    )
    return env


async def start(env: dict[str, str], port: int, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--json-logs", "--metrics-port", str(port), *extra,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def until_healthy(url: str, timeout: float = 40.0) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url + "/healthz") as answer:
                    body: dict[str, object] = await answer.json()
                    if answer.status == 200:
                        return body
            except aiohttp.ClientError:
                pass
            if loop.time() > end:
                raise AssertionError("the bot never became healthy")
            await asyncio.sleep(0.2)


async def test_polling_health_metrics_json_logs_and_a_second_poller_refused(tmp_path: Path) -> None:
    emu = Emulator(bot_token=TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    env = env_for(emu, tmp_path)
    port = free_port()
    first = await start(env, port)
    try:
        health = await until_healthy(f"http://127.0.0.1:{port}")
        assert health == {"status": "ok", "checks": {"database": "ok", "bot_api": "ok", "scheduler": "ok"}}
        user = emu.user(8501, first_name="周", language_code="zh-hans")
        await user.ask("/start", timeout=20)
        await user.send(f"我的电话 {PHONE}")  # a phone typed in chat must never reach the log
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as answer:
            metrics = await answer.text()
        assert 'liaison_bot_updates_total{outcome="handled"}' in metrics

        second = await start(env, free_port())
        _, err = await asyncio.wait_for(second.communicate(), 60)
        assert second.returncode == 2
        failure = err.decode().strip().splitlines()[-1]
        assert failure.startswith("liaison-bot: Another liaison-bot is already polling this bot's updates: ")
        assert f"pid {first.pid}" in failure and "webhook mode" in failure and "Traceback" not in err.decode()
        assert len(emu.calls("getMe")) >= 2  # (the second got as far as the Bot API, then stopped)
        code = await asyncio.to_thread(main, ["health", "--url", f"http://127.0.0.1:{port}/healthz", "--quiet"])
        assert code == 0
    finally:
        first.send_signal(signal.SIGINT)
        _, log_bytes = await asyncio.wait_for(first.communicate(), 30)
        await emu.stop()
    assert first.returncode == 0
    lines = [line for line in log_bytes.decode().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any("long polling" in e["message"] for e in entries)
    text = log_bytes.decode()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and PHONE not in text

    third_port = free_port()  # the lease was given up at the clean stop: the next poller starts at once
    emu = Emulator(bot_token=TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    third = await start(env_for(emu, tmp_path), third_port)
    try:
        await until_healthy(f"http://127.0.0.1:{third_port}")
    finally:
        third.send_signal(signal.SIGINT)
        await asyncio.wait_for(third.communicate(), 30)
        await emu.stop()
    assert third.returncode == 0


def test_health_of_a_bot_that_is_not_running(capsys: object) -> None:
    assert main(["health", "--url", f"http://127.0.0.1:{free_port()}/healthz", "--timeout", "2"]) == 2
