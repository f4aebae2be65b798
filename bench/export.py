"""Benchmark: `liaison-bot export` (build_workbook) on a campaign of N units × 24 months × 3 reports.

The data is `bench/queries.py`'s (90% filed, 10% outstanding, every unit with a liaison), in a
temporary SQLite database, or PostgreSQL with `--postgres`. After the bulk insert only what the
bot's own import does is done (ANALYZE of units, due items and obligations; the filings are left
to autovacuum): the export must not need a manual step. Timed in CPU seconds of this process (the
machine is shared: wall time says more about the neighbours than about the code) and in wall
seconds (on PostgreSQL the server's work is in the wall time only), best of `--runs`, with its
parts: the register (query and writing), the statistics summary per period (every filing of
every period read and summed), the rest. The reference, measured in the same run: the same
register rows written by openpyxl's write-only mode (what the export's own writer replaces).

At 500 units and more the export lays the 统计汇总 sheets out in a worker process (`export.PROCESS_FROM_UNITS`)
while it writes the register: the CPU figure is both processes' (the worker reports its own), the parts
are this process's only (the summary's is then 0), and wall time is what a coordinator waits.

Run: `python bench/export.py [--units 1000] [--runs 3] [--postgres]`. The last line is
`export: DB N units, L register lines, P statistics periods: T s CPU (K s of it in the worker), W s wall (register R s, summary S s here); openpyxl register O s (ratio T/O)`.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import queries  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.context import open_services  # noqa: E402
from bot.models import DueItem, Obligation, Unit  # noqa: E402
from bot.services.coordinator import export, summaries, xlsx  # noqa: E402
from bot.services.coordinator.paper import Labels  # noqa: E402
from bot.services.deadlines import adhoc  # noqa: E402
from bot.storage import Storage, paperwork  # noqa: E402
from bot.storage import summaries as summary_store  # noqa: E402


def _timed(parts: dict[str, float], name: str, fn: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            parts[name] = parts.get(name, 0.0) + time.process_time() - start

    return wrapper


def _openpyxl_register(services: Any) -> float:
    """The register's rows as the export lays them out, written with openpyxl's write-only mode."""
    import io

    from openpyxl import Workbook

    L = Labels("zh-CN")
    reports = {r.key: r for r in adhoc.report_types(services)}
    start = time.process_time()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("报送台账")
    sheet.append([c.header for c in export._register_columns(L)])
    with services.storage.session() as s:
        for row in export._register_lines(services, reports, paperwork.register_lines(s, now=queries.NOW), now=queries.NOW, L=L):
            sheet.append(row)
    book.save(io.BytesIO())
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="a temporary PostgreSQL database (as bench/startup.py makes)")
    args = parser.parse_args()
    queries.UNITS = args.units
    if not args.postgres:
        with tempfile.TemporaryDirectory() as tmp:
            run(args, f"sqlite:///{tmp}/bench.sqlite3")
        return
    from bench.startup import drop_postgres, postgres_database

    pg = postgres_database()
    if pg is None:
        raise SystemExit("no PostgreSQL server on 127.0.0.1:5432")
    try:
        run(args, pg[0])
    finally:
        drop_postgres(pg[1])


def run(args: argparse.Namespace, url: str) -> None:
    """Populate a database at `url`, export from it `--runs` times, print the summary line."""
    storage = Storage.from_url(url)
    storage.upgrade()
    config = queries._config("http://127.0.0.1:1", url)
    queries.populate(storage, config)
    storage.analyze(Unit, DueItem, Obligation)  # what the bot's unit import and due-item sync do
    services = open_services(config, storage, secret=b"x", clock=FixedClock(queries.NOW))
    parts: dict[str, float] = {}
    add_sheet = xlsx.Workbook.add_sheet
    summarise = summaries.period_summaries
    read = summary_store.period_filings

    def add_timed(book: xlsx.Workbook, sheet: xlsx.Sheet, rows: Any) -> int:
        name = "register" if sheet.name == "报送台账" else "summary" if sheet.name.startswith("统计汇总") else "sheets"
        return _timed(parts, name, add_sheet)(book, sheet, rows)

    xlsx.Workbook.add_sheet = add_timed  # type: ignore[method-assign]
    summaries.period_summaries = _timed(parts, "summary", summarise)
    summary_store.period_filings = _timed(parts, "summary", read)
    best: tuple[float, dict[str, float], Any] | None = None
    wall = float("inf")
    for _ in range(args.runs):
        parts.clear()
        gc.collect()
        start, started = time.process_time(), time.perf_counter()
        result = export.build_workbook(services, now=queries.NOW)
        took = time.process_time() - start + result.worker_cpu_s  # this process's and the worker's
        wall = min(wall, time.perf_counter() - started)
        if best is None or took < best[0]:
            best = (took, dict(parts), result)
    xlsx.Workbook.add_sheet = add_sheet  # type: ignore[method-assign]
    summaries.period_summaries = summarise
    summary_store.period_filings = read
    reference = min(_openpyxl_register(services) for _ in range(max(1, args.runs - 1)))
    storage.dispose()
    assert best is not None
    took, found, result = best
    print(
        f"export: {url.split(':', 1)[0].split('+', 1)[0]} {args.units} units, {result.register_rows} register lines, {result.statistics_periods} statistics periods: "
        f"{took:.2f} s CPU ({result.worker_cpu_s:.2f} s of it in the worker), {wall:.2f} s wall (register {found.get('register', 0):.2f} s, summary {found.get('summary', 0):.2f} s here); "
        f"openpyxl register {reference:.2f} s (ratio {took / reference:.2f})"
    )


if __name__ == "__main__":
    main()
