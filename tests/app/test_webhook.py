"""Webhook mode: the real bot behind a webhook, Telegram (the emulator) posting updates with the secret token.

The emulator plays Telegram and the TLS proxy in front of the bot: setWebhook registers the public
https URL, and updates posted there reach the bot's own server on 127.0.0.1 (`route_webhook`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.ext import Application

from bot import webhook
from bot.app import build_application
from bot.clock import FixedClock
from bot.config import DEFAULT_CONFIG
from bot.telegram_settings import WEBHOOK_SECRET_ENV, TelegramSettings
from emulator import Emulator
from bot.pacing import PacedLimiter
from bot.storage import Storage
from bot.texts.catalog import t
from tests.fixtures.app import FAST_LIMITS, campaign_config, start_bot, stop_bot
from tests.fixtures.emulator import TEST_TOKEN

PUBLIC = "https://liaison.example.org"
WEBHOOK_URL = f"{PUBLIC}/telegram/updates"
SECRET = "Wh-secret_0123456789abcdefABCDEF"
CLI_TOKEN = "7000001:AAFakeTokenForTests_abcdefghijk"
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebhookBot:
    """The real Application serving its webhook on 127.0.0.1, as `liaison-bot run` starts it."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], hook: webhook.Webhook) -> None:
        self.app = app
        self.hook = hook

    @property
    def local_url(self) -> str:
        return self.hook.listen_url


async def start_webhook_bot(
    emulator: Emulator, storage: Storage, now: datetime, environ: dict[str, str]
) -> WebhookBot:
    settings = TelegramSettings(api_url=emulator.url, webhook_url=WEBHOOK_URL, webhook_port=free_port())
    hook = webhook.prepare(settings, environ)
    app = build_application(
        campaign_config(emulator, telegram=settings), token=TEST_TOKEN, storage=storage,
        clock=FixedClock(now), limiter=PacedLimiter(FAST_LIMITS),
    )  # fmt: skip
    emulator.route_webhook(PUBLIC, f"http://127.0.0.1:{settings.webhook_port}")
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**hook.options)
    return WebhookBot(app, hook)


async def stop_webhook_bot(bot: WebhookBot) -> None:
    if bot.app.updater and bot.app.updater.running:
        await bot.app.updater.stop()
    if bot.app.running:
        await bot.app.stop()
    await bot.app.shutdown()


@pytest.fixture(params=["secret-from-environment", "secret-generated"])
async def hooked(
    request: pytest.FixtureRequest, emulator: Emulator, storage: Storage, now: datetime, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[WebhookBot]:
    """The bot in webhook mode, logging everything at DEBUG into caplog."""
    caplog.set_level(logging.DEBUG)
    environ = {WEBHOOK_SECRET_ENV: SECRET} if request.param == "secret-from-environment" else {}
    bot = await start_webhook_bot(emulator, storage, now, environ)
    try:
        yield bot
    finally:
        await stop_webhook_bot(bot)


async def test_start_and_help_arrive_by_webhook_with_the_secret(
    hooked: WebhookBot, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    secret = hooked.hook.secret
    assert webhook.SECRET_TOKEN.fullmatch(secret)
    (set_webhook,) = emulator.calls("setWebhook")
    assert set_webhook.params["url"] == WEBHOOK_URL
    assert set_webhook.params["secret_token"] == secret
    assert json.loads(set_webhook.params["allowed_updates"]) == ["message", "edited_message", "callback_query"]

    zh = emulator.user(8101, first_name="周", language_code="zh-hans")
    reply = await zh.ask("/start", timeout=10)
    assert t("zh-CN", "start.no-invite").splitlines()[0] in reply.text
    en = emulator.user(8102, first_name="Ann", language_code="en")
    reply = await en.ask("/help", timeout=10)
    assert reply.text.startswith("Commands") and "invite link" in reply.text

    delivered = [d for d in emulator.webhook_deliveries if d.ok]
    assert len(delivered) >= 2
    assert {d.secret for d in delivered} == {secret}
    assert {d.target for d in delivered} == {hooked.local_url}
    assert emulator.calls("getUpdates") == []  # nothing was polled
    info = emulator.state.webhook
    assert info["url"] == WEBHOOK_URL

    # PTB logged the setWebhook call (while the fixture started the bot) and each update it received;
    # the secret is in none of it.
    logged = everything_logged(caplog)
    assert "Calling Bot API endpoint `setWebhook`" in logged and "Received Update" in logged
    assert secret not in logged


async def test_posts_without_the_right_secret_are_refused_and_not_processed(
    hooked: WebhookBot, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    user = emulator.user(8103, first_name="Li", language_code="zh-hans")
    await user.ask("/start", timeout=10)
    forged = {
        "update_id": 999_999_001,
        "message": {
            "message_id": 9999, "date": 1692151200, "text": "/help",
            "from": {"id": user.id, "is_bot": False, "first_name": "Li", "language_code": "zh-hans"},
            "chat": {"id": user.id, "type": "private", "first_name": "Li"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }  # fmt: skip
    body = json.dumps(forged)
    async with httpx.AsyncClient() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}, {"X-Telegram-Bot-Api-Secret-Token": ""}):
            answer = await client.post(hooked.local_url, content=body, headers={"Content-Type": "application/json", **headers})
            assert answer.status_code == 403, headers
    # Not processed: the next thing the user sees answers their real /start, and nothing follows.
    user.skip_pending()
    await user.send("/start")
    reply = await user.wait_for(timeout=10)
    assert t("zh-CN", "start.no-invite").splitlines()[0] in reply.text
    await asyncio.sleep(0.5)
    assert not any(m.text.startswith("可用命令") for m in user.messages)
    logged = everything_logged(caplog)
    assert "Request had the wrong secret token" in logged and "999999001" not in logged
    assert hooked.hook.secret not in logged


async def test_get_updates_while_the_webhook_is_set_is_a_conflict(hooked: WebhookBot, emulator: Emulator) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{emulator.base_url}{TEST_TOKEN}/getUpdates", json={"timeout": 0})
        info = (await client.post(f"{emulator.base_url}{TEST_TOKEN}/getWebhookInfo")).json()["result"]
    assert answer.status_code == 409
    assert answer.json()["description"] == CONFLICT
    assert info["url"] == WEBHOOK_URL and info["pending_update_count"] == 0
    assert info["allowed_updates"] == ["message", "edited_message", "callback_query"]


async def test_polling_after_a_webhook_deletes_it_first(emulator: Emulator, storage: Storage, now: datetime) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(f"{emulator.base_url}{TEST_TOKEN}/setWebhook", json={"url": WEBHOOK_URL, "secret_token": SECRET})
    user = emulator.user(8104, first_name="周", language_code="zh-hans")
    await user.send("/help")  # sent while the webhook was set and the bot was down: not lost
    bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator)
    try:
        reply = await user.wait_for(timeout=10)
        assert reply.text.startswith("可用命令")
        methods = [c.method for c in emulator.calls() if c.method in ("deleteWebhook", "getUpdates")]
        assert methods[0] == "deleteWebhook"
        assert all(c.status == 200 for c in emulator.calls("getUpdates"))
        assert emulator.state.webhook == {}
    finally:
        await stop_bot(bot)


# --- `liaison-bot run` as an operator starts it -------------------------------------------------


def webhook_config(tmp_path: Path, port: int, extra: str = "") -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert "\n[telegram]\n" in text
    keys = f'webhook_url = "{WEBHOOK_URL}"\nwebhook_port = {port}\n{extra}'
    path = tmp_path / "config.toml"
    path.write_text(text.replace("\n[telegram]\n", f"\n[telegram]\n{keys}", 1), encoding="utf-8")
    return path


def run_env(tmp_path: Path, emu: Emulator | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != WEBHOOK_SECRET_ENV}
    env.update({
        "LIAISON_BOT_TOKEN": CLI_TOKEN,
        "LIAISON_BOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        "LIAISON_BOT_FILES_DIR": str(tmp_path / "files"),
        **extra,
    })  # fmt: skip
    if emu is not None:
        env["LIAISON_BOT_API_URL"] = emu.url
    return env


async def test_run_serves_the_webhook_and_never_logs_the_secret(tmp_path: Path) -> None:
    emu = Emulator(bot_token=CLI_TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    port = free_port()
    emu.route_webhook(PUBLIC, f"http://127.0.0.1:{port}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--verbose", "--metrics-port", str(free_port()), "--config", str(webhook_config(tmp_path, port)),
        env=run_env(tmp_path, emu), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        user = emu.user(8101, first_name="周", language_code="zh-hans")
        await _until(lambda: bool(emu.state.webhook.get("url")), "the bot never set its webhook")
        reply = await user.ask("/start", timeout=20)
        assert "邀请链接" in reply.text
        reply = await user.ask("/help", timeout=20)
        assert reply.text.startswith("可用命令")
        secret = str(emu.state.webhook["secret_token"])  # made for this run: no variable was set
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(proc.communicate(), 30)
        await emu.stop()
    log = output.decode()
    assert proc.returncode == 0, log[-2000:]
    assert webhook.SECRET_TOKEN.fullmatch(secret) and len(secret) >= 32
    assert f"webhook: Telegram posts to {WEBHOOK_URL}" in log and "made for this run" in log
    assert "Calling Bot API endpoint" not in log  # --verbose: the Telegram library stays at INFO (its debug lines carry every request)
    assert secret not in log
    assert CLI_TOKEN not in log and CLI_TOKEN.split(":")[1] not in log
    assert emu.calls("getUpdates") == [] and emu.calls("deleteWebhook") == []
    assert {d.secret for d in emu.webhook_deliveries} == {secret}
    assert not emu.unexpected_violations, emu.unexpected_violations


async def test_run_says_so_when_the_webhook_cannot_be_set(tmp_path: Path) -> None:
    emu = Emulator(bot_token=CLI_TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    emu.faults.fail_next(status=502, method="setWebhook")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--metrics-port", str(free_port()), "--config", str(webhook_config(tmp_path, free_port())),
            env=run_env(tmp_path, emu), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        await emu.stop()
    assert proc.returncode == 2  # a startup failure: one line saying what to do
    assert err.decode().splitlines()[-1].startswith("liaison-bot: Could not set the webhook: NetworkError: Bad Gateway")
    assert b"Traceback" not in err, err.decode()
    (attempt,) = emu.calls("setWebhook")
    assert str(attempt.params["secret_token"]).encode() not in out + err


async def test_run_webhook_without_a_url_says_what_is_missing(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook",
        env=run_env(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert b"webhook_url" in err and b"[telegram]" in err


async def test_run_refuses_a_secret_telegram_would_refuse_without_printing_it(tmp_path: Path) -> None:
    bad = "has spaces and ! marks"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--metrics-port", str(free_port()), "--config", str(webhook_config(tmp_path, free_port())),
        env=run_env(tmp_path, **{WEBHOOK_SECRET_ENV: bad}), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 2
    assert WEBHOOK_SECRET_ENV.encode() in err and b"A-Z a-z 0-9 _ -" in err
    assert bad.encode() not in out + err


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record of the test so far, its setup included, as a handler would write it."""
    records = caplog.get_records("setup") + caplog.records
    return "\n".join(r.getMessage() + ("\n" + r.exc_text if r.exc_text else "") for r in records)


async def _until(condition: Any, message: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError(message)
        await asyncio.sleep(0.1)
