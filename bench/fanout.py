"""Benchmark: one reminder moment fanned out to N liaisons under Telegram's flood limits.

Registers N liaisons (default 3,000), each the primary of their own unit, all owing the
August 2023 typical cases; the emulator (in its own thread, as a remote server would be)
enforces 30 sends/s in total and 1/s per chat. One reminder moment is processed while
`--askers` users take turns sending /help (one every `--ask-every` seconds in total, each
user no faster than Telegram's 1 message/s per chat allows the bot to answer) and the reply
latency is measured. "msg/s" counts every message the bot sent during the wave (reminders
and replies): Telegram's limit is on all of them.

Run: `python bench/fanout.py [--n 3000] [--database-url sqlite:///...]`. The last line is
`fanout: S of N reminders received by the Bot API, L lost, D duplicated, R msg/s = F of the limit
(A reminders alone), interactive p99 X ms (T of K timed out); RSS before the wave B MB, after it R MB, peak M MB …`
(this process: the bot, and unless `--emulator-process` the emulator's thread with its record of every call
and the bench's own set-up, the campaign's first start and N liaisons registered; with it, those run in
processes of their own and the bot here is a restart on the prepared campaign): S and the rates count what the
emulator accepted, not what was asked; a /help with no reply within 60 s counts in p99 as 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import logging
import contextlib
import socket
import subprocess
import urllib.request
from dataclasses import dataclass
from typing import Any
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Config, People, UnitConfig, load_config  # noqa: E402
from bot.telegram_settings import TelegramSettings
from bot.context import SERVICES_KEY  # noqa: E402
from emulator import EmulatorThread  # noqa: E402
from bot.models import Person, Role, RoleAssignment  # noqa: E402
from bot.services.reminders import timer  # noqa: E402
from bot.storage import Storage  # noqa: E402

TOKEN = "123456:TEST"
MOMENT = datetime(2023, 8, 30, 1, 0, tzinfo=UTC)  # typical cases of 2023-08, 3 days before, 09:00 local
LIMIT = 30.0
ASK_TIMEOUT = 60.0  # seconds a /help waits for its reply before it counts as timed out
FIRST_ID = 100_000


def make_config(url: str, n: int) -> Config:
    base = load_config()
    report = base.report("typical_case")
    return base.model_copy(
        update={
            "telegram": TelegramSettings(api_url=url),
            "people": People(),
            "units": [UnitConfig(code=f"u{i}", name=f"单位{i}", tags=["所队"]) for i in range(n)],
            "report_types": [report],
        }
    )


def register(storage: Storage, n: int, now: datetime) -> None:
    """N people, each the primary liaison of unit u<i> (bulk insert)."""
    from bot.storage import units

    with storage.session() as s:
        by_code = units.units_by_codes(s, codes=[f"u{i}" for i in range(n)])
        people = [
            Person(telegram_user_id=FIRST_ID + i, chat_id=FIRST_ID + i, first_name=f"L{i}", reachable=True, created_at=now, updated_at=now)
            for i in range(n)
        ]
        s.add_all(people)
        s.flush()
        s.add_all(
            RoleAssignment(person_id=p.id, unit_id=by_code[f"u{i}"].id, role=Role.primary, started_at=now)  # type: ignore[arg-type]
            for i, p in enumerate(people)
        )


async def _prepare(url: str, api: str, n: int) -> None:
    """The campaign's first start and its liaisons, in a process of its own."""
    storage = Storage.from_url(url)
    storage.upgrade()
    clock = FixedClock(MOMENT - timedelta(hours=1))
    app = build_application(make_config(api, n), token=TOKEN, storage=storage, clock=clock)
    await app.initialize()
    assert app.post_init
    await app.post_init(app)
    register(storage, n, clock.now())
    from handlers import menus

    services = app.bot_data[SERVICES_KEY]
    if services.caches.menu_task is not None:
        await services.caches.menu_task
    await menus.publish_all(app.bot, services)  # their menus set (and recorded), as their registrations would have
    await app.shutdown()
    storage.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--askers", type=int, default=4)
    parser.add_argument("--ask-every", type=float, default=0.5)
    parser.add_argument("--emulator-process", action="store_true",
                        help="the emulator in a process of its own (no askers), the campaign's first start and the liaisons' "
                             "registration in another: the RSS is then that of a bot restarted on its campaign")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)  # (the preparing process: the emulator's URL)
    args = parser.parse_args()
    if args.prepare:
        await _prepare(args.database_url, args.prepare, args.n)
        return
    if args.emulator_process:
        args.askers = 0
    logging.basicConfig(level=logging.WARNING)

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/fanout.sqlite3"
    storage = Storage.from_url(url)
    storage.upgrade()
    remote = Remote.start() if args.emulator_process else None
    if remote is not None:  # the first start (10,000 units' due items) and the registration: not this process's memory
        subprocess.run([sys.executable, __file__, "--n", str(args.n), "--database-url", url, "--prepare", remote.url], check=True)
    emu_thread = EmulatorThread(bot_token=TOKEN)
    if remote is None:
        emu_thread.start()
    emu: Any = emu_thread.emulator if remote is None else None
    config = make_config(remote.url if remote else emu.url, args.n)
    clock = FixedClock(MOMENT - timedelta(hours=1))
    app = build_application(config, token=TOKEN, storage=storage, clock=clock)
    await app.initialize()
    assert app.post_init
    await app.post_init(app)
    if remote is None:
        register(storage, args.n, clock.now())

    def setup() -> None:
        for i in range(args.n):
            emu.user(FIRST_ID + i)
            emu.state.chats[FIRST_ID + i].started = True  # they have started the bot before
        emu.flood.enable()

    if remote is None:
        emu_thread.run(_in_loop(setup), timeout=120)
    else:
        remote.post("users", {"user_ids": [FIRST_ID + i for i in range(args.n)], "started": True})
        remote.post("flood", {"enable": True})
    await app.start()
    assert app.updater
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    askers = [900_000 + k for k in range(args.askers)]
    latencies: list[float] = []
    timeouts: list[int] = []
    stop = asyncio.Event()

    async def ask(uid: int) -> None:
        user = emu.user(uid, first_name="Asker", language_code="en")
        user.skip_pending()
        t0 = time.monotonic()
        await user.send("/help")
        try:
            await user.wait_for(timeout=ASK_TIMEOUT)
        except AssertionError:  # no reply in time: counted, and in the percentiles as the whole wait
            timeouts.append(uid)
        latencies.append(time.monotonic() - t0)

    async def asking() -> None:
        k = 0
        pending: list[asyncio.Future[None]] = []
        while askers and not stop.is_set():
            uid = askers[k % len(askers)]
            pending.append(asyncio.wrap_future(asyncio.run_coroutine_threadsafe(ask(uid), emu_thread._loop)))  # type: ignore[arg-type]
            k += 1
            await asyncio.sleep(args.ask_every)
        await asyncio.gather(*pending, return_exceptions=True)

    await asyncio.sleep(1.5)  # the start-up catch-up runs (nothing is due yet) before the clock moves
    before_wave = _current_rss_mb()
    _reset_peak()  # the peak reported is the wave's (and the rest of the run's), not the start's
    traced = _trace_start()
    clock.set(MOMENT)
    services = app.bot_data[SERVICES_KEY]
    asker_task = asyncio.create_task(asking())
    await asyncio.sleep(2)  # interactive baseline before the wave
    started_at = datetime.now(UTC)
    t0 = time.monotonic()
    mid_wave = asyncio.create_task(_trace_mid_wave(traced))
    summary = await timer.process_due_moments(services, app.bot, now=MOMENT)
    # The bot's own timer fires the same moment concurrently and claims part of the wave: the wave
    # ends when no claim is still being sent (every reminder accepted or settled), not when our call returns.
    settle_deadline = time.monotonic() + 120
    while _in_flight(storage) and time.monotonic() < settle_deadline:
        await asyncio.sleep(0.05)
    elapsed = time.monotonic() - t0
    ended_at = datetime.now(UTC)
    await asyncio.sleep(1)
    stop.set()
    await asker_task
    mid_wave.cancel()
    after_wave, peak = _current_rss_mb(), _peak_mb()  # before the bench reads the emulator's record of the calls (its own memory)
    _trace_report(traced)

    calls = [c for c in (remote.calls("sendMessage") if remote else emu.calls("sendMessage")) if c.status == 200]
    wave = [c for c in calls if started_at <= c.at <= ended_at]
    liaison_calls = [c for c in calls if FIRST_ID <= int(c.params["chat_id"]) < FIRST_ID + args.n]
    per_chat = Counter(int(c.params["chat_id"]) for c in liaison_calls)
    lost = sum(1 for i in range(args.n) if per_chat[FIRST_ID + i] == 0)
    duplicated = sum(count - 1 for count in per_chat.values() if count > 1)
    rate = len(wave) / elapsed
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p99 = (sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)] * 1000) if latencies else float("nan")
    rejections = remote.post("flood", {"enable": False})["rejections"] if remote else emu.flood.rejections
    rejected = len(rejections)
    by_chat = Counter("reminder" if FIRST_ID <= int(r["chat_id"]) < FIRST_ID + args.n else "reply" for r in rejections)
    if rejected:
        print(f"429s: {dict(by_chat)} (methods {dict(Counter(r['method'] for r in rejections))})")
    first = min((c.at for c in liaison_calls), default=ended_at)
    last = max((c.at for c in liaison_calls), default=ended_at)
    print(f"wave: first reminder {(first - started_at).total_seconds():.2f} s after the moment, last {(last - started_at).total_seconds():.2f} s, settled {elapsed:.2f} s")
    minutes = Counter(int((c.at - first).total_seconds() // 60) for c in liaison_calls)
    print("wave: reminders per second, minute by minute: " + ", ".join(f"{minutes[m] / 60:.1f}" for m in sorted(minutes)))
    menus = sum(1 for c in (remote.calls("setMyCommands") if remote else emu.calls("setMyCommands")) if started_at <= c.at <= ended_at)
    print(f"wave: {menus} command menus set meanwhile (setMyCommands: a restart's pass over the role holders)")
    print(f"wave: {len(liaison_calls)} reminders in {elapsed:.1f} s ({len(liaison_calls) / elapsed:.1f}/s reminders only), "
          f"{len(wave) - len(liaison_calls)} replies; 429s: {rejected}; summary: sent={summary.sent} failed={summary.failed}")
    if latencies:
        print(f"interactive: {len(latencies)} asked, {len(timeouts)} timed out, p50 {p50:.0f} ms, max {max(latencies) * 1000:.0f} ms")

    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if remote is None:
        emu_thread.stop()
    else:
        remote.stop()
    storage.dispose()
    tmp.cleanup()
    alone = len(liaison_calls) / elapsed / LIMIT
    print(
        f"fanout: {len(liaison_calls)} of {args.n} reminders received by the Bot API, {lost} lost, {duplicated} duplicated, "
        f"{rate:.1f} msg/s = {rate / LIMIT:.2f} of the limit ({alone:.2f} reminders alone), "
        f"interactive p99 {p99:.0f} ms ({len(timeouts)} of {len(latencies)} timed out); "
        f"RSS before the wave {before_wave:.0f} MB, after it {after_wave:.0f} MB, peak {peak:.0f} MB from the wave on "
        + ("(the bot's: the emulator in its own process)" if remote else "(the bot with the emulator's thread and its record of every call)")
    )


@dataclass
class _Call:
    method: str
    params: dict[str, Any]
    at: datetime
    status: int


class Remote:
    """The emulator as a process of its own (`python -m emulator`), driven by its control API."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process, self.url = process, url

    @classmethod
    def start(cls) -> Remote:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", str(port), "--token", TOKEN],
                                   cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE)
        atexit.register(lambda: process.poll() is None and process.kill())  # (also when the bench fails)
        assert process.stdout is not None
        process.stdout.readline()  # "Telegram Bot API emulator on …": listening
        return cls(process, f"http://127.0.0.1:{port}")

    def _request(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}/control/{path}", data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as answer:  # noqa: S310 - the local emulator
            return json.loads(answer.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._request(path, body)

    def calls(self, method: str) -> list[_Call]:
        return [_Call(c["method"], c["params"], datetime.fromisoformat(c["at"]), c["status"]) for c in self._request(f"sent?method={method}")]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _trace_start() -> Any:
    """`FANOUT_TRACEMALLOC=1`: where the wave's memory goes (Python allocations; slows the wave)."""
    import os
    import tracemalloc

    if not os.environ.get("FANOUT_TRACEMALLOC"):
        return None
    tracemalloc.start(8)
    return tracemalloc.take_snapshot()


async def _trace_mid_wave(before: Any) -> None:
    if before is not None:
        await asyncio.sleep(30)
        _trace_report(before, "30 s into the wave", stop=False)


def _trace_report(before: Any, when: str = "after the wave", *, stop: bool = True) -> Any:
    import tracemalloc

    if before is None:
        return None
    after = tracemalloc.take_snapshot()
    print(f"tracemalloc, {when}: traced now {tracemalloc.get_traced_memory()[0] / 1e6:.1f} MB, peak {tracemalloc.get_traced_memory()[1] / 1e6:.1f} MB; "
          f"RSS {_current_rss_mb():.0f} MB", file=sys.stderr)
    for stat in after.compare_to(before, "traceback")[:10]:
        print(f"tracemalloc: {stat.size_diff / 1e6:+.1f} MB in {stat.count_diff:+d} blocks", file=sys.stderr)
        for line in stat.traceback.format()[-16:]:
            print("   ", line, file=sys.stderr)
    if stop:
        tracemalloc.stop()
    return after


def _peak_mb() -> float:
    """This process's own peak RSS (VmHWM; getrusage's ru_maxrss carries a parent's across fork and exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _reset_peak() -> None:
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # (Linux: VmHWM starts again from the RSS now)


def _current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def _in_flight(storage: Storage) -> int:
    """Reminder rows claimed and not yet settled (sent, failed or given up)."""
    from sqlmodel import func, select

    from bot.models import ReminderSent, ReminderStatus

    with storage.session() as s:
        return int(s.exec(select(func.count()).select_from(ReminderSent).where(ReminderSent.status == ReminderStatus.pending)).one())


async def _in_loop(fn):  # type: ignore[no-untyped-def]
    fn()


if __name__ == "__main__":
    asyncio.run(main())
