"""Benchmark: dashboard page loads at 3,000 units (the campaign of `bench/queries.py`).

3,000 units × 24 monthly periods × 3 report types (216,000 obligations), every unit with a
liaison. A coordinator's session is opened, then the dashboard is asked over HTTP, as a browser
would: the matrix of each report (first page, a tag filter, a later page), unit pages and filing
pages. Each time is from the request sent to the whole page received.

The reference, measured in the same run between the page loads: one full count of the
obligation table (216,000 rows) through the same storage — a fixed amount of database work that
tells how busy the machine was (the machine is shared), so figures of two runs compare by ratio.

Run: `python bench/web.py [--runs 30] [--db-url URL]`. The last line is
`web: N page loads, p50 A ms, p95 B ms (matrix p95 C ms, unit p95 D ms, filing p95 E ms); reference p95 R ms; matrix/reference X`.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import WebSettings  # noqa: E402
from bot.models import Obligation, Person, Submission, Unit  # noqa: E402
from bot.storage import Storage, web  # noqa: E402
from bot import heap  # noqa: E402
from bot.web import server  # noqa: E402
from emulator import Emulator  # noqa: E402
from queries import COORDINATOR, NOW, REPORTS, TOKEN, UNITS, _config, _pct, populate  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def measure(storage: Storage, config, runs: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    config = config.model_copy(update={"web": WebSettings(port=_port())})
    app = build_application(config, token=TOKEN, storage=storage, clock=FixedClock(NOW))
    await app.initialize()
    await server.start(app)
    heap.keep_for_good()  # (as the bot's start does, last)
    with storage.session() as s:
        person_id = s.exec(select(Person.id).where(Person.telegram_user_id == COORDINATOR)).one()[0]
        unit_ids = [r[0] for r in s.exec(select(Unit.id).order_by(Unit.id))]
        submission_ids = [r[0] for r in s.exec(select(Submission.id).order_by(Submission.id).limit(5000))]
        web.create_token(s, token="bench-session", kind=web.SESSION, person_id=person_id, language="zh-CN", now=NOW, expires_at=NOW + timedelta(days=1))
    base = config.web.base_url
    pages: dict[str, list[float]] = {"matrix": [], "unit": [], "filing": [], "reference": []}
    paths: list[tuple[str, str]] = []
    for i in range(runs + 2):
        report = REPORTS[i % len(REPORTS)]["key"]
        paths.append(("matrix", ["/?report={r}", "/?report={r}&tag=所队", "/?report={r}&page=17"][i % 3].format(r=report)))
        paths.append(("unit", f"/unit/{unit_ids[(i * 97) % len(unit_ids)]}"))
        paths.append(("filing", f"/filing/{submission_ids[(i * 131) % len(submission_ids)]}"))
    try:
        async with aiohttp.ClientSession(cookies={server.COOKIE: "bench-session"}) as http:
            for n, (kind, path) in enumerate(paths):
                start = time.perf_counter()
                async with http.get(base + path) as response:
                    body = await response.text()
                    assert response.status == 200, (path, response.status, body[:300])
                elapsed = (time.perf_counter() - start) * 1000
                if n >= 6:  # warm-up
                    pages[kind].append(elapsed)
                if kind == "filing":  # after each round of three pages, the reference
                    start = time.perf_counter()
                    with storage.session() as s:
                        s.exec(select(func.count()).select_from(Obligation)).one()
                    if n >= 6:
                        pages["reference"].append((time.perf_counter() - start) * 1000)
    finally:
        await server.stop(app)
        await app.shutdown()
    return pages


async def main_async(args: argparse.Namespace) -> None:
    emulator = Emulator(bot_token=TOKEN, bot_username="liaison_bench_bot")
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db_url or f"sqlite:///{tmp}/bench.sqlite3"
            storage = Storage.from_url(url)
            storage.upgrade()
            config = _config(emulator.url, url)
            t0 = time.perf_counter()
            n = populate(storage, config)
            print(f"populated {UNITS} units, {n} obligations in {time.perf_counter() - t0:.1f} s", flush=True)
            if storage.engine.dialect.name == "postgresql":  # what autovacuum does within a minute of a bulk load
                with storage.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.exec_driver_sql("VACUUM ANALYZE")
            pages = await measure(storage, config, args.runs)
            storage.dispose()
    finally:
        await emulator.stop()
    every = [v for kind, values in pages.items() if kind != "reference" for v in values]
    reference = _pct(pages["reference"], 0.95)
    print(
        f"web: {len(every)} page loads, p50 {_pct(every, 0.5):.0f} ms, p95 {_pct(every, 0.95):.0f} ms "
        f"(matrix p95 {_pct(pages['matrix'], 0.95):.0f} ms, unit p95 {_pct(pages['unit'], 0.95):.0f} ms, filing p95 {_pct(pages['filing'], 0.95):.0f} ms); "
        f"reference p95 {reference:.0f} ms; matrix/reference {_pct(pages['matrix'], 0.95) / max(reference, 0.001):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="requests per kind of page")
    parser.add_argument("--db-url", default=None, help="a migrated, empty database (default: a temporary SQLite file)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
