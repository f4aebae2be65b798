"""`liaison-bot run` (long polling against Telegram or any Bot API server) and `liaison-bot demo`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import TOKEN_ENV, ConfigError, load_config


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run` and `demo`."""
    p = sub.add_parser("run", help=f"run the bot with long polling; the token comes from ${TOKEN_ENV}")
    p.add_argument("--config", default=None, help="campaign file (default: the project's config.toml)")
    p.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    p.set_defaults(func=run)

    d = sub.add_parser("demo", help="the offline sandbox: the real bot against a built-in Telegram emulator")
    d.add_argument("--script", action="store_true", help="play the scripted walk-through and print the transcript")
    d.add_argument("--config", default=None, help="campaign file (default: the project's config.toml)")
    d.add_argument("--verbose", "-v", action="store_true", help="show the bot's log")
    d.set_defaults(func=demo)


def run(args: argparse.Namespace) -> int:
    """Migrate the database, then poll until interrupted."""
    from bot.db import upgrade
    from bot.logsetup import setup_logging

    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"The bot token is missing: set the environment variable {TOKEN_ENV}.", file=sys.stderr)
        return 2
    setup_logging(logging.DEBUG if args.verbose else logging.INFO, secrets=[token])
    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    from bot.app import build_application
    from bot.storage import Storage

    upgrade(config.database.url)
    app = build_application(config, token=token, storage=Storage.from_url(config.database.url))
    app.run_polling(allowed_updates=["message", "callback_query"])
    return 0


def demo(args: argparse.Namespace) -> int:
    """Start the emulator, the real bot and a temporary database; chat, or play the script."""
    import asyncio

    from bot.demo import run_demo

    return asyncio.run(run_demo(config_path=args.config, scripted=args.script, verbose=args.verbose))
