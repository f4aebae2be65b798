"""The emulator's webhooks: setWebhook's checks, 409 for getUpdates, delivery in order with the secret, retries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from emulator import Emulator
from emulator.webhook import SECRET_HEADER, UNRESOLVED

PUBLIC = "https://bot.example.org"
HOOK = f"{PUBLIC}/telegram/hook"
SECRET = "s3cret_Token-for-tests"
CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)


@dataclass
class Receiver:
    """A stand-in for a bot's webhook server on 127.0.0.1: records every POST, answers `statuses` first."""

    url: str = ""
    posts: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append({
            "path": request.path,
            "secret": request.headers.get(SECRET_HEADER),
            "content_type": request.headers.get("Content-Type"),
            "update": await request.json(),
        })  # fmt: skip
        self.arrived.set()
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    @property
    def update_ids(self) -> list[int]:
        return [p["update"]["update_id"] for p in self.posts]

    async def until(self, count: int, timeout: float = 5.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while len(self.posts) < count:
            if loop.time() > end:
                raise AssertionError(f"{len(self.posts)} posts arrived, not {count}: {self.posts}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    rec.url = f"http://127.0.0.1:{port}"
    try:
        yield rec
    finally:
        await runner.cleanup()


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}{emulator.bot_token}/") as client:
        yield client


async def deliveries(emulator: Emulator, count: int, timeout: float = 5.0) -> None:
    """Wait until the emulator has finished `count` delivery attempts."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while len(emulator.webhook_deliveries) < count:
        if loop.time() > end:
            raise AssertionError(f"{len(emulator.webhook_deliveries)} delivery attempts, not {count}")
        await asyncio.sleep(0.02)


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> dict[str, Any]:
    return (await http.post(method, json=params)).json()


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"url": "http://bot.example.org/hook"}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"),
        ({"url": "https://bot.example.org:9000/hook"}, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"),
        ({"url": "https://127.0.0.1/hook"}, "Bad Request: bad webhook: IP address 127.0.0.1 is reserved"),
        ({"url": HOOK, "secret_token": "with space"}, "Bad Request: secret token contains unallowed characters"),
        ({"url": HOOK, "secret_token": "x" * 257}, "Bad Request: secret token is too long"),
    ],
    ids=["http", "port", "reserved-ip", "secret-characters", "secret-length"],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    emulator: Emulator, http: httpx.AsyncClient, params: dict[str, Any], description: str
) -> None:
    answer = await call(http, "setWebhook", **params)
    assert answer == {"ok": False, "error_code": 400, "description": description}
    assert (await call(http, "getWebhookInfo"))["result"]["url"] == ""


async def test_get_updates_is_refused_while_a_webhook_is_set(emulator: Emulator, http: httpx.AsyncClient) -> None:
    user = emulator.user(1001, "李明")
    await user.send("早上好")
    assert (await call(http, "setWebhook", url=HOOK))["result"] is True
    response = await http.post("getUpdates", json={"timeout": 0})
    assert response.status_code == 409
    assert response.json() == {"ok": False, "error_code": 409, "description": CONFLICT}
    info = (await call(http, "getWebhookInfo"))["result"]
    assert info["url"] == HOOK and info["pending_update_count"] == 1 and info["max_connections"] == 40
    assert (await call(http, "deleteWebhook"))["result"] is True
    updates = (await call(http, "getUpdates", timeout=0))["result"]
    assert [u["message"]["text"] for u in updates] == ["早上好"]  # kept for getUpdates


async def test_updates_are_posted_in_order_with_the_secret_header(
    emulator: Emulator, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    emulator.route_webhook(PUBLIC, receiver.url)
    user = emulator.user(1001, "李明")
    await user.send("/start")  # pending before the webhook is set: delivered too
    answer = await call(http, "setWebhook", url=HOOK, secret_token=SECRET, allowed_updates=["message"])
    assert answer["result"] is True
    await user.send("第二条")
    await user.send("第三条")
    await receiver.until(3)
    assert [p["update"]["message"]["text"] for p in receiver.posts] == ["/start", "第二条", "第三条"]
    assert {p["path"] for p in receiver.posts} == {"/telegram/hook"}
    assert {p["secret"] for p in receiver.posts} == {SECRET}
    assert {p["content_type"] for p in receiver.posts} == {"application/json"}
    info = (await call(http, "getWebhookInfo"))["result"]
    assert info["pending_update_count"] == 0 and "last_error_date" not in info
    assert info["allowed_updates"] == ["message"]
    assert "secret_token" not in info


async def test_no_secret_no_header(emulator: Emulator, http: httpx.AsyncClient, receiver: Receiver) -> None:
    emulator.route_webhook(PUBLIC, receiver.url)
    await call(http, "setWebhook", url=HOOK)
    await emulator.user(1001, "李明").send("hi")
    await receiver.until(1)
    assert receiver.posts[0]["secret"] is None


async def test_a_failed_delivery_is_retried_before_newer_updates(
    emulator: Emulator, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    emulator.route_webhook(PUBLIC, receiver.url)
    receiver.statuses = [500, 403]
    await call(http, "setWebhook", url=HOOK, secret_token=SECRET)
    user = emulator.user(1001, "李明")
    await user.send("一")
    await deliveries(emulator, 2)
    info = (await call(http, "getWebhookInfo"))["result"]
    assert info["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert isinstance(info["last_error_date"], int)
    await user.send("二")
    await deliveries(emulator, 4)
    texts = [p["update"]["message"]["text"] for p in receiver.posts]
    assert texts == ["一", "一", "一", "二"]
    outcomes = [(d.update_id, d.status) for d in emulator.webhook_deliveries]
    first, second = receiver.update_ids[0], receiver.update_ids[-1]
    assert outcomes == [(first, 500), (first, 403), (first, 200), (second, 200)]
    assert (await call(http, "getWebhookInfo"))["result"]["pending_update_count"] == 0


async def test_an_unreachable_webhook_keeps_updates_for_get_updates(emulator: Emulator, http: httpx.AsyncClient) -> None:
    await call(http, "setWebhook", url="https://nowhere.example.org/hook")  # no route: nothing leaves the machine
    await emulator.user(1001, "李明").send("你好")
    await deliveries(emulator, 1)
    assert emulator.webhook_deliveries[0].target is None
    info = (await call(http, "getWebhookInfo"))["result"]
    assert info["last_error_message"] == UNRESOLVED and info["pending_update_count"] == 1
    await call(http, "deleteWebhook")
    assert [u["message"]["text"] for u in (await call(http, "getUpdates"))["result"]] == ["你好"]


async def test_a_refused_connection_is_retried_until_the_bot_listens(emulator: Emulator, http: httpx.AsyncClient) -> None:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    await runner.cleanup()  # the port is free again: nobody listens yet
    emulator.route_webhook(PUBLIC, f"http://127.0.0.1:{port}")
    await call(http, "setWebhook", url=HOOK)
    await emulator.user(1001, "李明").send("等一下")
    await deliveries(emulator, 1)
    assert emulator.webhook_deliveries[0].outcome == "Connection refused"
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await receiver.until(1)
    finally:
        await runner.cleanup()
    assert receiver.posts[0]["update"]["message"]["text"] == "等一下"


def test_routes_lead_only_to_this_machine(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="only to this machine"):
        emulator.route_webhook(PUBLIC, "http://10.1.2.3:8443")
    with pytest.raises(ValueError, match="https"):
        emulator.route_webhook("http://bot.example.org", "http://127.0.0.1:8443")
    emulator.route_webhook(PUBLIC, "http://127.0.0.1:8443/")
    emulator.route_webhook(f"{PUBLIC}/special", "http://127.0.0.1:9000")
    assert emulator.webhooks.target_for(HOOK) == "http://127.0.0.1:8443/telegram/hook"
    assert emulator.webhooks.target_for(f"{PUBLIC}/special/x") == "http://127.0.0.1:9000/x"
    assert emulator.webhooks.target_for("https://bot.example.org.evil/x") is None
