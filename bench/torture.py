"""Torture: a compressed campaign under injected faults, crashes, a database outage and fuzzed updates.

The bot runs against the emulator on a fixed clock that jumps from one reminder moment to the
next (the typical cases' -3d, -1d, the day itself and overdue: a deadline every few seconds).
At each moment: 429s, 5xx, connections dropped before and after Telegram performed the send,
blocked liaisons (some with a backup, some without); at random moments the process is killed
mid-wave (`kill_bot`: polling, the updates in flight and the jobs cancelled where they are, nothing
settled or confirmed to Telegram; a new process with empty memory started on the same database); once, the database goes away mid-wave. Meanwhile fuzz users (Hypothesis)
send random text, commands, huge messages, stale and forged buttons, wrong and hostile files
(a zip bomb), edits, and messages in a group chat.

Figures: lost (a reminder claimed but not delivered, not resolved, or given up unknown),
doubled (one reminder row seen more than once in a chat), unanswered (a private update with no
answer), crashes (errors logged as unhandled), peak RSS and its growth.

Run: `python bench/torture.py [--liaisons 40] [--rounds 6] [--actions 300] [--database-url URL]`;
the last line is `torture: lost L, doubled D, unanswered U, crashes C, peak RSS R MB (+G MB)`.
A short version runs in the test suite (tests/chaos/).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import random
import pickle
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import ReminderSettings  # noqa: E402
from bot.context import SERVICES_KEY  # noqa: E402
from bot.models import Person, ReminderStatus, Role, RoleAssignment  # noqa: E402
from bot.services.reminders import recovery, timer  # noqa: E402
from bot.storage import Storage  # noqa: E402
from emulator import Emulator  # noqa: E402
from bot.texts.catalog import t  # noqa: E402
from tests.app.documents import DOCX  # noqa: E402
from tests.fixtures.app import FILES_DIR_ENV, RunningBot, campaign_config, kill_bot, start_bot, stop_bot  # noqa: E402
from tests.fixtures.emulator import TEST_BOT_USERNAME, TEST_TOKEN  # noqa: E402
from tests.fixtures.outage import Outage  # noqa: E402

START = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)
MOMENTS = [datetime(2023, 8, 30, 1, 0, tzinfo=UTC), datetime(2023, 9, 1, 1, 0, tzinfo=UTC),
           datetime(2023, 9, 2, 1, 0, tzinfo=UTC), datetime(2023, 9, 3, 1, 0, tzinfo=UTC)]
SWEEPS = [recovery.STUCK_AFTER + timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=20), timedelta(hours=2)]
FIRST_LIAISON = 610_000
FUZZ_USERS = [620_000 + i for i in range(6)]
GROUP = -630_000
SETTLED = ("not needed", "not a liaison")  # given up on purpose (filed, moved on): not lost


@dataclass
class Figures:
    lost: int = 0
    doubled: int = 0
    unanswered: int = 0
    crashes: int = 0
    peak_rss_mb: float = 0.0
    growth_mb: float = 0.0
    kills: int = 0
    faults: int = 0
    actions: int = 0
    uploads: int = 0  # hostile documents a liaison sent at a case's step (read in the parse workers)
    uploads_refused: int = 0
    uploads_unanswered: int = 0
    worker_peak_mb: float = 0.0  # the parse workers' peak RSS (the largest seen)
    growth_from_start_mb: float = 0.0
    peak_during: str = ""  # what the run was doing when the sampled RSS was highest
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"torture: lost {self.lost}, doubled {self.doubled}, unanswered {self.unanswered}, crashes {self.crashes}, "
                f"peak RSS {self.peak_rss_mb:.0f} MB (+{self.growth_mb:.0f} MB over the peak before the run, +{self.growth_from_start_mb:.0f} MB over the RSS at its start); {self.kills} kills, {self.faults} faults, {self.actions} fuzzed updates; "
                f"{self.uploads} hostile documents at a case's step ({self.uploads_refused} refused by the parse limits, {self.uploads_unanswered} unanswered), "
                f"parse workers' peak RSS {self.worker_peak_mb:.0f} MB; highest sampled RSS during: {self.peak_during or '-'}")


class Watch:
    """This process's RSS sampled every 50 ms with what the run was doing then (the waves' step, the fuzzed
    update in flight): where the peak comes from, when it comes."""

    def __init__(self) -> None:
        self.step = "start"
        self.fuzzing = "-"
        self.peak = 0.0
        self.during = ""
        self.spikes: list[str] = []

    def now(self) -> str:
        return f"{self.step}; fuzzed update {self.fuzzing}"

    async def sample(self) -> None:
        high = _rss_mb()
        while True:
            rss = _current_rss_mb()
            if rss > self.peak:
                self.peak, self.during = rss, f"{rss:.0f} MB at {self.now()}"
            was, high = high, _rss_mb()
            if high > max(was, rss) + 20:  # the peak rose between two samples and fell again: a spike shorter than 50 ms
                self.spikes.append(f"{was:.0f} -> {high:.0f} MB at {self.now()}")
            await asyncio.sleep(0.05)


class Crashes(logging.Handler):
    """Counts errors logged as unhandled (the error handler's, PTB's, the jobs')."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "telegram.ext.Updater":  # a kill while a batch of updates was being fetched (the harness's doing)
            return
        cause = f" ({record.exc_info[0].__name__}: {record.exc_info[1]})" if record.exc_info and record.exc_info[0] else ""
        self.records.append(f"{record.name}: {record.getMessage()}{cause}")


def _rss_mb() -> float:
    """This process's peak RSS so far (VmHWM: its own. `getrusage`'s ru_maxrss is not: Linux carries the
    parent's peak across fork and exec, so a run started from a test worker of 330 MB reported 330 MB
    and more whatever it did itself)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _reset_peak() -> bool:
    """Start this process's peak RSS afresh from its RSS now (Linux: clear_refs 5), so that the peak at the
    end is the run's own; False where that cannot be done (the peak then carries the set-up)."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def _current_rss_mb() -> float:
    """This process's RSS now (the baseline: a peak would carry the hostile files' making)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def _hostile_documents() -> list[tuple[str, bytes]]:
    """Word documents that pass every size bound but not the parse worker's limits, made in a process of
    their own (5 million paragraphs made here would raise this process's peak RSS, the baseline)."""
    made = subprocess.run(
        [sys.executable, "-c", "import pickle, sys; from tests.app.documents import slow_docx, zip_bomb; "
         "sys.stdout.buffer.write(pickle.dumps([('slow.docx', slow_docx()), ('bomb.docx', zip_bomb(inflated=32 * 1024 * 1024))]))"],
        capture_output=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    documents: list[tuple[str, bytes]] = pickle.loads(made.stdout)  # noqa: S301 - made just now by this program
    return documents


def bomb(inflated_mb: int = 40) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:  # a megabyte at a time: the bench's own RSS stays small
            for _ in range(inflated_mb):
                sheet.write(b"0" * (1024 * 1024))
    return out.getvalue()


ACTION = st.one_of(
    st.tuples(st.just("text"), st.text(min_size=1, max_size=60)),
    st.tuples(st.just("command"), st.sampled_from(["/start", "/help", "/due", "/submit", "/me", "/lang", "/cancel", "/remind", "/x", "/start bad-token"])),
    st.tuples(st.just("huge"), st.integers(4097, 9000).map(lambda n: "长" * n)),
    st.tuples(st.just("forged"), st.text(alphabet="abcdefghij|0123456789", min_size=1, max_size=64)),
    st.tuples(st.just("stale"), st.just("")),
    st.tuples(st.just("file"), st.sampled_from(["pdf", "garbage.xlsx", "bomb.xlsx", "garbage.docx", "photo"])),
    st.tuples(st.just("edit"), st.text(min_size=1, max_size=40)),
    st.tuples(st.just("group"), st.sampled_from(["/help", "hello", "/due@" + TEST_BOT_USERNAME, "/remind"])),
)


def draw_actions(n: int, seed: int) -> list[tuple[str, str]]:
    """`n` actions drawn by Hypothesis (generation only, reproducible by seed), one example each.

    (Not one list of `n` as a single example: Hypothesis makes its first example the simplest one, and
    that list was `n` times the text "0". Every run until 2026-12-05 fuzzed with nothing else.)"""
    drawn: list[tuple[str, str]] = []

    @settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(ACTION)
    def collect(action: tuple[str, str]) -> None:
        drawn.append(action)

    collect._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    collect()
    return drawn


def register_uploader(storage: Storage, code: str, now: datetime) -> None:
    """A backup liaison of unit `code` (backups are not reminded here: the waves are the same) who files cases."""
    from bot.storage import units

    with storage.session() as s:
        unit = units.get_unit_by_code(s, code=code)
        assert unit is not None
        person = Person(telegram_user_id=UPLOADER, chat_id=UPLOADER, first_name="U", name="上传者", reachable=True, created_at=now, updated_at=now)
        s.add(person)
        s.flush()
        s.add(RoleAssignment(person_id=person.id, unit_id=unit.id, role=Role.backup, started_at=now))  # type: ignore[arg-type]


def register(storage: Storage, codes: list[str], n: int, now: datetime) -> list[int]:
    """Primaries of the first `n` units (one in three also with a backup); their Telegram ids."""
    from bot.storage import units

    uids: list[int] = []
    with storage.session() as s:
        by_code = units.units_by_codes(s, codes=codes)
        for i in range(n):
            unit = by_code[codes[i % len(codes)]]
            role = Role.primary if i < len(codes) else Role.backup
            uid = FIRST_LIAISON + i
            person = Person(telegram_user_id=uid, chat_id=uid, first_name=f"L{i}", name=f"联络员{i}", reachable=True, created_at=now, updated_at=now)
            s.add(person)
            s.flush()
            s.add(RoleAssignment(person_id=person.id, unit_id=unit.id, role=role, started_at=now))  # type: ignore[arg-type]
            uids.append(uid)
    return uids


async def fuzz(emu: Emulator, actions: list[tuple[str, str]], figures: Figures, rng: random.Random, stop: asyncio.Event, big_bomb: bytes, wait: float,
               watch: Watch | None = None) -> None:
    """Send the actions from the fuzz users; count private updates that got no answer."""
    group = emu.group(GROUP, members=tuple(FUZZ_USERS))
    sent_texts: dict[int, list[dict[str, Any]]] = {}
    for kind, value in actions:
        if stop.is_set():
            break
        if watch is not None:
            watch.fuzzing = f"{kind} {value[:20]!r}"
        uid = rng.choice(FUZZ_USERS)
        user = emu.user(uid, first_name="Fuzz", language_code=rng.choice(["zh-hans", "en"]))
        user.skip_pending()
        answers = len(user.callback_answers)
        try:
            if kind == "group":
                await group.send(uid, value)
                figures.actions += 1
                continue
            if kind in ("text", "command", "huge"):
                sent_texts.setdefault(uid, []).append(await user.send(value))
            elif kind == "edit":
                if not sent_texts.get(uid):
                    continue
                await user.edit(rng.choice(sent_texts[uid]), value)
            elif kind in ("forged", "stale"):
                last = user.last
                if last is None:
                    continue
                data = value if kind == "forged" else (last.buttons[0]["callback_data"] if last.buttons and "callback_data" in last.buttons[0] else "lang:xx")
                # A press Telegram delivers has a query id it knows (the data is what the client sent: anything),
                # so the bot's answer counts; pushed without it, every answer was "query ID is invalid".
                query: dict[str, Any] = {"id": emu.state.new_query_id(), "from": emu.state.users[uid], "chat_instance": "1", "message": last.data, "data": data}
                emu.state.callback_queries[query["id"]] = query
                await emu.state.push_update("callback_query", dict(query))
            elif kind == "file":
                if value == "photo":
                    await user.send_photo(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
                else:
                    content = {"pdf": b"%PDF-1.4\n" + b"x" * 300, "bomb.xlsx": big_bomb}.get(value, bytes(rng.getrandbits(8) for _ in range(500)))
                    await user.send_document(content, "fuzz-" + value.replace("bomb.", "表."), "application/octet-stream")
            figures.actions += 1
            if not await _answered(user, answers, wait):  # an answer at all (a loaded machine is slow)
                figures.unanswered += 1
                pending = [u["update_id"] for u in emu.state.updates if any(isinstance(v, dict) and v.get("from", {}).get("id") == uid for v in u.values())]
                figures.notes.append(f"unanswered {kind} {value[:30]!r} (user {uid}, after {figures.actions} updates, {figures.kills} kills; "
                                     f"their updates still unconfirmed at Telegram: {pending or 'none'})")
        except AssertionError:
            continue


async def _answered(user: Any, answers: int, wait: float) -> bool:
    """A new message in the user's chat, or an answer to their press (a press answered with a notice
    only gets no message): whichever comes first, within `wait` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + wait
    while loop.time() < end:
        if len(user.callback_answers) > answers:
            return True
        try:
            await user.wait_for(timeout=0.2)
            return True
        except AssertionError:
            continue
    return len(user.callback_answers) > answers


UPLOADER = 640_000


async def upload(emu: Emulator, documents: list[tuple[str, bytes]], figures: Figures, rng: random.Random, stop: asyncio.Event, wait: float) -> None:
    """A liaison sends hostile Word documents where a case's text is asked for, where they are read (in a
    parse worker, with its limits), again and again until `stop`; kills and outages make some attempts fail."""
    user = emu.user(UPLOADER, first_name="Uploader", language_code="zh-hans")
    refused = (t("zh-CN", "reliability.parse.too-slow"), t("zh-CN", "reliability.parse.too-big"))
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        try:
            user.skip_pending()
            await user.send("/cancel")
            await user.wait_for(timeout=wait)
            await user.send("/submit")
            menu = await user.wait_for(lambda m: any("典型案例" in b["text"] and "零报告" not in b["text"] for b in m.buttons), timeout=wait)
            await user.press(next(b["text"] for b in menu.buttons if "典型案例" in b["text"] and "零报告" not in b["text"]))
            await user.wait_for(lambda m: "案件名称" in m.text, timeout=wait)
        except AssertionError as e:
            if len(figures.notes) < 20:
                figures.notes.append(f"uploader: {str(e)[:300]}")
            continue  # (a kill, an outage: the flow is started again)
        name, data = rng.choice(documents)
        await user.send_document(data, name, DOCX)
        figures.uploads += 1
        try:
            answer = await user.wait_for(timeout=wait + 30)
        except AssertionError:
            figures.uploads_unanswered += 1
            figures.notes.append(f"hostile document {name} unanswered ({figures.kills} kills so far)")
            continue
        figures.uploads_refused += answer.text in refused


async def sample_workers(figures: Figures) -> None:
    """The parse workers' peak RSS (VmHWM), read every 0.1 s while they live (a worker killed at its
    memory cap between two readings is missed: the figure is a floor)."""
    from bot import parsing

    while True:
        for pid in parsing.workers.pids():
            with contextlib.suppress(OSError, StopIteration, ValueError), open(f"/proc/{pid}/status") as status:
                peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
                figures.worker_peak_mb = max(figures.worker_peak_mb, peak)
        await asyncio.sleep(0.1)


def count(storage: Storage, emu: Emulator, figures: Figures) -> None:
    """Lost and doubled, from the claims in the database and the messages in the chats."""
    rows = [r for r in storage.reminders.reminders_for() if r.kind in ("reminder", "overdue")]
    for row in rows:
        person = storage.people.get_person(person_id=row.person_id)
        chat = emu.state.chats.get(person.chat_id or person.telegram_user_id)
        seen = 0
        if chat is not None:
            seen = sum(1 for m in chat.bot_messages.values() if any(str(b.get("callback_data", "")).startswith(f"snz|{row.id}|") for b in m.buttons))
        if seen > 1:
            figures.doubled += seen - 1
            figures.notes.append(f"doubled row {row.id}")
        if row.status == ReminderStatus.sent and seen == 0:
            figures.lost += 1
            figures.notes.append(f"row {row.id} recorded sent, not in the chat")
        elif row.status in (ReminderStatus.pending, ReminderStatus.failed) and seen == 0:
            error = (row.last_error or "")
            if row.attempts == 0 or any(why in error for why in SETTLED):
                continue
            figures.lost += 1
            figures.notes.append(f"row {row.id} {row.status.value}: {error[:90]}")


async def _as_the_timer(services: Any, bot: Any, *, now: datetime) -> Any:
    """A wave or a sweep as the bot's own timer runs it: under the process's reminder lock, one run at a
    time (its catch-up, its tick and its minute sweep take it too; without it two runs of one process
    would interleave, which the bot never does)."""
    async with services.caches.reminders_lock:
        return await timer.process_due_moments(services, bot, now=now)


async def campaign(
    *, url: str, liaisons: int, rounds: int, actions: int, seed: int, kill_rate: float = 0.5, answer_wait: float = 30.0, uploader: bool = True
) -> Figures:
    """The whole run; see the module docstring."""
    rng = random.Random(seed)
    figures = Figures()
    crashes = Crashes()
    for name in ("handlers", "bot", "telegram.ext", "emulator"):
        logging.getLogger(name).addHandler(crashes)
    storage = Storage.from_url(url)
    storage.upgrade()
    emu = Emulator(bot_token=TEST_TOKEN, bot_username=TEST_BOT_USERNAME)
    await emu.start()
    config = campaign_config(emu, reminders=ReminderSettings(quiet_hours="22:00-07:30", backup_gets_reminders=False))
    clock = FixedClock(START)
    big_bomb = bomb()  # made before the baseline: the bot's growth is what counts
    # Drawn before it too: Hypothesis builds its table of Unicode characters at its first text where no
    # `.hypothesis/` folder keeps it (a fresh clone), 200 MB for a moment (the "spike" of earlier runs).
    drawn = draw_actions(actions, seed)
    documents = _hostile_documents() if uploader else []
    rss0, start_rss = _rss_mb(), _current_rss_mb()
    if _reset_peak():
        rss0 = _rss_mb()  # the set-up's peak (the bot's import, the hostile files' making) no longer counts
    watch = Watch()
    watching = asyncio.create_task(watch.sample())
    bot: RunningBot = await start_bot(config, storage, clock, emu, claims=True, settle=False)
    db = Outage(storage)
    try:
        codes = [u.code for u in config.units][:liaisons]
        uids = register(storage, codes, liaisons, clock.now())
        for uid in uids:
            emu.user(uid, first_name="L")
            emu.state.chats[uid].started = True
        blocked = rng.sample(uids, max(1, len(uids) // 8))
        for uid in blocked:
            emu.faults.block(uid)
        stop = asyncio.Event()
        fuzzing = asyncio.create_task(fuzz(emu, drawn, figures, rng, stop, big_bomb, answer_wait, watch))
        if uploader:
            register_uploader(storage, codes[0], clock.now())
        uploading = asyncio.create_task(upload(emu, documents, figures, random.Random(seed + 1), stop, answer_wait) if uploader else asyncio.sleep(0))
        sampling = asyncio.create_task(sample_workers(figures))
        outage_round = rng.randrange(rounds)
        for n in range(rounds):
            moment = MOMENTS[n % len(MOMENTS)] + timedelta(days=7 * (n // len(MOMENTS)))
            for _ in range(rng.randint(2, 6)):
                figures.faults += 1
                pick = rng.random()
                if pick < 0.35:
                    emu.faults.fail_next(1, rng.choice([500, 502, 503, 504]), method="sendMessage", html=rng.random() < 0.3)
                elif pick < 0.8:
                    emu.faults.drop_next(1, method="sendMessage", after=rng.random() < 0.5)
                else:
                    emu.flood.enable(total_per_s=rng.choice([5, 10]))
            clock.set(moment)
            watch.step = f"round {n}: the wave"
            services = bot.app.bot_data[SERVICES_KEY]
            wave = asyncio.create_task(_as_the_timer(services, bot.app.bot, now=moment))
            if n == outage_round:  # the database goes away mid-wave, then comes back
                await asyncio.sleep(rng.uniform(0.0, 0.3))
                db.down = True
                watch.step = f"round {n}: the wave, the database away"
                logging.getLogger("bench.torture").info("the database goes away")
                await asyncio.sleep(rng.uniform(0.3, 1.0))
                db.down = False
                watch.step = f"round {n}: the wave, the database back"
                logging.getLogger("bench.torture").info("the database is back")
            if rng.random() < kill_rate:  # killed mid-wave: nothing settled, memory gone
                await asyncio.sleep(rng.uniform(0.0, 0.5))
                logging.getLogger("bench.torture").info("kill (round %d%s)", n, ", after the outage" if n == outage_round else "")
                wave.cancel()
                figures.kills += 1
                await asyncio.gather(wave, return_exceptions=True)
                watch.step = f"round {n}: killed, restarting"
                await kill_bot(bot)
                bot = await start_bot(config, storage, clock, emu, claims=True, settle=False)
            else:
                await asyncio.gather(wave, return_exceptions=True)
            emu.flood.disable()
            for after in SWEEPS:
                watch.step = f"round {n}: the sweep {after} after"
                clock.set(moment + after)
                services = bot.app.bot_data[SERVICES_KEY]
                await _as_the_timer(services, bot.app.bot, now=moment + after)
        watch.step = "the fuzzing's end"
        try:
            await asyncio.wait_for(fuzzing, timeout=60 + actions)
        except TimeoutError:  # (cancelled: the run goes on to count what it has)
            figures.notes.append(f"the fuzzing did not end in time: {figures.actions} of {actions} updates sent")
            figures.unanswered += 1
        stop.set()
        if uploading.done() and not uploading.cancelled() and (failure := uploading.exception()) is not None:
            crashes.records.append(f"bench.torture: the uploader stopped early: {failure!r}")  # (the bench's own: counted, not hidden)
        uploading.cancel()  # (an answer it still waits for is not counted)
        sampling.cancel()
        watching.cancel()
        await asyncio.gather(uploading, sampling, watching, return_exceptions=True)
        emu.faults.clear()
        await asyncio.sleep(0.5)
        count(storage, emu, figures)
    finally:
        watching.cancel()
        db.close()
        await stop_bot(bot)
        await emu.stop()
        storage.dispose()
        for name in ("handlers", "bot", "telegram.ext", "emulator"):
            logging.getLogger(name).removeHandler(crashes)
    figures.crashes = len(crashes.records)
    figures.notes += crashes.records[:10]
    figures.peak_during = watch.during + "".join(f"; a spike between two samples: {spike}" for spike in watch.spikes[:5])
    figures.peak_rss_mb = _rss_mb()
    figures.growth_mb = figures.peak_rss_mb - rss0  # over the peak before the run (where it could not be reset: the set-up's)
    figures.growth_from_start_mb = figures.peak_rss_mb - start_rss  # over the RSS at the start
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--liaisons", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--kill-rate", type=float, default=0.5, help="the share of waves killed midway")
    parser.add_argument("--database-url", default=None, help="an empty database (default: a new SQLite file)")
    parser.add_argument("--no-uploader", action="store_true", help="without the liaison who sends hostile Word documents")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line (for tests/chaos)")
    parser.add_argument("--log", default=None, help="write the bot's log (INFO, and each update handled) to this file")
    args = parser.parse_args()
    # Quiet, but every logger stays enabled for ERROR: a root level of CRITICAL would drop the errors
    # before `Crashes` could count them (the run would report 0 crashes whatever happened).
    logging.getLogger().addHandler(logging.NullHandler())
    if args.log:
        logging.basicConfig(filename=args.log, level=logging.INFO, force=True, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("telegram.ext.Application").setLevel(logging.DEBUG)
        logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault(FILES_DIR_ENV, f"{tmp}/files")  # uploads go to a folder of the run's own
        url = args.database_url or f"sqlite:///{tmp}/torture.sqlite3"
        figures = asyncio.run(campaign(url=url, liaisons=args.liaisons, rounds=args.rounds, actions=args.actions, seed=args.seed, kill_rate=args.kill_rate, uploader=not args.no_uploader))
    for note in figures.notes[:20]:
        print("  " + note)
    print(figures.line())
    if args.json:
        print(json.dumps(asdict(figures)))


if __name__ == "__main__":
    main()
