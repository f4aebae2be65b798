"""`liaison-bot run` (long polling, or a webhook, against Telegram or any Bot API server) and `liaison-bot demo`."""

from __future__ import annotations

import argparse
import logging
import os

from bot.cli.failures import StartupError, first_line
from bot.config import TOKEN_ENV
from bot.telegram_settings import WEBHOOK_SECRET_ENV

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
    p.add_argument("--config", default=None, help="campaign file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    p.add_argument("--verbose", "-v", action="store_true", help="debug logging of liaison-bot itself (the Telegram library stays at INFO: its debug lines hold personal data)")
    p.add_argument("--json-logs", action="store_true", help="log one JSON object a line (for journald, Loki, ELK)")
    p.add_argument(
        "--no-migrate", action="store_true",
        help="refuse to start if the database needs migrations instead of migrating it (several workers: migrate once with `liaison-bot db upgrade`)",
    )
    p.add_argument("--metrics-listen", default="127.0.0.1", metavar="ADDRESS", help="address of /healthz and /metrics (default 127.0.0.1)")
    p.add_argument("--metrics-port", type=int, default=9108, metavar="PORT", help="port of /healthz and /metrics (default 9108; -1: none)")
    p.add_argument(
        "--cpu", type=int, default=None, metavar="N",
        help="run on CPU N only (its threads' hand-overs stay in one core's cache: less CPU per update; scaled out, one worker per core)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--webhook", action="store_true", help="receive updates by webhook (needs [telegram] webhook_url)")
    mode.add_argument("--polling", action="store_true", help="use long polling even if webhook_url is set (removes the webhook)")
    p.set_defaults(func=run)

    d = sub.add_parser("demo", help="the offline sandbox: the real bot against a built-in Telegram emulator")
    d.add_argument("--script", action="store_true", help="play the scripted walk-through and print the transcript")
    d.add_argument("--config", default=None, help="campaign file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    d.add_argument("--verbose", "-v", action="store_true", help="show the bot's log")
    d.add_argument("--web", action="store_true", help="serve the sandbox to a browser: a chat pane per persona, and the dashboard")
    d.add_argument("--port", type=int, default=8700, help="the sandbox page's port with --web (the dashboard uses the next one)")
    d.set_defaults(func=demo)


def run(args: argparse.Namespace) -> int:
    """Check what the bot needs, migrate the database, then poll or serve the webhook until interrupted.

    Every failure the operator can fix is one line (a `StartupError`), exit status 2.
    """
    from telegram.error import TelegramError

    from bot import webhook
    from bot.cli import preflight
    from bot.logsetup import setup_logging

    if getattr(args, "cpu", None) is not None:  # first: every thread made from here on inherits it
        from bot import cpu

        try:
            cpu.pin(args.cpu)
        except ValueError as e:
            raise StartupError(str(e), "drop --cpu, or give one of those") from None
    token = preflight.token_from(os.environ)
    config = preflight.config(args.config)
    hook: webhook.Webhook | None = None
    if getattr(args, "webhook", False) or (config.telegram.webhook_url and not getattr(args, "polling", False)):
        if not config.telegram.webhook_url:
            raise StartupError("--webhook needs webhook_url in the [telegram] table of the config",
                               "set it to the public https URL Telegram posts updates to, or drop --webhook")  # fmt: skip
        try:
            hook = webhook.prepare(config.telegram, os.environ)  # from here on the secret is redacted from logs
        except ValueError as e:
            raise StartupError(str(e), f"fix or unset ${WEBHOOK_SECRET_ENV}") from None
    setup_logging(
        logging.DEBUG if args.verbose else logging.INFO,
        secrets=[token] + ([hook.secret] if hook else []),
        json_lines=bool(getattr(args, "json_logs", False)),
        tracebacks=bool(getattr(args, "debug", False)),
    )
    from bot.configcheck.traps import traps

    for trap in traps(config.report_types, start=config.campaign.start, end=config.campaign.end):
        log.warning("config: %s (see `liaison-bot check-config`)", trap)
    preflight.database(config.database.url, migrate=not getattr(args, "no_migrate", False))
    username = preflight.bot_api(config.telegram.api_url, token)
    log.info("the Bot API at %s knows this token as %s", config.telegram.api_url, username)
    from bot.app import build_application
    from bot.clock import SystemClock
    from bot.ops.lease import LeaseHeld, PollerLease
    from bot.ops.metrics import Metrics
    from bot.ops.wiring import attach, shared_limiter
    from bot.storage import Storage

    storage = Storage.from_url(config.database.url)
    clock = SystemClock()
    metrics = Metrics()
    limiter = shared_limiter(storage, metrics)
    app = build_application(config, token=token, storage=storage, clock=clock, limiter=limiter)
    lease: PollerLease | None = None
    if hook is None:  # one poller per token; webhook workers may be many
        lease = PollerLease(storage, bot_id=int(token.split(":")[0]), now=clock.now)
        try:
            lease.take()
        except LeaseHeld as e:
            raise StartupError(e.what, e.todo) from None
    ops = attach(
        app, storage=storage, clock=clock, metrics=metrics, limiter=limiter, lease=lease,
        listen=None if args.metrics_port < 0 else args.metrics_listen, port=max(args.metrics_port, 0),
    )  # fmt: skip
    if ops.server is not None:
        log.info("/healthz and /metrics on http://%s:%d", args.metrics_listen, args.metrics_port)
    try:
        if hook is not None:
            log.info("%s", hook.describe())
            app.run_webhook(**hook.options)
        else:
            log.info("long polling %s", config.telegram.api_url)
            app.run_polling(allowed_updates=list(webhook.ALLOWED_UPDATES))
    except TelegramError as e:  # e.g. setWebhook refused: Telegram's words, which never contain a secret
        what = "set the webhook" if hook is not None else "start polling"
        raise StartupError(f"Could not {what}: {e.__class__.__name__}: {first_line(e)}", "check [telegram] in the config") from None
    except OSError as e:  # the webhook's port taken, an address not on this machine
        raise StartupError(
            f"Could not start the bot's server: {first_line(e)}",
            "check webhook_listen and webhook_port in the config, and --metrics-listen/--metrics-port (another process may use the port)",
        ) from None
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
