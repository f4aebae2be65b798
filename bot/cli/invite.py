"""`liaison-bot invite [UNIT_CODE] --role ROLE`: a one-time invite link, printed once (the token is never stored).
`liaison-bot invite list` and `liaison-bot invite revoke ID…`: the unused invites, and revoking them (bot.cli.people)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.config import ConfigError, load_config, parse_duration
from bot.models import UNIT_SCOPED_ROLES, Role


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `invite`."""
    p = sub.add_parser("invite", help="make a one-time invite link for a unit (or a coordinator/leader) and print it")
    p.add_argument("unit", nargs="?", default=None, metavar="UNIT_CODE", help="the unit's code (none for coordinator/leader); or: list, revoke")
    p.add_argument("ids", nargs="*", metavar="ID", help="with revoke: the invites to revoke (as `invite list` shows them)")
    p.add_argument("--role", default=Role.primary.value, choices=[r.value for r in Role], help="default: primary")
    p.add_argument("--expires", default="14d", help="how long the link works, e.g. 14d, 36h (default: 14d)")
    p.add_argument("--config", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    p.add_argument("--database-url", default=None, help="database URL (default: the config's)")
    p.add_argument("--bot-username", default=None, help="the bot's @username, if config.telegram.bot_username is not set")
    p.set_defaults(func=run_invite)


def run_invite(args: argparse.Namespace) -> int:
    """Create the invite and print its deep link on standard output (nothing else goes there)."""
    if args.unit in ("list", "revoke"):
        from bot.cli.people import run_invites

        return run_invites(args)
    if args.ids:
        print(f"unexpected arguments: {' '.join(args.ids)}", file=sys.stderr)
        return 2
    from bot.context import open_services
    from bot.db import upgrade
    from bot.services.people.campaign import sync_campaign
    from bot.services.people.invites import InviteError, create_invite, invite_link
    from bot.storage import Storage

    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    username = args.bot_username or config.telegram.bot_username
    if not username:
        print("the bot's username is unknown: set [telegram] bot_username in the config or pass --bot-username", file=sys.stderr)
        return 2
    try:
        expires = parse_duration(args.expires)
    except ValueError as e:
        print(f"--expires: {e}", file=sys.stderr)
        return 2
    role = Role(args.role)
    if role in UNIT_SCOPED_ROLES and not args.unit:
        print(f"a {role.value} invite needs a UNIT_CODE", file=sys.stderr)
        return 2
    url = args.database_url or config.database.url
    upgrade(url)
    storage = Storage.from_url(url)
    try:
        now = datetime.now(UTC)  # the CLI may read the clock
        sync_campaign(storage, config, now=now)  # the config's units exist even before the bot first ran
        services = open_services(config, storage, secret=b"cli")
        try:
            made = create_invite(services, role=role, unit_code=args.unit, now=now, expires=expires)
        except InviteError as e:
            print(str(e), file=sys.stderr)
            return 2
    finally:
        storage.dispose()
    where = made.unit.name if made.unit else "campaign-wide"
    print(f"{role.value} invite for {where}, valid until {made.invite.expires_at.astimezone(config.campaign.tz):%Y-%m-%d %H:%M}, single use:", file=sys.stderr)
    print(invite_link(username, made.token))
    return 0
