"""Two webhook workers behind one URL on one PostgreSQL: every update handled once, every reminder sent
once, the flood limit counted for both together.

The emulator plays Telegram; a small proxy in front of the workers plays the load balancer, and
forwards every update to BOTH workers (as a redelivery after a timeout may reach the other one).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select
from telegram.ext import Application

from bot import webhook
from bot.app import build_application
from bot.clock import FixedClock
from bot.telegram_settings import WEBHOOK_SECRET_ENV, TelegramSettings
from bot.context import SERVICES_KEY
from emulator import Emulator
from bot.models import ProcessedUpdate, ReminderSent
from bot.ops.flood import SharedLimiter
from bot.ops.metrics import Metrics
from bot.ops.wiring import Operations, attach
from bot.services.reminders import timer
from bot.storage import Storage
from tests.fixtures.app import FAST_LIMITS, campaign_config
from tests.fixtures.emulator import TEST_TOKEN

PUBLIC = "https://liaison.example.org"
WEBHOOK_URL = f"{PUBLIC}/telegram"
SECRET = "Shared-secret_of_all_workers_0123456789"
NOW = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
MINUS_1D = datetime(2023, 9, 1, 1, 0, tzinfo=UTC)  # 09:00 local, the day before typical cases are due

pytestmark = pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)


@dataclass
class Worker:
    app: Application[Any, Any, Any, Any, Any, Any]
    ops: Operations
    storage: Storage
    clock: FixedClock
    port: int

    def handled(self, outcome: str) -> float:
        return self.ops.metrics.updates.labels(outcome)._value.get()


class Proxy:
    """The load balancer: every POST goes to each worker in turn (first one, then the other), and the
    first answer goes back to Telegram."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.turn = itertools.count()
        self.forwarded = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = "http://127.0.0.1:%d" % site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() in {"content-type", "x-telegram-bot-api-secret-token"}}
        first = next(self.turn) % len(self.targets)
        order = self.targets[first:] + self.targets[:first]
        answers = []
        async with aiohttp.ClientSession() as session:
            for target in order:
                async with session.post(target + request.path, data=body, headers=headers) as answer:
                    answers.append((answer.status, await answer.read()))
                    self.forwarded += 1
        status, text = answers[0]
        return web.Response(status=status, body=text)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_worker(emulator: Emulator, db_url: str) -> Worker:
    settings = TelegramSettings(api_url=emulator.url, webhook_url=WEBHOOK_URL, webhook_port=free_port())
    hook = webhook.prepare(settings, {WEBHOOK_SECRET_ENV: SECRET})
    storage = Storage.from_url(db_url)
    clock = FixedClock(NOW)
    metrics = Metrics()
    limiter = SharedLimiter(storage, FAST_LIMITS, metrics=metrics)
    app = build_application(campaign_config(emulator, telegram=settings), token=TEST_TOKEN, storage=storage, clock=clock, limiter=limiter)
    ops = attach(app, storage=storage, clock=clock, metrics=metrics, limiter=limiter, listen="127.0.0.1", port=0)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**hook.options)
    return Worker(app, ops, storage, clock, settings.webhook_port)


async def stop_worker(worker: Worker) -> None:
    app = worker.app
    if app.updater and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
    worker.storage.dispose()


@pytest.fixture
async def workers(emulator: Emulator, db_url: str) -> AsyncIterator[tuple[Worker, Worker, Proxy]]:
    a = await start_worker(emulator, db_url)
    b = await start_worker(emulator, db_url)
    proxy = Proxy([f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}"])
    await proxy.start()
    emulator.route_webhook(PUBLIC, proxy.url)
    try:
        yield a, b, proxy
    finally:
        await proxy.stop()
        await stop_worker(a)
        await stop_worker(b)


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


async def test_each_update_is_handled_once_by_two_workers_behind_one_url(
    workers: tuple[Worker, Worker, Proxy], emulator: Emulator, storage: Storage
) -> None:
    a, b, proxy = workers
    assert [c.params["secret_token"] for c in emulator.calls("setWebhook")] == [SECRET, SECRET]
    users = [emulator.user(8200 + i, first_name=f"U{i}", language_code="en") for i in range(4)]
    for user in users:
        reply = await user.ask("/help", timeout=20)
        assert reply.text.startswith("Commands")
    sent = len(users)
    await until(lambda: a.handled("handled") + a.handled("duplicate") + b.handled("handled") + b.handled("duplicate") == 2 * sent)
    assert proxy.forwarded == 2 * sent  # every update reached both workers
    assert a.handled("handled") + b.handled("handled") == sent
    assert a.handled("duplicate") + b.handled("duplicate") == sent
    assert a.handled("handled") > 0 and b.handled("handled") > 0  # the proxy alternates: both did work
    for user in users:
        assert len(user.messages) == 1, [m.text for m in user.messages]  # one answer, not two
    with storage.session() as s:
        assert s.exec(select(func.count()).select_from(ProcessedUpdate)).one()[0] == sent  # type: ignore[call-overload]


async def test_each_reminder_is_sent_once_when_both_workers_run_the_timer(
    workers: tuple[Worker, Worker, Proxy], emulator: Emulator, storage: Storage, make_person: Any, make_liaison: Any
) -> None:
    a, b, _ = workers
    liaisons = []
    for code, uid in (("pgs", 8301), ("shs", 8302), ("sys", 8303)):
        unit = storage.units.get_unit_by_code(code=code)
        person = make_person(telegram_user_id=uid)
        make_liaison(unit, person=person)
        user = emulator.user(uid)
        await user.ask("/start", timeout=20)  # (a bot may write only to whoever started a chat with it)
        user.skip_pending()
        liaisons.append(user)
    for worker in (a, b):
        worker.clock.set(MINUS_1D)
    await asyncio.gather(*(
        timer.process_due_moments(w.app.bot_data[SERVICES_KEY], w.app.bot, now=MINUS_1D) for w in (a, b)
    ))  # fmt: skip
    for user in liaisons:
        await user.wait_for(lambda m: "典型案例" in m.text, timeout=20)
    for user in liaisons:
        texts = [m.text for m in user.messages]
        assert len([t for t in texts if "典型案例" in t]) == 1, texts  # from one worker, not from both
    with storage.session() as s:
        rows = s.exec(select(ReminderSent)).all()  # type: ignore[call-overload]
    keys = [(r[0].due_item_id, r[0].unit_id, r[0].person_id, r[0].moment_key) for r in rows]
    assert len(keys) == len(set(keys)) and len(keys) >= 3


async def test_healthz_and_metrics_of_a_worker(workers: tuple[Worker, Worker, Proxy], emulator: Emulator) -> None:
    a, _, _ = workers
    assert a.ops.server is not None
    async with aiohttp.ClientSession() as session:
        async with session.get(a.ops.server.url + "/healthz") as answer:
            health = await answer.json()
            assert answer.status == 200, health
        assert health == {"status": "ok", "checks": {"database": "ok", "bot_api": "ok", "scheduler": "ok"}}
        user = emulator.user(8401, first_name="M", language_code="en")
        await user.ask("/help", timeout=20)
        async with session.get(a.ops.server.url + "/metrics") as answer:
            text = await answer.text()
    assert answer.status == 200
    for name in (
        'liaison_bot_updates_total{outcome="handled"}', 'liaison_bot_updates_total{outcome="duplicate"}',
        "liaison_bot_send_seconds_bucket", "liaison_bot_telegram_429_total", 'liaison_bot_send_queue{lane="broadcast"}',
        'liaison_bot_reminders{status="pending"}', 'liaison_bot_reminders{status="sent"}', 'liaison_bot_reminders{status="failed"}',
    ):  # fmt: skip
        assert name in text, name
    assert TEST_TOKEN not in text


async def test_healthz_fails_when_the_database_is_gone(workers: tuple[Worker, Worker, Proxy]) -> None:
    a, _, _ = workers
    from sqlalchemy import create_engine

    # (The real engine is put back before the worker stops, which closes it once its threads are done: disposed
    # here, a connection a thread of the worker held then went back to a pool no one closed, and was left to the
    # collector: psycopg's "deleted while still open" in some later test.)
    engine, a.storage.engine = a.storage.engine, create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=True)
    assert a.ops.server is not None
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(a.ops.server.url + "/healthz") as answer:
                health = await answer.json()
    finally:
        a.storage.engine.dispose()
        a.storage.engine = engine
    assert answer.status == 503
    assert health["status"] == "failing" and health["checks"]["database"].startswith("failing: OperationalError")
    assert health["checks"]["bot_api"] == "ok"


async def test_a_workers_send_slot_claim_is_counted_among_the_calls_the_stop_waits_for(
    emulator: Emulator, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shared flood limit claims each send's second in a worker thread: through Services.writes,
    # so the stop waits for a claim under way before it closes the storage (asyncio.to_thread did not count it).
    from bot.storage import ops as ops_storage
    from tests.fixtures.stall import stall

    worker = await start_worker(emulator, db_url)
    services = worker.app.bot_data[SERVICES_KEY]
    held = stall(monkeypatch, ops_storage, "claim_send_slot")
    gate, stalled = held.gate, held.reached
    try:
        emulator.group(-1004242, "工作群", ())
        sending = asyncio.create_task(worker.app.bot.send_message(-1004242, "hello"))
        assert await asyncio.to_thread(stalled.wait, 5)
        assert services.threads.busy >= 1
        assert not await services.threads_done(timeout_s=0.2)  # what the stop waits for
        gate.set()
        await sending
        assert await services.threads_done(timeout_s=5)
    finally:
        gate.set()
        await stop_worker(worker)
