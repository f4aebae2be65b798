"""`liaison-bot db upgrade|current`: schema migrations from the command line."""

import argparse
import sys
from typing import Any

from bot.db import DEFAULT_DATABASE_URL, current_revision, head_revision, normalize_url, upgrade


def _url(args: argparse.Namespace) -> str:
    """--url, else the campaign config's (with $LIAISON_BOT_DATABASE_URL over it), as `run` uses it."""
    url: str | None = getattr(args, "url", None) or getattr(args, "database_url", None)
    if url:
        return url
    from bot.config import load_config

    return load_config(getattr(args, "config", None)).database.url


def _guarded(command: Any) -> Any:
    """Say what went wrong with the database or the config in one line, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from bot.config import ConfigError

        try:
            return int(command(args))
        except ConfigError as e:
            print(e, file=sys.stderr)
            return 2
        except (SQLAlchemyError, ModuleNotFoundError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            print(f"database error: {first}", file=sys.stderr)
            return 2

    run.__doc__ = command.__doc__
    return run


def shown_url(url: str) -> str:
    """A database URL as the command line prints it: the password hidden."""
    return normalize_url(url).render_as_string(hide_password=True)


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Migrate the database to the newest schema."""
    url = _url(args)
    before = current_revision(url)
    upgrade(url)
    after = current_revision(url)
    if before == after:
        print(f"database {shown_url(url)} already at revision {after} (head)")
    else:
        print(f"database {shown_url(url)} upgraded from {before or 'empty'} to {after} (head)")
    return 0


def cmd_current(args: argparse.Namespace) -> int:
    """Show the schema revision of the database; exit 1 if it is behind."""
    url = _url(args)
    current = current_revision(url)
    head = head_revision()
    state = "up to date" if current == head else "needs `liaison-bot db upgrade`"
    print(f"database {shown_url(url)}: revision {current or 'none'}, head {head} ({state})")
    return 0 if current == head else 1


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `db` with its subcommands `upgrade` and `current`."""
    parser: argparse.ArgumentParser = subparsers.add_parser("db", help="database schema migrations")
    commands = parser.add_subparsers(dest="db_command", metavar="{upgrade,current}", required=True)
    for name, func, text in (
        ("upgrade", cmd_upgrade, "migrate the database to the newest schema"),
        ("current", cmd_current, "show the database's schema revision"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument(
            "--url",
            help=f"database URL (default: the config's [database] url or $LIAISON_BOT_DATABASE_URL; {DEFAULT_DATABASE_URL} if neither)",
        )
        sub.add_argument("--config", default=None, help="campaign file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
        sub.set_defaults(func=_guarded(func))
    return parser
