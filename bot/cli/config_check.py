"""`liaison-bot check-config [PATH]`: validate a campaign file, naming every mistake."""

from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, config_path, load_config


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    p = sub.add_parser("check-config", help="validate config.toml; exit 0 if good, 2 with every problem if not")
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
    print(
        f"{config_path(args.path)}: ok — {config.campaign.name}: "
        f"{len(config.units)} units, {len(config.report_types)} report types, zone {config.campaign.timezone}"
    )
    return 0
