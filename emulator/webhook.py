"""Webhook delivery: while a webhook is set, pending updates are POSTed to it the way Telegram does.

One update at a time, oldest first, as JSON, with the header X-Telegram-Bot-Api-Secret-Token
when setWebhook was given a secret_token. An answer other than 2xx (or none) is a failed
delivery: getWebhookInfo reports it (`last_error_date`, `last_error_message` in Telegram's
words) and the same update is tried again later, after a growing pause, before any newer one.
(Telegram may use up to max_connections connections at once; one keeps the order a test can
reason about. A Bot API method in the webhook's answer is not performed: PTB never sends one.)

Telegram posts only to public https URLs; the emulator never leaves this machine. A route,
`emu.route_webhook("https://bot.example.org", "http://127.0.0.1:8443")`, plays the TLS proxy in
front of the bot: a webhook URL under the public prefix is posted to the same path under the
local one, which must be a loopback address. A webhook URL without a route fails to deliver
as an unresolvable host would.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

if TYPE_CHECKING:
    from emulator.server import Emulator

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PORTS = (443, 80, 88, 8443)
UNRESOLVED = "Failed to resolve host: Name or service not known"


@dataclass
class Delivery:
    """One attempt to deliver an update to the webhook, and how it ended."""

    url: str  # the webhook URL, as set with setWebhook
    target: str | None  # where the emulator posted it (through the route); None: no route
    update_id: int
    secret: str | None  # the header sent, if any
    at: datetime
    status: int  # the webhook's HTTP status; 0 if it gave none
    outcome: str  # "ok", or the error as getWebhookInfo words it

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class WebhookSender:
    """Posts the emulator's pending updates to the webhook while one is set."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.routes: dict[str, str] = {}
        self.deliveries: list[Delivery] = []
        # Pauses before the 1st, 2nd, ... retry of a failed update; the last one repeats.
        self.retry_delays: tuple[float, ...] = (0.05, 0.2, 0.5, 1.0, 2.0)
        self.timeout = 10.0
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self._task: asyncio.Task[None] | None = None

    # --- routes ---------------------------------------------------------------------

    def route(self, public: str, local: str) -> None:
        """Deliver webhooks under the `public` https prefix to the same path under `local` (loopback only)."""
        pub = urlsplit(public)
        if pub.scheme != "https" or not pub.hostname:
            raise ValueError(f"the public side of a route is an https:// URL, not {public!r}")
        loc = urlsplit(local)
        if loc.scheme not in ("http", "https") or not _is_loopback(loc.hostname or ""):
            raise ValueError(f"the emulator delivers only to this machine (127.0.0.1, ::1, localhost), not {local!r}")
        self.routes[public.rstrip("/")] = local.rstrip("/")

    def target_for(self, url: str) -> str | None:
        """Where a webhook URL is delivered: the longest matching route, or None."""
        for public in sorted(self.routes, key=len, reverse=True):
            if url == public or url.startswith(public + "/"):
                return self.routes[public] + url[len(public):]
        return None

    # --- lifecycle ------------------------------------------------------------------

    def restart(self) -> None:
        """(Re)start delivering to the webhook now set, with a fresh back-off; stop if none is set."""
        self.cancel()
        hook = dict(self.emu.state.webhook)
        if hook.get("url") and not self.emu.stopping:
            self._task = asyncio.get_running_loop().create_task(self._run(hook), name="emulator-webhook")

    def cancel(self) -> None:
        """Stop delivering (an update being posted stays pending)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- delivery -------------------------------------------------------------------

    async def _run(self, hook: dict[str, Any]) -> None:
        state = self.emu.state
        url = str(hook["url"])
        secret = hook.get("secret_token") or None
        failures = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
            while True:
                async with state.updates_changed:
                    await state.updates_changed.wait_for(lambda: bool(state.deliverable(1)))
                    update = state.deliverable(1)[0]
                if await self._deliver(session, url, secret, update):
                    failures = 0
                    state.confirm(int(update["update_id"]) + 1)
                    async with state.updates_changed:
                        state.updates_changed.notify_all()
                else:
                    failures += 1
                    await asyncio.sleep(self.retry_delays[min(failures, len(self.retry_delays)) - 1])

    async def _deliver(
        self, session: aiohttp.ClientSession, url: str, secret: str | None, update: dict[str, Any]
    ) -> bool:
        target = self.target_for(url)
        at = datetime.now(UTC)
        status, outcome = 0, UNRESOLVED
        if target is not None:
            headers = {"Content-Type": "application/json"}
            if secret:
                headers[SECRET_HEADER] = secret
            body = json.dumps(update, ensure_ascii=False).encode()
            try:
                async with session.post(target, data=body, headers=headers, allow_redirects=False) as response:
                    await response.read()
                    status = response.status
                    outcome = "ok" if 200 <= status < 300 else f"Wrong response from the webhook: {status} {response.reason}"
            except TimeoutError:
                outcome = "Read timeout expired"
            except aiohttp.ClientConnectorError:
                outcome = "Connection refused"
            except aiohttp.ClientError as exc:
                outcome = f"Connection error: {exc.__class__.__name__}"
        self.deliveries.append(Delivery(url, target, int(update["update_id"]), secret, at, status, outcome))
        if outcome != "ok":
            self.last_error_date = int(at.timestamp())
            self.last_error_message = outcome
        return outcome == "ok"


def check_webhook_url(url: str) -> str | None:
    """What Telegram's setWebhook says about a URL ('bad webhook: ...'), or None if it takes it."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return "bad webhook: An HTTPS URL must be provided for webhook"
    try:
        port = parts.port or 443
    except ValueError:
        port = 0
    if port not in WEBHOOK_PORTS:
        return "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return None
    if not address.is_global:
        return f"bad webhook: IP address {address} is reserved"
    return None


def check_secret_token(secret: str) -> str | None:
    """What Telegram's setWebhook says about a secret_token, or None if it takes it."""
    if len(secret) > 256:
        return "secret token is too long"
    if any(not (c.isascii() and (c.isalnum() or c in "_-")) for c in secret):
        return "secret token contains unallowed characters"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
