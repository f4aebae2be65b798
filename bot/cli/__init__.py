"""The `liaison-bot` command line: one subcommand module per topic, each with `add_parser(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Each module defines add_parser(subparsers) and sets func=(args) -> int with set_defaults.
SUBCOMMANDS = (
    "bot.cli.config_check",
    "bot.cli.db",
    "bot.cli.dates",
    "bot.cli.run",
    "bot.cli.invite",
    "bot.cli.units",
    "bot.cli.export",
    "bot.cli.backup",
    "bot.cli.forms",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="liaison-bot",
        description="Liaison officers' reporting bot: registration, reminders, submissions, coordinator views.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue  # a subcommand module not written yet
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code is the subcommand's."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
