"""`liaison-bot deadlines` and `liaison-bot parse-date`: the deadline engine from the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import Config, ConfigError, load_config
from schedules import ChinaCalendar, all_due_items, parse_when, reminders_for


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the two subcommands."""
    p = sub.add_parser("deadlines", help="list every due item: report, period, due moment, reminders")
    p.add_argument("--config", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None, metavar="DATE", help="first due date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None, metavar="DATE", help="last due date (YYYY-MM-DD)")
    p.add_argument("--report", default=None, metavar="KEY", help="only this report type")
    p.add_argument("--tsv", action="store_true", help="rows only, tab-separated, without the header and the legend (for scripts)")
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
    if not args.tsv:
        print("\t".join(HEADER))
    for item in items:
        assert item.due_at is not None
        moments = reminders_for(item, by_key[item.report_key], calendar=calendar, tz=tz, quiet_hours=config.reminders.quiet_hours)
        reminders = ",".join(m.at.astimezone(tz).isoformat() for m in moments)
        print(f"{item.report_key}\t{item.label}\t{item.due_at.astimezone(tz).isoformat()}\t{reminders}")
    if not args.tsv:
        print()
        for line in legend(config):
            print(f"# {line}")
    return 0


HEADER = ("report", "period", "due", "reminders")


def legend(config: Config) -> list[str]:
    """What the columns mean, with this campaign's zone, quiet hours and working-day rule."""
    quiet = config.reminders.quiet_hours
    working = [r.key for r in config.report_types if r.reminders_working_days_only and r.reminders]
    every = [r.key for r in config.report_types if r.reminders]
    days = (
        "every report type's reminders move off weekends and public holidays"
        if working and len(working) == len(every)
        else f"reminders move off weekends and public holidays for: {', '.join(working)}" if working
        else "reminders may fall on weekends and public holidays (set reminders_working_days_only = true to avoid them)"
    )
    return [
        "report: the report type's key in the config; period: the period the item covers (or its label)",
        f"due: the deadline in {config.campaign.timezone} (end of the due day, 23:59:59, unless the report type gives due_time), "
        "after its holiday_rule",
        "reminders: when the liaisons are reminded, comma-separated; one after the due moment is an overdue reminder (逾期提醒)",
        f"{days}; "
        + (f"none is sent within the quiet hours {quiet.start:%H:%M}-{quiet.end:%H:%M} (it waits for their end)" if quiet else "no quiet hours"),
        "--tsv prints the rows alone, for scripts",
    ]


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
