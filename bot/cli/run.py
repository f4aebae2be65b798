"""`liaison-bot run` (long polling, or a webhook, against Telegram or any Bot API server) and `liaison-bot demo`."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.config import TOKEN_ENV, WEBHOOK_SECRET_ENV, ConfigError, load_config

log = logging.getLogger("bot.run")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `run` and `demo`."""
    p = sub.add_parser(
        "run",
        help=f"run the bot: long polling, or a webhook if [telegram] webhook_url is set; the token comes from ${TOKEN_ENV}",
        description=(
            f"Run the bot. The token comes from ${TOKEN_ENV}. With [telegram] webhook_url set in the config, "
            "Telegram posts updates to that https URL, which must reach the bot's server on webhook_listen:webhook_port "
            f"(usually through a TLS-terminating proxy); the secret token comes from ${WEBHOOK_SECRET_ENV}, "
            "or a random one is made at each start. Otherwise the bot uses long polling."
        ),
    )
    p.add_argument("--config", default=None, help="campaign file (default: the project's config.toml)")
    p.add_argument("--verbose", "-v", action="store_true", help="debug logging of liaison-bot itself (the Telegram library stays at INFO: its debug lines hold personal data)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--webhook", action="store_true", help="receive updates by webhook (needs [telegram] webhook_url)")
    mode.add_argument("--polling", action="store_true", help="use long polling even if webhook_url is set (removes the webhook)")
    p.set_defaults(func=run)

    d = sub.add_parser("demo", help="the offline sandbox: the real bot against a built-in Telegram emulator")
    d.add_argument("--script", action="store_true", help="play the scripted walk-through and print the transcript")
    d.add_argument("--config", default=None, help="campaign file (default: the project's config.toml)")
    d.add_argument("--verbose", "-v", action="store_true", help="show the bot's log")
    d.add_argument("--web", action="store_true", help="serve the sandbox to a browser: a chat pane per persona, and the dashboard")
    d.add_argument("--port", type=int, default=8700, help="the sandbox page's port with --web (the dashboard uses the next one)")
    d.set_defaults(func=demo)


def run(args: argparse.Namespace) -> int:
    """Migrate the database, then poll or serve the webhook until interrupted."""
    from telegram.error import TelegramError

    from bot import webhook
    from bot.db import upgrade
    from bot.logsetup import setup_logging

    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"The bot token is missing: set the environment variable {TOKEN_ENV}.", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    hook: webhook.Webhook | None = None
    if getattr(args, "webhook", False) or (config.telegram.webhook_url and not getattr(args, "polling", False)):
        if not config.telegram.webhook_url:
            print("--webhook needs webhook_url in the [telegram] table of the config: the public https URL "
                  "Telegram posts updates to.", file=sys.stderr)  # fmt: skip
            return 2
        try:
            hook = webhook.prepare(config.telegram, os.environ)  # from here on the secret is redacted from logs
        except ValueError as e:
            print(e, file=sys.stderr)
            return 2
    setup_logging(logging.DEBUG if args.verbose else logging.INFO, secrets=[token] + ([hook.secret] if hook else []))
    from bot.app import build_application
    from bot.storage import Storage

    upgrade(config.database.url)
    app = build_application(config, token=token, storage=Storage.from_url(config.database.url))
    try:
        if hook is not None:
            log.info("%s", hook.describe())
            app.run_webhook(**hook.options)
        else:
            log.info("long polling %s", config.telegram.api_url)
            app.run_polling(allowed_updates=list(webhook.ALLOWED_UPDATES))
    except TelegramError as e:  # e.g. setWebhook refused: Telegram's words, which never contain a secret
        what = "set the webhook" if hook is not None else "start polling"
        print(f"Could not {what}: {e.__class__.__name__}: {e}", file=sys.stderr)
        return 1
    return 0


def demo(args: argparse.Namespace) -> int:
    """Start the emulator, the real bot and a temporary database; chat, or play the script."""
    import asyncio

    from bot.demo import run_demo

    web_port = args.port if args.web else None
    try:
        return asyncio.run(run_demo(config_path=args.config, scripted=args.script, verbose=args.verbose, web_port=web_port))
    except KeyboardInterrupt:
        return 0
