"""Benchmark: how fast other users are answered while one user's hostile workbook is being read.

A registered liaison at the 统计表 step sends a 110 KB workbook that passes every size bound but
takes about 20 s to open (2.5 million shared strings, `tests.app.documents.slow_workbook`); it is
read in a parse worker with a time limit (`[files] parse_seconds`, here `--parse-seconds`), refused
when the limit passes. Meanwhile `--askers` other users send /help one after the other, each
waiting for its answer. The reference is the same askers before the upload, in the same run (the
emulator runs in this process, as in the tests: its work is in both figures).

Run: `python bench/uploads.py [--askers 4] [--parse-seconds 8] [--database-url URL]`. The last line is
`uploads: /help while a workbook is read (T s, <outcome>): p50 A ms, p99 B ms, max C ms of N; idle p50 …, p99 …, max … of M`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FixedClock  # noqa: E402
from bot.config import FilesSettings  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.texts.catalog import t  # noqa: E402
from emulator import Emulator  # noqa: E402
from emulator.control import UserHandle  # noqa: E402
from tests.app.documents import XLSX, slow_workbook  # noqa: E402
from tests.app.helpers_coordinator import liaison  # noqa: E402
from tests.app.submit_helpers import STATS  # noqa: E402
from tests.fixtures.app import FILES_DIR_ENV, campaign_config, start_bot, stop_bot  # noqa: E402
from tests.fixtures.clock import FIXED_NOW  # noqa: E402
from tests.fixtures.emulator import TEST_BOT_USERNAME, TEST_TOKEN  # noqa: E402

LIAISON = 9000
ASKERS = 9100


async def ask_until(user: UserHandle, stop: asyncio.Event, waits: list[float]) -> None:
    """/help, again and again, each answer awaited: the seconds from sending to the answer."""
    while not stop.is_set():
        started = time.perf_counter()
        await user.ask("/help", timeout=30)
        waits.append(time.perf_counter() - started)


def _figures(waits: list[float]) -> str:
    ms = sorted(w * 1000 for w in waits)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"p50 {statistics.median(ms):.0f} ms, p99 {p99:.0f} ms, max {ms[-1]:.0f} ms of {len(ms)}"


async def run(url: str, askers: int, parse_seconds: float) -> str:
    storage = Storage.from_url(url)
    storage.upgrade()
    emu = Emulator(bot_token=TEST_TOKEN, bot_username=TEST_BOT_USERNAME)
    await emu.start()
    base = campaign_config(emu)
    config = campaign_config(emu, report_types=[*base.report_types, STATS], files=FilesSettings(parse_seconds=parse_seconds))
    bot = await start_bot(config, storage, FixedClock(FIXED_NOW), emu)
    try:
        liaison(storage, "pgs", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=FIXED_NOW)
        sender = emu.user(LIAISON, language_code="zh-hans")
        users = [emu.user(ASKERS + i, language_code="zh-hans") for i in range(askers)]
        for user in users:  # each one's first answer (the language, the menu) is not what is measured
            await user.ask("/help", timeout=30)

        idle: list[float] = []
        stop = asyncio.Event()
        asking = [asyncio.create_task(ask_until(u, stop, idle)) for u in users]
        await asyncio.sleep(3)
        stop.set()
        await asyncio.gather(*asking)

        await sender.send("/submit")
        await sender.wait_for(lambda m: "请选择要报送的事项" in m.text, timeout=30)
        await sender.press("药品经营使用环节统计表 · 2023年8月")
        await sender.wait_for(lambda m: "请输入零售药店一行的七个数字" in m.text, timeout=30)
        busy: list[float] = []
        stop = asyncio.Event()
        started = time.perf_counter()
        await sender.send_document(slow_workbook(), "统计表.xlsx", XLSX)
        asking = [asyncio.create_task(ask_until(u, stop, busy)) for u in users]
        too_slow, too_big = t("zh-CN", "reliability.parse.too-slow"), t("zh-CN", "reliability.parse.too-big")
        answer = await sender.wait_for(lambda m: m.text in (too_slow, too_big) or "统计表.xlsx" in m.text, timeout=parse_seconds + 60)
        took = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*asking)
        outcome = "refused, too slow" if answer.text == too_slow else "refused, too big" if answer.text == too_big else "read"
        return f"uploads: /help while a workbook is read ({took:.1f} s, {outcome}): {_figures(busy)}; idle {_figures(idle)}"
    finally:
        await stop_bot(bot)
        await emu.stop()
        storage.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--askers", type=int, default=4)
    parser.add_argument("--parse-seconds", type=float, default=8.0, help="the parse worker's time limit")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault(FILES_DIR_ENV, f"{tmp}/files")
        print(asyncio.run(run(args.database_url or f"sqlite:///{tmp}/uploads.sqlite3", args.askers, args.parse_seconds)))


if __name__ == "__main__":
    main()
