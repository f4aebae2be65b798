"""The emulator: an aiohttp server answering Bot API calls the way Telegram does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from emulator.control import GroupHandle, UserHandle
from emulator.control_http import add_control_routes
from emulator.errors import ApiError
from emulator.limits import Faults, FloodControl
from emulator.methods import HANDLERS
from emulator.spec import SPEC_PATH, Spec, SpecError, UploadedFile
from emulator.state import State
from emulator.webhook import Delivery, WebhookSender

UPLOAD_LIMIT = 50 * 1024 * 1024
_HTML_GATEWAY = "<html><head><title>{0} Bad Gateway</title></head><body><center><h1>{0} Bad Gateway</h1></center><hr><center>nginx/1.18.0</center></body></html>"  # noqa: E501
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}  # fmt: skip


@dataclass
class SentCall:
    """One call the bot made, and how it ended."""

    method: str
    params: dict[str, Any]
    at: datetime
    status: int
    outcome: str  # "ok", the error description, "injected failure", "dropped ..."
    result: Any = None


class _Drop(Exception):
    """Close the connection without an answer."""


class Emulator:
    """An emulated Telegram Bot API server for one bot."""

    def __init__(
        self,
        bot_token: str = "123456:TEST",
        bot_username: str = "liaison_demo_bot",
        *,
        bot_first_name: str = "Liaison Demo",
        host: str = "127.0.0.1",
        port: int = 0,
        spec_path: Path = SPEC_PATH,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.bot_username = bot_username
        self.bot_user: dict[str, Any] = {
            "id": int(bot_token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.host = host
        self.port = port
        self.spec = Spec(spec_path)
        self.state = State(clock)
        self.flood = FloodControl()
        self.faults = Faults()
        self.violations: list[dict[str, Any]] = []
        self.sent: list[SentCall] = []
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.poll_generation = 0
        self.stopping = False
        self.webhooks = WebhookSender(self)
        self._expecting = 0
        self._handles: dict[int, UserHandle] = {}
        self._groups: dict[int, GroupHandle] = {}
        self._runner: web.AppRunner | None = None

    # --- lifecycle ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL, e.g. http://127.0.0.1:8081."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB's `base_url`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's `base_file_url`."""
        return f"{self.url}/file/bot"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_call)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        add_control_routes(app, self)
        return app

    async def start(self) -> None:
        """Listen on host:port (a free port if 0)."""
        self.stopping = False
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.webhooks.restart()  # a webhook set before a restart is delivered to again

    async def stop(self) -> None:
        """End pending long polls and webhook deliveries, and close the server."""
        self.stopping = True
        await self.webhooks.stop()
        async with self.state.updates_changed:
            self.state.updates_changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- people ---------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> UserHandle:
        """A Telegram user and their private chat with the bot; one handle per id.

        A new user defaults to first_name "Test" and language "zh-hans"; for a known user,
        only the fields given are changed.
        """
        known = self.state.users.get(user_id)
        if known is None or first_name or username or language_code:
            base = known or {"first_name": "Test", "language_code": "zh-hans"}
            self.state.add_user(
                user_id,
                first_name or base["first_name"],
                username or base.get("username"),
                language_code or base.get("language_code"),
            )
        if user_id not in self._handles:
            self._handles[user_id] = UserHandle(self, user_id)
        return self._handles[user_id]

    def group(self, chat_id: int, title: str = "Group", members: tuple[int, ...] = ()) -> GroupHandle:
        """A group chat (negative id) the bot is a member of."""
        chat = self.state.add_group(chat_id, title)
        chat.members.update(members)
        if chat_id not in self._groups:
            self._groups[chat_id] = GroupHandle(self, chat_id)
        return self._groups[chat_id]

    # --- webhooks -------------------------------------------------------------------

    def route_webhook(self, public: str, local: str) -> None:
        """Deliver webhooks set under the `public` https prefix to `local` (a loopback http URL).

        The emulator's stand-in for the TLS proxy in front of a bot, e.g.
        `emu.route_webhook("https://bot.example.org", "http://127.0.0.1:8443")`.
        """
        self.webhooks.route(public, local)

    @property
    def webhook_deliveries(self) -> list[Delivery]:
        """Every attempt to deliver an update to a webhook, in order."""
        return list(self.webhooks.deliveries)

    # --- bookkeeping ----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SentCall]:
        """Logged calls, optionally of one method (case-insensitive)."""
        if method is None:
            return list(self.sent)
        return [c for c in self.sent if c.method.lower() == method.lower()]

    def record_violation(self, method: str, problem: str, params: dict[str, Any]) -> None:
        self.violations.append(
            {"method": method, "problem": problem, "params": params, "expected": self._expecting > 0}
        )

    @property
    def unexpected_violations(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if not v["expected"]]

    @contextlib.contextmanager
    def expect_violations(self) -> Iterator[list[dict[str, Any]]]:
        """Violations recorded inside are expected; at least one must happen."""
        start = len(self.violations)
        self._expecting += 1
        caught: list[dict[str, Any]] = []
        try:
            yield caught
        finally:
            self._expecting -= 1
            caught.extend(self.violations[start:])
        if not caught:
            raise AssertionError("expected a Bot API violation, but none was recorded")

    # --- HTTP -----------------------------------------------------------------------

    async def _bot_call(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        method = self.spec.method_name(name) or name
        at = datetime.now(UTC)
        params: dict[str, Any] = dict(request.query)
        try:
            if request.match_info["token"] != self.bot_token:
                self.record_violation(method, "unknown bot token", {})
                raise ApiError(401, "Unauthorized")
            if self.spec.method_name(name) is None:
                self.record_violation(name, "unknown method", params)
                raise ApiError(404, "Not Found")
            params, files = await _read_params(request)
            logged = {**params, **{k: _file_note(f) for k, f in files.items()}}
            rule = self.faults.take(method, params.get("chat_id"))
            if self.faults.latency:
                await asyncio.sleep(self.faults.latency)
            if rule is not None and rule.kind == "fail":
                self._log(method, logged, at, rule.status, "injected failure")
                return _failure(rule.status, rule.html)
            if rule is not None and rule.kind == "drop" and not rule.after:
                self._log(method, logged, at, 0, "dropped before performing")
                raise _Drop
            result = await self._perform(method, params, files)
            if rule is not None and rule.release is not None:
                await rule.release.wait()  # "hold": performed, the answer still in flight
            if rule is not None and rule.kind == "drop":
                self._log(method, logged, at, 0, "dropped after performing", result)
                raise _Drop
            self._log(method, logged, at, 200, "ok", result)
            return web.json_response({"ok": True, "result": result})
        except ApiError as exc:
            if exc.violation:
                self.record_violation(method, exc.description, params)
            self._log(method, params, at, exc.status, exc.description)
            return web.json_response(exc.body(), status=exc.status)
        except _Drop:
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        except (ConnectionError, asyncio.CancelledError):
            raise
        except Exception as exc:  # an emulator bug: make it loud, not a hang
            self.record_violation(method, f"emulator internal error: {exc!r}", params)
            self._log(method, params, at, 500, f"emulator internal error: {exc!r}")
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return web.json_response(body, status=500)

    async def _perform(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        try:
            checked = self.spec.check(method, params, files)
        except SpecError as exc:
            raise ApiError(400, exc.description, violation=True) from None
        handler = HANDLERS.get(method)
        if handler is not None:
            return await handler(self, checked)
        if self.spec.returns(method) in (["Boolean"], ["True"]):
            return True
        self.record_violation(method, "not emulated", params)
        raise ApiError(501, f"Not Implemented: method {method} is not emulated")

    def _log(
        self, method: str, params: dict[str, Any], at: datetime, status: int, outcome: str,
        result: Any = None,
    ) -> None:  # fmt: skip
        self.sent.append(SentCall(method, params, at, status, outcome, result))

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.bot_token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, form or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON", violation=True) from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected", violation=True)
        params.update(body)
    elif ctype.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = bytes(await part.read())
                mime = part.headers.get("Content-Type", "application/octet-stream")
                files[part.name] = UploadedFile(data, part.filename, mime.split(";")[0])
            else:
                params[part.name] = await part.text()
    else:
        params.update(await request.post())
    return params, files


def _file_note(uploaded: UploadedFile) -> dict[str, Any]:
    return {"file_name": uploaded.file_name, "size": len(uploaded.data)}


def _failure(status: int, html: bool) -> web.Response:
    reason = _REASONS.get(status, "Server Error")
    if html:
        return web.Response(
            status=status, text=_HTML_GATEWAY.format(status), content_type="text/html"
        )
    body = {"ok": False, "error_code": status, "description": reason}
    return web.json_response(body, status=status)
