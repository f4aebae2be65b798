"""`liaison-bot import-units FILE`: units from CSV (or XLSX) into the database, all rows or none."""

from __future__ import annotations

import argparse
import math
import sys
from datetime import UTC, datetime

from bot.config import ConfigError, load_config


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `import-units`."""
    p = sub.add_parser("import-units", help="import units from a CSV/XLSX file (columns code,name,tags; header row required)")
    p.add_argument("file", metavar="FILE", help="a .csv (UTF-8 or GBK) or .xlsx file; tags separated by ';' or '、'")
    p.add_argument("--config", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    p.add_argument("--database-url", default=None, help="database URL (default: the config's)")
    p.set_defaults(func=run_import_units)


def run_import_units(args: argparse.Namespace) -> int:
    """Check every row; import all of them, or report the bad lines and import nothing."""
    from bot.db import upgrade
    from bot.services.deadlines.due_items import RESYNC_EVERY_S
    from bot.services.people.unit_import import import_units, read_units_file
    from bot.storage import Storage

    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 2
    read = read_units_file(args.file)
    if read.problems:
        print(f"{args.file}: {len(read.problems)} problem(s); nothing was imported:", file=sys.stderr)
        for problem in read.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    url = args.database_url or config.database.url
    upgrade(url)
    storage = Storage.from_url(url)
    try:
        result = import_units(storage, read.units, now=datetime.now(UTC))  # the CLI may read the clock
    except ValueError as e:
        print(f"{args.file}: {e}; nothing was imported", file=sys.stderr)
        return 1
    finally:
        storage.dispose()
    print(
        f"imported {len(read.units)} unit(s): {len(result.created)} new, {len(result.updated)} updated, "
        f"{len(result.reactivated)} reactivated"
    )
    minutes = max(1, math.ceil(RESYNC_EVERY_S / 60))
    print(
        f"a running bot picks them up within {minutes} minute{'s' if minutes > 1 else ''}: their reports to file and "
        "their reminders (no restart needed); invite their liaisons with /invite or `liaison-bot invite CODE`"
    )
    return 0
