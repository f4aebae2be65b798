"""`liaison-bot ontime [--out FILE.xlsx]`: each unit's on-time record for the yearly assessment (纳入年度考核)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.export import fail, services_for
from bot.config import ConfigError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    p = sub.add_parser("ontime", help="per unit: items due, on time, late, missing, returned and the on-time rate")
    p.add_argument("--out", type=Path, default=None, metavar="FILE.xlsx", help="also write the sheet (printed as an A4 table)")
    p.add_argument("--lang", choices=("zh-CN", "en"), default="zh-CN")
    p.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the record; write the workbook when asked."""
    from bot.services.coordinator import ontime
    from bot.services.coordinator.paper import Labels

    try:
        services = services_for(args.config)
    except ConfigError as e:
        return fail(e)
    try:
        data, record = ontime.build(services, now=services.clock.now(), language=args.lang)
    finally:
        services.storage.dispose()
    L = Labels(args.lang)
    names = [L(f"ontime.{k}") for k in ("unit", "due", "on-time", "late", "missing", "returned", "awaiting", "rate")]
    print("\t".join(names))
    for r in record:
        print(f"{r.unit_name}\t{r.due}\t{r.on_time}\t{r.late}\t{r.missing}\t{r.returned}\t{r.awaiting}\t{r.rate:.1%}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(f"{args.out}: {len(record)} units")
    return 0
