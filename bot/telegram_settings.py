"""[telegram]: the Bot API server, and the webhook (URL, listen address, port, path) when not polling."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from bot.botapi_client import AiohttpRequest
from schedules.rules import Strict


DEFAULT_API_URL = "https://api.telegram.org"
API_URL_ENV = "LIAISON_BOT_API_URL"


WEBHOOK_SECRET_ENV = "LIAISON_BOT_WEBHOOK_SECRET"
# Telegram posts webhooks only to these ports (https://core.telegram.org/bots/api#setwebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)
# PTB routes the webhook path as a regular expression: keep it to characters that mean themselves.
_WEBHOOK_PATH = re.compile(r"^/[A-Za-z0-9_.~/-]*$")


class TelegramSettings(Strict):
    """Where the Bot API is, and the webhook if updates come by webhook instead of long polling.

    The token and the webhook's secret token never live here, only in the environment.
    """

    api_url: str = DEFAULT_API_URL
    bot_username: str | None = Field(default=None, description="used for invite links before getMe answers")
    webhook_url: str | None = Field(default=None, description="the public https URL Telegram posts updates to")
    webhook_listen: str = Field(default="127.0.0.1", description="the address the bot's webhook server listens on")
    webhook_port: int = Field(default=8443, description="the port the bot's webhook server listens on")
    webhook_path: str | None = Field(default=None, description="the path the bot's server answers; default: webhook_url's")
    # The client to the Bot API: one host. Connections kept open carry every request (30 a second at
    # most, the flood limit); 32 leave room for a slow route (a second per request) and the menus and
    # notices sent beside a wave; a request finding them all busy waits up to `pool_wait_s`.
    connections: int = Field(default=32, description="connections kept open to the Bot API (requests at once)")
    keepalive_s: float = Field(default=60.0, description="seconds an idle connection is kept for the next request")
    pool_wait_s: float = Field(default=10.0, description="seconds a request waits for a free connection")

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                "expected the public https:// URL Telegram posts updates to, e.g. 'https://bot.example.org/telegram' "
                "(Telegram posts only to https; a proxy in front of the bot terminates TLS)"
            )
        try:
            port = parts.port or 443
        except ValueError:
            raise ValueError("the port in the URL is not a number from 1 to 65535") from None
        if port not in WEBHOOK_PORTS:
            raise ValueError(f"Telegram posts webhooks only to ports 443, 80, 88 or 8443, not {port}")
        if parts.username or parts.password:
            raise ValueError("a user name or password in the URL is not supported; the secret token authenticates Telegram")
        if parts.query or parts.fragment:
            raise ValueError("expected no '?query' or '#fragment'; the secret token authenticates Telegram")
        if not _WEBHOOK_PATH.match(parts.path or "/"):
            raise ValueError("the URL's path may contain only letters, digits and / _ - . ~")
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            address = None
        if address is not None and not address.is_global:
            raise ValueError(f"Telegram does not post to the private or local address {address}; use the public name or address")
        return value.strip()

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?", value):
                raise ValueError(
                    "expected an address to listen on: '127.0.0.1' (a proxy on this machine forwards to the bot), "
                    "'0.0.0.0' (every interface) or a host name"
                ) from None
        return value

    @field_validator("connections")
    @classmethod
    def _connections(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("expected from 1 to 100 connections (32 carry Telegram's 30 messages a second on a slow route)")
        return value

    @field_validator("keepalive_s", "pool_wait_s")
    @classmethod
    def _seconds(cls, value: float) -> float:
        if not 0 < value <= 3600:
            raise ValueError("expected a number of seconds above 0, at most 3600")
        return value

    @field_validator("webhook_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("expected a port number from 1 to 65535")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not _WEBHOOK_PATH.match(value):
            raise ValueError("expected a path starting with '/' of letters, digits and / _ - . ~, e.g. '/telegram'")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSettings:
        given = sorted(k for k in ("webhook_listen", "webhook_port", "webhook_path") if k in self.model_fields_set)
        if given and self.webhook_url is None:
            raise ValueError(
                f"{', '.join(given)} given without webhook_url: set webhook_url (the public https URL Telegram posts to) "
                "to receive updates by webhook, or remove them to use long polling"
            )
        return self

    def request(self) -> AiohttpRequest:
        """The HTTP client for the Bot API's ordinary requests (getUpdates has its own, one connection)."""
        return AiohttpRequest(connection_pool_size=self.connections, pool_timeout=self.pool_wait_s, keepalive_s=self.keepalive_s)

    @property
    def webhook_url_path(self) -> str:
        """The path the bot's webhook server answers: `webhook_path`, else the path of `webhook_url`."""
        if self.webhook_path:
            return self.webhook_path
        return urlsplit(self.webhook_url or "").path or "/"
