"""Webhook mode: Telegram posts each update to the bot's own HTTP server instead of being polled.

The public `webhook_url` (https, ports 443/80/88/8443) is usually a reverse proxy that terminates
TLS and forwards to `webhook_listen:webhook_port` + `webhook_path`, where PTB's server (tornado)
answers. setWebhook registers the URL with a secret token; Telegram sends it back in the header
X-Telegram-Bot-Api-Secret-Token and PTB refuses (403) any POST without the right one.

The secret comes only from the environment (`LIAISON_BOT_WEBHOOK_SECRET`), or a random one is
made at each start (setWebhook replaces the old one); it is never logged.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.telegram_settings import WEBHOOK_SECRET_ENV, TelegramSettings
from bot.logsetup import protect

# The update types the bot handles, for getUpdates and setWebhook alike.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
# What Telegram accepts as a secret token (setWebhook's secret_token).
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Webhook:
    """A webhook ready to start: `options` are the keyword arguments of PTB's run_webhook/start_webhook."""

    settings: TelegramSettings
    secret: str = field(repr=False)  # out of any repr that might be logged
    secret_from_environment: bool = False

    @property
    def listen_url(self) -> str:
        """Where the bot's own server answers (behind the proxy)."""
        return f"http://{self.settings.webhook_listen}:{self.settings.webhook_port}{self.settings.webhook_url_path}"

    @property
    def options(self) -> dict[str, Any]:
        return {
            "listen": self.settings.webhook_listen,
            "port": self.settings.webhook_port,
            "url_path": self.settings.webhook_url_path,
            "webhook_url": self.settings.webhook_url,
            "secret_token": self.secret,
            "allowed_updates": list(ALLOWED_UPDATES),
        }

    def describe(self) -> str:
        """One line for the operator's log, without the secret."""
        source = f"${WEBHOOK_SECRET_ENV}" if self.secret_from_environment else "made for this run"
        return (
            f"webhook: Telegram posts to {self.settings.webhook_url}; the bot answers on {self.listen_url}; "
            f"secret token {source}"
        )


def secret_token(environ: Mapping[str, str]) -> tuple[str, bool]:
    """The secret from `$LIAISON_BOT_WEBHOOK_SECRET`, or a new random one; and whether it came from there.

    Raises ValueError (without the value) if the variable holds something Telegram would refuse.
    """
    value = environ.get(WEBHOOK_SECRET_ENV, "")
    if not value:
        return secrets.token_urlsafe(32), False  # 43 characters of A-Z a-z 0-9 _ -
    if not SECRET_TOKEN.fullmatch(value):
        why = "longer than 256 characters" if len(value) > 256 else "a character other than A-Z a-z 0-9 _ -"
        raise ValueError(
            f"The webhook secret in ${WEBHOOK_SECRET_ENV} has {why}; Telegram accepts 1 to 256 of A-Z a-z 0-9 _ -. "
            f"Fix it, or unset it to have a random one made at each start."
        )
    return value, True


def prepare(settings: TelegramSettings, environ: Mapping[str, str]) -> Webhook:
    """The webhook for these settings, its secret kept out of every log from here on."""
    if not settings.webhook_url:
        raise ValueError("No webhook is configured: set webhook_url in the [telegram] table of the config.")
    secret, from_environment = secret_token(environ)
    protect(secret)
    return Webhook(settings=settings, secret=secret, secret_from_environment=from_environment)
