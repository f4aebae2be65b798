"""Benchmark: /outstanding and /status as the bot answers them, and a full export, at scale.

3,000 units × 24 monthly periods × 3 report types (case, statistics, confirmation): 216,000
obligations, ~90% filed (80% on time, 10% late), 10% outstanding, every unit with a liaison.
Rows are bulk-inserted into a temporary SQLite database (or `--db-url`). Each view is timed
from the update sent by a user to the bot's reply received, through the Bot API emulator
and the real Application; the export is `build_workbook` over the whole database.

Replies are not paced (the limiter's per-chat and total limits lifted): what is timed is the
handler and its queries, not Telegram's 1 message/s per chat. The queries alone (the service call
the handler makes, in this process) are timed too, as the reference of the same run. After the
bulk insert the statistics are refreshed (ANALYZE), as a restore or an import does.

Run: `python bench/queries.py [--runs 30] [--units 3000] [--db-url URL]`. The last line is
`queries: <db> <n> units: outstanding p50 A ms p95 B ms (query p50 a ms), status p50 C ms p95 D ms (query p50 c ms), export E s`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Campaign, People, ReportType, UnitConfig, load_config  # noqa: E402
from bot.telegram_settings import TelegramSettings
from emulator import Emulator  # noqa: E402
from bot.models import DueItem, Obligation, Person, Role, RoleAssignment, Submission, Unit  # noqa: E402
from bot.services.deadlines.due_items import items_of  # noqa: E402
from bot.services.coordinator.export import build_workbook  # noqa: E402
from bot.storage import Storage  # noqa: E402
from schedules import ChinaCalendar  # noqa: E402

UNITS = 3_000
COORDINATOR = 9001
# The bot paces replies to 1 message a second per chat (Telegram's limit): each run asks from another coordinator.
COORDINATORS = list(range(9001, 9101))
TOKEN = "123456:BENCH"
REPORTS = [
    {"key": "cases", "title": "典型案例", "template": "case", "schedule": {"kind": "monthly", "day": 2}},
    {"key": "stats", "title": "工作情况统计表", "template": "statistics", "schedule": {"kind": "monthly", "day": 5}},
    {"key": "system", "title": "统计信息系统报送", "template": "confirmation", "schedule": {"kind": "monthly", "day": 10}},
]
NOW = datetime(2024, 1, 12, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, after the 24th period's deadlines


def _config(api_url: str, db_url: str) -> Any:
    base = load_config()
    units = [UnitConfig(code=f"u{i:04d}", name=f"第{i}市场监管所", tags=["所队"]) for i in range(UNITS)]
    return base.model_copy(
        update={
            "campaign": Campaign(name="基准测试行动", timezone="Asia/Shanghai", start=date(2022, 1, 1), end=date(2024, 1, 15)),
            "telegram": TelegramSettings(api_url=api_url),
            "people": People(coordinators=COORDINATORS, leaders=[]),
            "units": units,
            "report_types": [ReportType.model_validate(r) for r in REPORTS],
        }
    )


def _stats(rng: random.Random) -> dict[str, Any]:
    cols = ("inspected", "violating", "rectified", "cases", "fines", "revoked", "police")
    return {"values": {f"row_{c}": {k: str(rng.randint(0, 50)) for k in cols} for c in ("retail", "users", "online")}, "files": {}}


def populate(storage: Storage, config: Any) -> int:
    """Bulk-insert units, liaisons, due items, obligations and submissions; returns the obligations."""
    rng = random.Random(7)
    created = datetime(2022, 1, 1, tzinfo=UTC)
    calendar = ChinaCalendar(config.calendar)
    with storage.engine.begin() as conn:
        conn.execute(insert(Unit), [{"code": u.code, "name": u.name, "tags": u.tags, "active": True, "created_at": created, "updated_at": created} for u in config.units])
        unit_ids = [r[0] for r in conn.execute(select(Unit.id).order_by(Unit.id))]
        conn.execute(insert(Person), [
            {"telegram_user_id": 100_000 + i, "chat_id": 100_000 + i, "first_name": f"联络员{i}", "name": f"联络员{i}", "mobile": f"138{i:08d}", "department": "办公室", "title": "科员",
             "reachable": i % 50 != 0, "created_at": created, "updated_at": created}
            for i in range(UNITS)
        ] + [{"telegram_user_id": c, "chat_id": c, "first_name": "协调员", "name": "协调员", "mobile": None, "department": None, "title": None, "reachable": True, "created_at": created, "updated_at": created} for c in COORDINATORS])
        person_ids = {r[1]: r[0] for r in conn.execute(select(Person.id, Person.telegram_user_id))}
        conn.execute(insert(RoleAssignment), [
            {"person_id": person_ids[100_000 + i], "unit_id": unit_ids[i], "role": Role.primary, "started_at": created} for i in range(UNITS)
        ] + [{"person_id": person_ids[c], "unit_id": None, "role": Role.coordinator, "started_at": created} for c in COORDINATORS])
        liaison_of = {unit_ids[i]: person_ids[100_000 + i] for i in range(UNITS)}
        items = []
        for report in config.report_types:
            for item in items_of(config, report, calendar):
                items.append({"report_key": report.key, "period_key": item.period_key, "period_label": item.label, "due_at": item.due_at, "created_at": created})
        conn.execute(insert(DueItem), items)
        due_rows = list(conn.execute(select(DueItem.id, DueItem.report_key, DueItem.due_at)))
        obligations, subs = [], []
        for item_id, _report_key, due_at in due_rows:
            for unit_id in unit_ids:
                roll = rng.random()
                status = "done" if roll < 0.9 else ("returned" if roll < 0.91 else "open")
                late = 0.8 <= roll < 0.9
                obligations.append({"due_item_id": item_id, "unit_id": unit_id, "status": status, "late": late, "completed_at": due_at if status == "done" else None})
        conn.execute(insert(Obligation), obligations)
        ob_rows = conn.execute(select(Obligation.id, Obligation.unit_id, Obligation.status, Obligation.late, Obligation.completed_at, DueItem.report_key).join(DueItem, DueItem.id == Obligation.due_item_id))
        kinds = {"cases": "case", "stats": "statistics", "system": "confirmation"}
        for ob_id, unit_id, status, late, completed_at, report_key in ob_rows:
            if status == "open":
                continue
            data = _stats(rng) if report_key == "stats" else ({"values": {"title": "某案", "overview": "概述", "result": "结果"}, "files": {}} if report_key == "cases" else {"values": {"note": ""}, "files": {}})
            subs.append({"obligation_id": ob_id, "unit_id": unit_id, "person_id": liaison_of[unit_id],
                         "item_no": 1, "version": 1, "kind": kinds[report_key], "data": data, "submitted_at": completed_at or created, "late": bool(late),
                         "status": "returned" if status == "returned" else "submitted"})
            if len(subs) >= 20_000:
                conn.execute(insert(Submission), subs)
                subs = []
        if subs:
            conn.execute(insert(Submission), subs)
    return len(obligations)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def query_times(storage: Storage, config: Any, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds of the services /outstanding and /status call (page 0, the default scope), in this process."""
    from bot.context import open_services
    from bot.services.coordinator import views

    services = open_services(config, storage, secret=b"x", clock=FixedClock(NOW))
    out: dict[str, list[float]] = {"outstanding": [], "status": []}
    for i in range(runs + 2):
        scope = views.parse_request(services, "", now=NOW).scope
        t0 = time.perf_counter()
        views.outstanding(services, scope, page=0)
        t1 = time.perf_counter()
        views.status(services, scope, page=0)
        t2 = time.perf_counter()
        if i >= 2:
            out["outstanding"].append((t1 - t0) * 1000)
            out["status"].append((t2 - t1) * 1000)
    return out["outstanding"], out["status"]


async def measure(storage: Storage, config: Any, emulator: Emulator, runs: int) -> tuple[list[float], list[float]]:
    from bot.pacing import Limits, PacedLimiter

    unpaced = PacedLimiter(Limits(total_per_s=10_000.0, private_interval_s=0.0, group_interval_s=0.0))
    app = build_application(config, token=TOKEN, storage=storage, clock=FixedClock(NOW), limiter=unpaced)
    app.post_init = None  # the data is already in place; syncing 216,000 obligations one by one is not what we measure
    # Nor is publishing every role holder's command menu, which a started bot has done in the background:
    # the menus it would have set are taken as set.
    from bot.context import SERVICES_KEY
    from bot.services.people.menus import holders

    services = app.bot_data[SERVICES_KEY]
    services.caches.menus.update({h.telegram_user_id: h.key for h in await asyncio.to_thread(holders, services)})
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=["message", "callback_query"])
    try:
        users = [emulator.user(c, first_name="协调员", language_code="zh-hans") for c in COORDINATORS]
        timings: dict[str, list[float]] = {"/outstanding": [], "/status": []}
        for command, marker in (("/outstanding", "未完成报送"), ("/status", "报送情况")):
            for i in range(runs + 2):
                user = users[i % len(users)] if command == "/outstanding" else users[-1 - i % len(users)]
                user.skip_pending()
                start = time.perf_counter()
                await user.send(command)
                reply = await user.wait_for(lambda m, marker=marker: marker in m.text, timeout=30)
                elapsed = (time.perf_counter() - start) * 1000
                if i >= 2:  # warm-up
                    timings[command].append(elapsed)
                assert reply.buttons, "a long list is paged with buttons"
        return timings["/outstanding"], timings["/status"]
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def main_async(args: argparse.Namespace) -> None:
    emulator = Emulator(bot_token=TOKEN, bot_username="liaison_bench_bot")
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.db_url or f"sqlite:///{tmp}/bench.sqlite3"
            backend = url.split(":", 1)[0].split("+", 1)[0]
            storage = Storage.from_url(url)
            storage.upgrade()
            config = _config(emulator.url, url)
            t0 = time.perf_counter()
            n = populate(storage, config)
            storage.analyze()
            print(f"populated {UNITS} units, {n} obligations in {time.perf_counter() - t0:.1f} s", flush=True)
            outstanding, status = await measure(storage, config, emulator, args.runs)
            q_outstanding, q_status = query_times(storage, config, args.runs)
            from bot.context import open_services

            services = open_services(config, storage, secret=b"x", clock=FixedClock(NOW))
            t0 = time.perf_counter()
            result = build_workbook(services, now=NOW)
            export_s = time.perf_counter() - t0
            print(f"export: {result.register_rows} register lines, {result.statistics_units} unit statistics sheets, {len(result.data) / 1e6:.1f} MB")
            storage.dispose()
    finally:
        await emulator.stop()
    print(
        f"queries: {backend} {UNITS} units: outstanding p50 {_pct(outstanding, 0.5):.0f} ms p95 {_pct(outstanding, 0.95):.0f} ms "
        f"(query p50 {_pct(q_outstanding, 0.5):.0f} ms), status p50 {_pct(status, 0.5):.0f} ms p95 {_pct(status, 0.95):.0f} ms "
        f"(query p50 {_pct(q_status, 0.5):.0f} ms), export {export_s:.1f} s"
    )


def main() -> None:
    global UNITS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed requests per view (at most 48)")
    parser.add_argument("--db-url", default=None, help="a migrated, empty database (default: a temporary SQLite file)")
    parser.add_argument("--units", type=int, default=UNITS)
    parser.add_argument("--postgres", action="store_true", help="a temporary PostgreSQL database (as bench/startup.py makes)")
    args = parser.parse_args()
    UNITS = args.units
    if not args.postgres:
        asyncio.run(main_async(args))
        return
    from bench.startup import drop_postgres, postgres_database

    pg = postgres_database()
    if pg is None:
        raise SystemExit("no PostgreSQL server on 127.0.0.1:5432")
    args.db_url = pg[0]
    try:
        asyncio.run(main_async(args))
    finally:
        drop_postgres(pg[1])


if __name__ == "__main__":
    main()
