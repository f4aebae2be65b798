"""A reminder wave leaves the event loop free (the real bot, SQLite and PostgreSQL; issue 15).

Each reminder's claim and the record of its send run in a thread, not on the loop: on PostgreSQL
their round trips held the loop up, the pacer's sends left late, and a rolling window at its limit
never wins that time back (a wave to 3,000 liaisons: 0.96 of the flood limit, 0.98 with them off the
loop). And what the start made is kept out of the collector's full passes, which stopped the loop
for ~90 ms twice in such a wave.
"""

from __future__ import annotations

import gc
import threading
from datetime import datetime
from typing import Any

from sqlalchemy import event

from bot.clock import FixedClock
from bot.storage import Storage
from emulator import Emulator
from tests.app.test_reminders import MINUS_3D, liaison, process, reminder_messages
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot

CODES = ("pgs", "shs", "sys")


async def test_a_waves_claims_and_the_records_of_its_sends_are_made_off_the_event_loop(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    users = [await liaison(bot_app, make_person, make_liaison, code, 7650 + i) for i, code in enumerate(CODES)]
    loop_thread = threading.get_ident()
    seen: list[tuple[str, bool]] = []

    def watch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        text = " ".join(statement.split()).upper()
        values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters or ())
        if text.startswith("INSERT INTO REMINDER_SENT") and "reminder" in values:  # (not the coordinators' digest rows)
            seen.append(("claim", threading.get_ident() == loop_thread))
        elif text.startswith("UPDATE REMINDER_SENT") and "TELEGRAM_MESSAGE_ID" in text:
            seen.append(("record", threading.get_ident() == loop_thread))

    event.listen(bot_app.storage.engine, "before_cursor_execute", watch)
    try:
        summary = await process(bot_app, MINUS_3D)
    finally:
        event.remove(bot_app.storage.engine, "before_cursor_execute", watch)
    assert summary.sent == len(CODES)
    assert [len(reminder_messages(u)) for u in users] == [1] * len(CODES)
    assert sorted(kind for kind, _ in seen) == ["claim"] * len(CODES) + ["record"] * len(CODES)
    assert [kind for kind, on_loop in seen if on_loop] == []


async def test_what_the_start_made_is_kept_out_of_the_collectors_full_passes_until_the_stop(
    storage: Storage, emulator: Emulator, now: datetime
) -> None:
    gc.unfreeze()  # (whatever an earlier test left)
    bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator)
    try:
        assert gc.get_freeze_count() > 10_000  # the modules, the config, the catalog, the application
    finally:
        await stop_bot(bot)
    assert gc.get_freeze_count() == 0  # a process that goes on (the tests) frees the bot it stopped
