"""`liaison-bot health`: ask a running bot's /healthz (the container's HEALTHCHECK, a monitoring probe)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "health",
        help="ask a running bot whether it is healthy: exit 0 healthy, 1 failing, 2 not answering",
        description="GET /healthz of a running `liaison-bot run` (database, Bot API and scheduler checks) and print the answer.",
    )
    p.add_argument("--url", default="http://127.0.0.1:9108/healthz", help="the bot's /healthz (default: %(default)s)")
    p.add_argument("--quiet", "-q", action="store_true", help="print nothing; the exit status says it")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait (default: %(default)s)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fetch /healthz and report."""
    try:
        with urllib.request.urlopen(args.url, timeout=args.timeout) as response:  # noqa: S310 - an operator's URL
            status, body = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    except (urllib.error.URLError, OSError) as e:
        if not args.quiet:
            print(f"liaison-bot: {args.url} does not answer: {getattr(e, 'reason', e)}. Is the bot running with this --metrics-port?",
                  file=sys.stderr)  # fmt: skip
        return 2
    try:
        answer = json.loads(body)
        checks = answer["checks"]
    except (ValueError, KeyError, TypeError):
        if not args.quiet:
            print(f"liaison-bot: {args.url} answered {status} without the health report", file=sys.stderr)
        return 2
    if not args.quiet:
        for name, result in checks.items():
            print(f"{name}: {result}")
    return 0 if status == 200 and answer.get("status") == "ok" else 1
