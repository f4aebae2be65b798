"""Benchmark: CPU per update, the bot against a bare python-telegram-bot echo bot, in the same run.

Each bot runs in a process of its own, polling the Bot API emulator run by this script; its CPU
(user + system, every thread) is read from outside, from /proc, before and after a phase, so the
emulator's own work is not counted. A phase: `--users` users each send one message, the script
waits for every reply, `--rounds` times. The echo bot answers text with the same text (PTB's
defaults); the liaison bot answers /help (a registered liaison) and /due (a liaison whose unit
has 24 months of filed history, two items a month, and the campaign's items). Replies are not
paced per chat (the limiter's intervals set to 0): what is measured is the work per update.

Run: `python bench/updates.py [--users 40] [--rounds 10] [--db-url URL] [--cpu N]` (default: SQLite in a
temporary directory; `--postgres` makes a temporary PostgreSQL database as bench/startup.py does; `--cpu`
runs both bots on one CPU, as `liaison-bot run --cpu` runs the bot).
The last line is `updates: <db> echo E ms, /help H ms (E/H of echo), /due D ms (E/D of echo)`.
The liaison bot is timed once its start is over (the command menus of every role holder set).
`BENCH_PROFILE=/tmp/x.prof` writes the liaison bot's cProfile stats (CPU time, main thread) of each
timed phase: /tmp/x-help.prof and /tmp/x-due.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Config, People, load_config  # noqa: E402
from bot.models import Role, SubmissionKind  # noqa: E402
from bot.telegram_settings import TelegramSettings  # noqa: E402
from bot.storage import Storage  # noqa: E402

TOKEN = "123456:BENCH"
NOW = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the tests' campaign day
FIRST_USER = 500_000
CASE = {"title": "某药店销售假药案", "overview": "概述", "result": "结果", "decided_on": "2021-08-10", "fine": None, "police": True}


def make_config(api_url: str) -> Config:
    return load_config().model_copy(update={"telegram": TelegramSettings(api_url=api_url), "people": People()})


def populate(storage: Storage, config: Config, users: int) -> None:
    """The campaign synced as at a start, `users` liaisons over its units, 24 months of filed history per unit."""
    from bot.services.deadlines.due_items import sync_due_items
    from bot.services.people.campaign import sync_campaign
    from bot.storage import due, people, roles, submissions, units
    from schedules import ChinaCalendar

    sync_campaign(storage, config, now=NOW)
    sync_due_items(storage, config, calendar=ChinaCalendar(config.calendar), now=NOW)
    with storage.session() as s:
        every = units.list_units(s)
        holders: dict[int, int] = {}
        for i in range(users):
            unit = every[i % len(every)]
            person = people.get_or_create_person(s, telegram_user_id=FIRST_USER + i, chat_id=FIRST_USER + i, first_name=f"联络员{i}", username=None, now=NOW)
            assert person.id is not None and unit.id is not None
            roles.assign_role(s, person_id=person.id, role=Role.primary if unit.id not in holders else Role.backup, unit_id=unit.id, now=NOW)
            holders.setdefault(unit.id, person.id)
        for unit in every:
            assert unit.id is not None
            for m in range(24, 0, -1):
                due_at = NOW - timedelta(days=30 * m)
                item = due.ensure_due_item(s, report_key="typical_case", period_key=f"h{m:02d}", period_label=f"历史{m}", due_at=due_at, unit_codes=[unit.code], now=NOW)
                obligation = due.get_obligation(s, due_item_id=item.id or 0, unit_id=unit.id)
                assert obligation is not None and obligation.id is not None
                for n in (1, 2):
                    submissions.file_and_complete(
                        s, obligation_id=obligation.id, person_id=holders.get(unit.id, 0) or 0, kind=SubmissionKind.case,
                        data={"values": {**CASE, "title": f"案件{m}-{n}"}}, now=due_at - timedelta(days=1), item_no=n,
                    )


# --- the bots, each in a process of its own -----------------------------------------------------


async def serve_liaison(api_url: str, db_url: str) -> None:
    from bot.app import build_application
    from bot.clock import FixedClock
    from bot.context import SERVICES_KEY
    from bot.pacing import Limits, PacedLimiter

    storage = Storage.from_url(db_url)
    limiter = PacedLimiter(Limits(total_per_s=10_000.0, private_interval_s=0.0, group_interval_s=0.0))
    app = build_application(make_config(api_url), token=TOKEN, storage=storage, clock=FixedClock(NOW), limiter=limiter)

    async def menus_set() -> None:  # the start's pass over every role holder's menu: a start's cost, not an update's
        task = app.bot_data[SERVICES_KEY].caches.menu_task
        if task is not None:
            await task

    await _serve(app, settle=menus_set)


async def serve_echo(api_url: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app = ApplicationBuilder().token(TOKEN).base_url(f"{api_url}/bot").concurrent_updates(16).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await _serve(app)


async def _serve(app: Any, settle: Callable[[], Awaitable[None]] | None = None) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        if settle is not None:
            await settle()
        print("ready", flush=True)
        await stop.wait()
        await app.updater.stop()
        await app.stop()


# --- the driver ----------------------------------------------------------------------------------


PHASES = ("help", "due")  # the liaison bot's timed phases, in order


def profile_phases(path: Path) -> None:
    """Profile each timed phase of this process (SIGUSR1 starts, SIGUSR2 stops) into `path` with the phase's name.

    BENCH_PROFILE=/tmp/x.prof writes /tmp/x-help.prof and /tmp/x-due.prof: the start, the warm-up
    and the first contacts stay out of them."""
    import cProfile

    profiler: list[cProfile.Profile] = []

    def start(signum: int, frame: object) -> None:
        profiler.append(cProfile.Profile(time.thread_time))  # CPU, not wall time: the machine is shared
        profiler[-1].enable()

    def stop(signum: int, frame: object) -> None:
        profiler[-1].disable()
        profiler[-1].dump_stats(path.with_name(f"{path.stem}-{PHASES[len(profiler) - 1]}{path.suffix}"))

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, every thread, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    line = await asyncio.to_thread(child.stdout.readline)
    if line.strip() != "ready":
        child.kill()
        raise RuntimeError(f"the bot did not start: {line!r}")
    return child


async def phase(emulator: Any, pid: int, users: list[Any], text: str, expect: str, rounds: int, *, profile: bool = False) -> float:
    """Milliseconds of the bot's CPU per update, over `rounds` rounds of one message from each user."""
    for u in users:  # warm-up: first contact, caches
        u.skip_pending()
        await u.send(text)
    await asyncio.gather(*(u.wait_for(lambda m: expect in m.text, timeout=60) for u in users))
    profiled = profile and os.environ.get("BENCH_PROFILE")
    if profiled:
        os.kill(pid, signal.SIGUSR1)
    before = cpu_seconds(pid)
    for _ in range(rounds):
        for u in users:
            u.skip_pending()
            await u.send(text)
        await asyncio.gather(*(u.wait_for(lambda m: expect in m.text, timeout=60) for u in users))
    spent = (cpu_seconds(pid) - before) * 1000 / (rounds * len(users))
    if profiled:
        os.kill(pid, signal.SIGUSR2)
    return spent


def stop_child(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()


async def drive(args: argparse.Namespace, db_url: str, label: str) -> str:
    from emulator import Emulator

    emulator = Emulator(bot_token=TOKEN, bot_username="liaison_bench_bot")
    await emulator.start()
    try:
        storage = Storage.from_url(db_url)
        storage.upgrade()
        populate(storage, make_config(emulator.url), args.users)
        storage.dispose()
        users = [emulator.user(FIRST_USER + i, first_name=f"联络员{i}", language_code="zh-hans") for i in range(args.users)]
        pinned = ("--cpu", str(args.cpu)) if args.cpu is not None else ()  # both bots alike
        echo = await start_child("--serve", "echo", "--api", emulator.url, *pinned)
        try:
            echo_ms = await phase(emulator, echo.pid, users, "你好", "你好", args.rounds)
        finally:
            stop_child(echo)
        bot = await start_child("--serve", "liaison", "--api", emulator.url, "--db-url", db_url, *pinned)
        try:
            help_ms = await phase(emulator, bot.pid, users, "/help", "/due", args.rounds, profile=True)
            due_ms = await phase(emulator, bot.pid, users, "/due", "待报事项", args.rounds, profile=True)
        finally:
            stop_child(bot)
    finally:
        await emulator.stop()
    if args.cpu is not None:
        label += f" on CPU {args.cpu}"
    return f"{label} echo {echo_ms:.2f} ms, /help {help_ms:.2f} ms ({echo_ms / help_ms:.2f} of echo), /due {due_ms:.2f} ms ({echo_ms / due_ms:.2f} of echo)"


async def main_async(args: argparse.Namespace) -> None:
    if args.serve and args.cpu is not None:
        from bot import cpu

        cpu.pin(args.cpu)
    if args.serve == "echo":
        await serve_echo(args.api)
        return
    if args.serve == "liaison":
        profile = os.environ.get("BENCH_PROFILE")  # cProfile stats of the liaison bot's timed phases (where the time goes)
        if profile:
            profile_phases(Path(profile))
        await serve_liaison(args.api, args.db_url)
        return
    from bench.startup import drop_postgres, postgres_database

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if args.postgres:
            pg = postgres_database()
            if pg is None:
                raise SystemExit("no PostgreSQL server on 127.0.0.1:5432")
            try:
                line = await drive(args, pg[0], "postgresql")
            finally:
                drop_postgres(pg[1])
        else:
            line = await drive(args, args.db_url or f"sqlite:///{tmp}/updates.sqlite3", "sqlite")
    print(f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    print(f"updates: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40, help="users sending at once")
    parser.add_argument("--rounds", type=int, default=10, help="messages per user in a timed phase")
    parser.add_argument("--db-url", default=None, help="a database to use (default: a temporary SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="a temporary PostgreSQL database")
    parser.add_argument("--cpu", type=int, default=None, help="run both bots on this CPU only (as `liaison-bot run --cpu`)")
    parser.add_argument("--serve", choices=("echo", "liaison"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
