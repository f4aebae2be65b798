"""`liaison-bot deadlines` and `liaison-bot parse-date`: the deadline engine from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import ConfigError, load_config
from schedules import ChinaCalendar, all_due_items, parse_when, reminders_for


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the two subcommands."""
    p = sub.add_parser("deadlines", help="list every due item: report, period, due moment, reminders")
    p.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None, metavar="DATE", help="first due date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None, metavar="DATE", help="last due date (YYYY-MM-DD)")
    p.add_argument("--report", default=None, metavar="KEY", help="only this report type")
    p.set_defaults(func=run_deadlines)

    q = sub.add_parser("parse-date", help="show what date phrases mean: phrase<TAB>YYYY-MM-DD[ HH:MM] or -")
    q.add_argument("phrases", nargs="*", metavar="PHRASE", help="phrases (default: one a line from standard input)")
    q.add_argument("--now", type=datetime.fromisoformat, default=None, help="the moment phrases are relative to (ISO; default: now)")
    q.add_argument("--tz", default="Asia/Shanghai", help="time zone (default: Asia/Shanghai)")
    q.set_defaults(func=run_parse_date)


def run_deadlines(args: argparse.Namespace) -> int:
    """Print one line per due item, sorted by due moment then report key."""
    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(f"{e.path}: {len(e.problems)} problem(s):", file=sys.stderr)
        for problem in e.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    reports = config.report_types
    if args.report is not None:
        reports = [r for r in reports if r.key == args.report]
        if not reports:
            known = ", ".join(r.key for r in config.report_types)
            print(f"unknown report type {args.report!r}; the config has: {known}", file=sys.stderr)
            return 2
    tz = config.campaign.tz
    calendar = ChinaCalendar(config.calendar)
    by_key = {r.key: r for r in reports}
    items = all_due_items(
        reports, tz=tz, start=config.campaign.start, end=config.campaign.end, calendar=calendar,
        window_from=args.date_from, window_to=args.date_to,
    )
    for item in items:
        assert item.due_at is not None
        moments = reminders_for(item, by_key[item.report_key], calendar=calendar, tz=tz, quiet_hours=config.reminders.quiet_hours)
        reminders = ",".join(m.at.astimezone(tz).isoformat() for m in moments)
        print(f"{item.report_key}\t{item.label}\t{item.due_at.astimezone(tz).isoformat()}\t{reminders}")
    return 0


def run_parse_date(args: argparse.Namespace) -> int:
    """Print each phrase with its date, date and time, or '-'."""
    try:
        tz = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        print(f"unknown time zone {args.tz!r}; expected an IANA name such as 'Asia/Shanghai'", file=sys.stderr)
        return 2
    now: datetime = args.now if args.now is not None else datetime.now(UTC)  # the CLI may read the clock
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    phrases = args.phrases or [line.rstrip("\r\n") for line in sys.stdin]
    for phrase in phrases:
        if not phrase.strip():
            continue
        when = parse_when(phrase, now=now, tz=tz)
        print(f"{phrase}\t{'-' if when is None else when}")
    return 0
