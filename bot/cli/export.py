"""`liaison-bot export --out FILE.xlsx` and `liaison-bot compile PERIOD --out FILE.docx|.zip`: the coordinators' documents offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, load_config


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the two subcommands."""
    e = sub.add_parser("export", help="write the Excel workbook: submission register, 附件1 statistics, 附件10 roster")
    e.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    e.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
    e.add_argument("--lang", choices=("zh-CN", "en"), default="zh-CN", help="the language of sheet names, headers and states")
    e.set_defaults(func=run_export)
    c = sub.add_parser("compile", help="write a period's filings (typical cases 附件8, summaries 附件9, any form with text) as a Word document")
    c.add_argument("period", help="a period phrase: 7月, 上月, 三季度, 第二阶段 …")
    c.add_argument("--out", required=True, type=Path, metavar="FILE.docx|FILE.zip", help="a .zip holds the document, every attached file and a manifest sheet")
    c.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
    c.add_argument("--lang", choices=("zh-CN", "en"), default="zh-CN", help="the language of the document's headings and labels")
    c.set_defaults(func=run_compile)


def services_for(config_path: str | None):
    from bot.clock import SystemClock
    from bot.context import Services
    from bot.buttons import ButtonSigner
    from bot.storage import Storage
    from schedules import ChinaCalendar

    config = load_config(config_path)
    storage = Storage.from_url(config.database.url)
    storage.upgrade()
    return Services(config=config, storage=storage, clock=SystemClock(), buttons=ButtonSigner(b"cli"), calendar=ChinaCalendar(config.calendar))


def fail(e: ConfigError) -> int:
    print(f"{e.path}: {len(e.problems)} problem(s):", file=sys.stderr)
    for problem in e.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def run_export(args: argparse.Namespace) -> int:
    """Write the workbook."""
    from bot.services.coordinator.export import build_workbook

    try:
        services = services_for(args.config)
    except ConfigError as e:
        return fail(e)
    try:
        result = build_workbook(services, now=services.clock.now(), language=args.lang)
    finally:
        services.storage.dispose()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(result.data)
    print(f"{args.out}: {result.register_rows} register lines, {result.units} units, {result.statistics_units} statistics filings")
    return 0


def run_compile(args: argparse.Namespace) -> int:
    """Write the Word document of a period."""
    from bot.services.coordinator.compile import compile_period
    from bot.services.coordinator.paper import Labels, safe_name

    try:
        services = services_for(args.config)
    except ConfigError as e:
        return fail(e)
    try:
        result = compile_period(services, args.period, now=services.clock.now(), language=args.lang)
    finally:
        services.storage.dispose()
    if result is None:
        print(f"{args.period!r} names no period of a report type whose filings are compiled", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix.lower() == ".zip":
        from bot.services.coordinator import bundle

        packed = bundle.build(services, result, document_name=Labels(args.lang)("file-compile", period=safe_name(result.period)))
        args.out.write_bytes(packed.data)
        print(f"{args.out}: {result.period}: {result.counts(Labels(args.lang))}; {packed.files} files, {packed.missing} missing")
        return 0
    args.out.write_bytes(result.data)
    print(f"{args.out}: {result.period}: {result.counts(Labels(args.lang)) or 'nothing filed'}; {result.files} attached files (write a .zip to include them)")
    return 0
