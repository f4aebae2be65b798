"""The `liaison-bot` command line: one subcommand module per topic, each with `add_parser(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot.cli.failures import guarded

# Each module defines add_parser(subparsers) and sets func=(args) -> int with set_defaults.
SUBCOMMANDS = (
    "bot.cli.config_check",
    "bot.cli.db",
    "bot.cli.dates",
    "bot.cli.run",
    "bot.cli.health",
    "bot.cli.invite",
    "bot.cli.people",
    "bot.cli.units",
    "bot.cli.export",
    "bot.cli.ontime",
    "bot.cli.backup",
    "bot.cli.draft",
    "bot.cli.forms",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="liaison-bot",
        description="Liaison officers' reporting bot: registration, reminders, submissions, coordinator views.",
    )
    parser.add_argument("--debug", action="store_true", help="on a failure, show the traceback instead of one line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue  # a subcommand module not written yet
        module.add_parser(sub)
    for command in sub.choices.values():  # `liaison-bot run --debug` works as well as `liaison-bot --debug run`
        _add_debug(command)
    return parser


def _add_debug(parser: argparse.ArgumentParser) -> None:
    if any("--debug" in a.option_strings for a in parser._actions):
        return
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="on a failure, show the traceback")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_debug(child)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code is the subcommand's, 2 for a failure the operator can fix
    (one line on stderr; the traceback with --debug), 1 for a bug."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return guarded(lambda: int(args.func(args) or 0), debug=bool(getattr(args, "debug", False)))


if __name__ == "__main__":
    sys.exit(main())
