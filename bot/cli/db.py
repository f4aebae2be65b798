"""`liaison-bot db upgrade|current`: schema migrations from the command line."""

import argparse
from typing import Any

from bot.db import DEFAULT_DATABASE_URL, current_revision, head_revision, normalize_url, upgrade


def _url(args: argparse.Namespace) -> str:
    url: str | None = getattr(args, "url", None) or getattr(args, "database_url", None)
    return url or DEFAULT_DATABASE_URL


def _shown(url: str) -> str:
    return normalize_url(url).render_as_string(hide_password=True)


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Migrate the database to the newest schema."""
    url = _url(args)
    before = current_revision(url)
    upgrade(url)
    after = current_revision(url)
    if before == after:
        print(f"database {_shown(url)} already at revision {after} (head)")
    else:
        print(f"database {_shown(url)} upgraded from {before or 'empty'} to {after} (head)")
    return 0


def cmd_current(args: argparse.Namespace) -> int:
    """Show the schema revision of the database; exit 1 if it is behind."""
    url = _url(args)
    current = current_revision(url)
    head = head_revision()
    state = "up to date" if current == head else "needs `liaison-bot db upgrade`"
    print(f"database {_shown(url)}: revision {current or 'none'}, head {head} ({state})")
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
            help=f"database URL (default: the config's, else {DEFAULT_DATABASE_URL})",
        )
        sub.set_defaults(func=func)
    return parser
