"""What `liaison-bot run` checks before it starts, each failure a `StartupError` of one line:
the token is set, the config is valid, the database opens and is migrated, the Bot API answers
getMe with this token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from bot.cli.failures import StartupError, first_line
from bot.config import DATABASE_URL_ENV, TOKEN_ENV, Config, ConfigError, load_config

log = logging.getLogger("bot.run")


def token_from(environ: Mapping[str, str]) -> str:
    """The bot token from the environment."""
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise StartupError(
            f"The bot token is missing: the environment variable {TOKEN_ENV} is not set",
            f"set {TOKEN_ENV} to the token @BotFather gave (in the service's environment file, never in config.toml)",
        )
    return token


def config(path: str | None) -> Config:
    """The campaign config, or the first of its problems and where to see them all."""
    try:
        return load_config(path)
    except ConfigError as e:
        more = f" (and {len(e.problems) - 1} more)" if len(e.problems) > 1 else ""
        raise StartupError(
            f"The config {e.path} is invalid: {e.problems[0]}{more}",
            f"run `liaison-bot check-config {e.path}` to see every problem, fix them and start again",
        ) from None


def database(url: str, *, migrate: bool) -> None:
    """Open the database; migrate it to the newest schema (or, with `migrate=False`, insist it is)."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import current_revision, head_revision, upgrade

    shown = _shown(url)
    where = f"[database] url in the config or ${DATABASE_URL_ENV}"
    try:
        current = current_revision(url)
    except (SQLAlchemyError, ModuleNotFoundError, OSError) as e:
        raise StartupError(f"Cannot open the database {shown}: {first_line(e)}", f"check {where}, and that the server is running") from None
    head = head_revision()
    if current is not None and not _known_revision(current):
        raise StartupError(
            f"The database {shown} is at schema revision {current}, which this version of liaison-bot does not know "
            "(a newer version migrated it)",
            "install that newer version again, or restore the backup taken before the upgrade",
        )
    if current == head:
        return
    if not migrate:
        raise StartupError(
            f"The database {shown} needs migrations: it is at revision {current or 'none (empty)'}, this version needs {head}",
            "take a backup (`liaison-bot backup`), then run `liaison-bot db upgrade` once, and start the bot again",
        )
    try:
        upgrade(url)
    except (SQLAlchemyError, OSError) as e:
        raise StartupError(
            f"Migrating the database {shown} from {current or 'empty'} to {head} failed: {first_line(e)}",
            "nothing was changed if the database supports transactional DDL; run `liaison-bot db upgrade --debug` to see why",
        ) from None
    log.info("database %s migrated from %s to %s", shown, current or "empty", head)


def _shown(url: str) -> str:
    """The URL without its password; an unparsable one is named by the check that follows."""
    from sqlalchemy.exc import ArgumentError

    from bot.cli.db import shown_url

    try:
        return shown_url(url)
    except (ArgumentError, ValueError):
        return "(an unparsable URL)"


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from bot.db import migrations_dir

    try:
        return ScriptDirectory(str(migrations_dir())).get_revision(revision) is not None
    except (CommandError, KeyError, ValueError):
        return False


def bot_api(api_url: str, token: str, *, timeout: float = 15.0) -> str:
    """Ask the Bot API who we are (getMe); the bot's @username, or the reason it cannot start."""
    return asyncio.run(_get_me(api_url, token, timeout))


async def _get_me(api_url: str, token: str, timeout: float) -> str:
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError
    from telegram.request import HTTPXRequest

    request = HTTPXRequest(connect_timeout=timeout, read_timeout=timeout)
    bot = Bot(token=token, base_url=f"{api_url}/bot", request=request)
    try:
        async with bot:  # initialize() is getMe
            return f"@{bot.username}"
    except InvalidToken:
        raise StartupError(
            f"The Bot API at {api_url} refused the token in ${TOKEN_ENV} (Unauthorized)",
            f"copy the token again from @BotFather (/mybots → API Token) into {TOKEN_ENV}; a revoked token must be replaced",
        ) from None
    except NetworkError as e:
        raise StartupError(
            f"Cannot reach the Bot API at {api_url}: {first_line(e)}",
            "check this machine's network and proxy (HTTPS_PROXY), or [telegram] api_url / $LIAISON_BOT_API_URL",
        ) from None
    except TelegramError as e:
        raise StartupError(f"The Bot API at {api_url} answered getMe with an error: {first_line(e)}", "check the token and api_url") from None

