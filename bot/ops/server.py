"""The operations HTTP server: GET /healthz (200 or 503, JSON) and GET /metrics (Prometheus text).

It listens on its own address and port (`run --metrics-listen/--metrics-port`), in polling and in
webhook mode alike, so the public webhook URL never exposes them.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from bot.ops.health import Health
from bot.ops.metrics import Metrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class OpsServer:
    """/healthz and /metrics of one worker."""

    def __init__(self, health: Health, metrics: Metrics, *, listen: str, port: int) -> None:
        self.health = health
        self.metrics = metrics
        self.listen = listen
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        if self.port == 0:  # (tests: a free port chosen by the system)
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # the started server

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://{self.listen}:{self.port}"

    async def _healthz(self, _request: web.Request) -> web.Response:
        ok, checks = await self.health.check()
        body = json.dumps({"status": "ok" if ok else "failing", "checks": checks}, ensure_ascii=False)
        return web.Response(status=200 if ok else 503, text=body, content_type="application/json")

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = await asyncio.to_thread(self.metrics.render)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
