"""Logging that never shows the bot token, the webhook's secret token, an invite token or a phone
number, whatever library logs them; and no personal data: the Telegram library, whose debug output
holds every message and update (names, phones, typed text), stays at INFO even in verbose mode.
Plain lines by default, one JSON object a line on request (`run --json-logs`); Alembic keeps its
INFO chatter to itself."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_TOKEN_SHAPE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
# A secret token next to its name, as PTB logs setWebhook's parameters or a header would show:
# `'secret_token': '...'`, `secret token: ...`, `X-Telegram-Bot-Api-Secret-Token: ...`.
# An invite's token in a deep link or in the /start it opens (`start=TOKEN`, `/start TOKEN`).
_INVITE = re.compile(r"((?:\?|&|\b)start=|/start\s+)[A-Za-z0-9_-]{16,64}")
# Mainland mobile numbers (+86 optional) and landlines with an area code (0564-1234567).
_PHONE = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_SECRET_PARAM = re.compile(r"""(secret[ _-]token['"]?\s*[:=]\s*['"]?)[A-Za-z0-9_-]+""", re.IGNORECASE)

# Loggers of the libraries that log request parameters, URLs or headers. A filter on the logger
# itself cleans a record before any handler sees it, including handlers added later (pytest's).
LIBRARY_LOGGERS = (
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Updater",
    "telegram.ext.Application",
    "httpx",
    "httpcore",
    "tornado.access",
    "tornado.application",
    "tornado.general",
)


class RedactSecrets(logging.Filter):
    """Replace known secrets, anything shaped like a bot token, and named secret tokens, in every record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def add(self, *secrets: str) -> None:
        """Redact these too from now on."""
        self.secrets.extend(s for s in secrets if s and s not in self.secrets)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        text = _SECRET_PARAM.sub(r"\1<secret>", text)
        text = _INVITE.sub(r"\1<invite>", text)
        text = _TOKEN_SHAPE.sub("<token>", text)
        return _PHONE.sub("<phone>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, cleaned, so arguments cannot reintroduce a secret."""
        message = record.getMessage()
        record.msg = self._clean(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True


_LIBRARIES = RedactSecrets([])


def protect(*secrets: str) -> None:
    """Keep these secrets out of every record the libraries in `LIBRARY_LOGGERS` log, whoever handles it."""
    _LIBRARIES.add(*secrets)
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if _LIBRARIES not in logger.filters:
            logger.addFilter(_LIBRARIES)


class OneLineErrors(logging.Filter):
    """A library's error with its exception as one line (`: NetworkError: Bad Gateway`), not a traceback:
    PTB's network loop logs each failed bootstrap call with one; `--debug` keeps them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text = str(error).strip().splitlines()[0] if str(error).strip() else ""
            record.msg = f"{record.getMessage()}: {type(error).__name__}: {text}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_ONE_LINE = OneLineErrors()
# Loggers whose errors are about the network or Telegram, said by the startup failure line anyway.
ONE_LINE_LOGGERS = ("telegram.ext", "telegram.ext.Updater", "telegram.ext.Application")


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["traceback"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(
    level: int = logging.INFO, *, secrets: list[str] | None = None, json_lines: bool = False, tracebacks: bool = False
) -> None:
    """Configure the root logger with the redacting filter on its handler (and on the libraries' loggers).

    Without `tracebacks`, the Telegram library's errors are logged in one line each."""
    for name in ONE_LINE_LOGGERS:
        logger = logging.getLogger(name)
        if tracebacks and _ONE_LINE in logger.filters:
            logger.removeFilter(_ONE_LINE)
        elif not tracebacks and _ONE_LINE not in logger.filters:
            logger.filters.insert(0, _ONE_LINE)  # before the redaction, which renders the traceback
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets or []))
    protect(*(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # `run` logs one line of its own when it migrates
    # PTB's debug lines carry every request and update in full: personal data, never logged.
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))
    logging.getLogger("tornado.access").setLevel(max(level, logging.INFO))
