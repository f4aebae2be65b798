"""`liaison-bot check-config [PATH]`: validate a campaign file, naming every mistake and every trap."""

from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, config_path, load_config
from bot.configcheck.traps import traps


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "check-config",
        help="validate config.toml: exit 0 if good, 1 with warnings (traps), 2 with every problem",
        description=(
            "Validate a campaign file. Every problem is named at once by its key, with its value, what is expected "
            "and a suggestion for a near miss (exit 2). A valid file that does not mean what it seems to "
            "(a quarterly day = 31, a period due before the campaign starts) gets a warning each (exit 1)."
        ),
    )
    p.add_argument("path", nargs="?", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate and report."""
    try:
        config = load_config(args.path)
    except ConfigError as e:
        print(f"{e.path}: {len(e.problems)} problem(s):", file=sys.stderr)
        for problem in e.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    path = config_path(args.path)
    summary = (
        f"{config.campaign.name}: {len(config.units)} units, {len(config.report_types)} report types, "
        f"zone {config.campaign.timezone}"
    )
    warnings = traps(config.report_types, start=config.campaign.start, end=config.campaign.end)
    if warnings:
        print(f"{path}: valid, but {len(warnings)} warning(s) — {summary}:", file=sys.stderr)
        for trap in warnings:
            print(f"  - {trap}", file=sys.stderr)
        return 1
    print(f"{path}: ok — {summary}")
    return 0
