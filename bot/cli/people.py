"""`liaison-bot invite list` / `invite revoke ID…` (unused invites) and `liaison-bot remove-backup UNIT_CODE [PERSON]`
(a backup liaison removed): what a coordinator does in chat with /invites and /backups, audited the same way."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.config import ConfigError, load_config


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `remove-backup` (`invite list|revoke` are words of `invite`: bot.cli.invite)."""
    p = sub.add_parser("remove-backup", help="remove a backup liaison (B角) of a unit; without PERSON, list the unit's backups")
    p.add_argument("unit", metavar="UNIT_CODE", help="the unit's code")
    p.add_argument("person", nargs="?", default=None, metavar="PERSON", help="the backup's name or Telegram user id")
    p.add_argument("--config", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    p.add_argument("--database-url", default=None, help="database URL (default: the config's)")
    p.set_defaults(func=run_remove_backup)


def _with_services(args: argparse.Namespace, work: Callable[[Any, datetime], int]) -> int:
    from bot.context import open_services
    from bot.db import upgrade
    from bot.storage import Storage

    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    url = args.database_url or config.database.url
    upgrade(url)
    storage = Storage.from_url(url)
    try:
        return work(open_services(config, storage, secret=b"cli"), datetime.now(UTC))  # the CLI may read the clock
    finally:
        storage.dispose()


def run_invites(args: argparse.Namespace) -> int:
    """`invite list`: the unused invites; `invite revoke ID…`: revoke them (exit 1 if any could not be)."""
    from bot.services.people import removal

    def work(services: Any, now: datetime) -> int:
        if args.unit == "list":
            if args.ids:
                print("invite list takes no arguments", file=sys.stderr)
                return 2
            tz = services.config.campaign.tz
            for o in removal.open_invites(services, scope=None, now=now):
                where = o.unit.code if o.unit else "-"
                print(f"#{o.invite.id}\t{where}\t{o.invite.role.value}\tvalid until {o.invite.expires_at.astimezone(tz):%Y-%m-%d %H:%M}")
            return 0
        if not args.ids or not all(str(i).lstrip("#").isdigit() for i in args.ids):
            print("usage: liaison-bot invite revoke ID [ID …] (the numbers `liaison-bot invite list` shows)", file=sys.stderr)
            return 2
        failed = 0
        for raw in args.ids:
            invite_id = int(str(raw).lstrip("#"))
            done = removal.revoke(services, invite_id=invite_id, scope=None, actor_person_id=None, now=now)
            if done is None:
                print(f"invite #{invite_id}: no such unused invite (used, revoked or unknown); nothing changed", file=sys.stderr)
                failed += 1
            else:
                print(f"invite #{invite_id} revoked ({done.unit.code if done.unit else 'campaign-wide'}, {done.invite.role.value})")
        return 1 if failed else 0

    return _with_services(args, work)


def run_remove_backup(args: argparse.Namespace) -> int:
    """List the unit's backups, or remove the one named (by name or Telegram id)."""
    from bot.services.people import removal

    def work(services: Any, now: datetime) -> int:
        if services.storage.units.get_unit_by_code(code=args.unit) is None:
            print(f"no unit with code {args.unit!r}", file=sys.stderr)
            return 2
        found = removal.backups(services, scope=None, unit_code=args.unit)
        if args.person is None:
            for b in found:
                print(f"{b.person.telegram_user_id}\t{b.person.name or b.person.first_name or ''}")
            if not found:
                print(f"{args.unit} has no backup liaison", file=sys.stderr)
            return 0
        chosen = [b for b in found if args.person in (str(b.person.telegram_user_id), b.person.name)]
        if len(chosen) != 1:
            names = ", ".join(f"{b.person.name or '?'} ({b.person.telegram_user_id})" for b in found) or "none"
            problem = "several backups match" if chosen else "no backup of this unit matches"
            print(f"{args.unit}: {problem} {args.person!r}; its backups: {names}", file=sys.stderr)
            return 2
        done = removal.remove_backup(services, assignment_id=chosen[0].assignment.id or 0, scope=None, actor_person_id=None, now=now)
        if done is None:
            print("the backup was removed meanwhile; nothing changed", file=sys.stderr)
            return 1
        print(f"{done.person.name or done.person.telegram_user_id} is no longer backup liaison of {done.unit.code}")
        return 0

    return _with_services(args, work)
