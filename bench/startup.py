"""Benchmark: start to the first getUpdates, on a fresh database and on a restart, at 1k/3k/10k units.

The shipped campaign's report types, owed by N units (tags as the shipped units have them), on
SQLite and, when a PostgreSQL server answers on 127.0.0.1:5432 (database `test` for admin, trust),
on a temporary PostgreSQL database too. What is timed is what `liaison-bot run` does before it
polls: build the Application, initialize it, post_init (campaign and due items synced, the
reminder timer armed), start polling; the clock stops when the first getUpdates reaches the
emulator (the time it arrived, as the emulator logs it: not when its long poll answers, a
second later with nothing to deliver).
The emulator runs in its own thread, as a remote server would.

Run: `python bench/startup.py [--sizes 1000,3000,10000] [--no-postgres]`. The last line is
`startup: <db> <n> units first F s restart R s; ...`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Config, People, UnitConfig, load_config  # noqa: E402
from bot.telegram_settings import TelegramSettings
from bot.storage import Storage  # noqa: E402
from emulator import EmulatorThread  # noqa: E402

TOKEN = "123456:TEST"
NOW = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)


def make_config(url: str, n: int) -> Config:
    base = load_config()
    tags = [u.tags for u in base.units]
    units = [UnitConfig(code=f"u{i}", name=f"单位{i}", tags=tags[i % len(tags)]) for i in range(n)]
    return base.model_copy(update={"telegram": TelegramSettings(api_url=url), "people": People(), "units": units})


async def start_once(config: Config, storage: Storage, emu_thread: EmulatorThread) -> float:
    """Seconds from building the app to the arrival of its first getUpdates at the emulator."""
    emu = emu_thread.emulator
    before = len(emu.calls("getUpdates"))
    started = datetime.now(UTC)
    app = build_application(config, token=TOKEN, storage=storage, clock=FixedClock(NOW))
    await app.initialize()
    assert app.post_init and app.updater
    await app.post_init(app)
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    while len(emu.calls("getUpdates")) == before:  # logged when answered: its `at` is when it arrived
        await asyncio.sleep(0.002)
    elapsed = (emu.calls("getUpdates")[before].at - started).total_seconds()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    return elapsed


def postgres_database() -> tuple[str, str] | None:
    """(url, name) of a new temporary PostgreSQL database, or None without a server."""
    try:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=5432, dbname="test", autocommit=True, connect_timeout=3) as conn:
            name = f"liaison_bench_{secrets.token_hex(4)}"
            conn.execute(f'CREATE DATABASE "{name}"')
            user = conn.info.user
    except Exception:  # noqa: BLE001 - no server: SQLite only
        return None
    return f"postgresql+psycopg://{user}@127.0.0.1:5432/{name}", name


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=5432, dbname="test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(x) for x in args.sizes.split(",")]
    emu_thread = EmulatorThread(bot_token=TOKEN)
    emu_thread.start()
    results: list[str] = []
    try:
        for n in sizes:
            config = make_config(emu_thread.emulator.url, n)
            backends: list[tuple[str, str, str | None]] = []
            tmp = tempfile.TemporaryDirectory()
            backends.append(("sqlite", f"sqlite:///{tmp.name}/startup.sqlite3", None))
            pg = None if args.no_postgres else postgres_database()
            if pg is not None:
                backends.append(("postgresql", pg[0], pg[1]))
            for label, url, pg_name in backends:
                storage = Storage.from_url(url)
                storage.upgrade()
                try:
                    first = await start_once(config, storage, emu_thread)
                    restart = await start_once(config, storage, emu_thread)
                finally:
                    storage.dispose()
                    if pg_name:
                        drop_postgres(pg_name)
                line = f"{label} {n} units first {first:.2f} s restart {restart:.2f} s"
                print(line, flush=True)
                results.append(line)
            tmp.cleanup()
    finally:
        emu_thread.stop()
    print("startup: " + "; ".join(results))


if __name__ == "__main__":
    asyncio.run(main())
