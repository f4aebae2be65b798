"""A wave reads its units' liaisons a page at a time (the real bot, SQLite and PostgreSQL).

A moment owed by 10,000 units does not hold 10,000 liaisons' rows at once (issue 15: the bot's RSS
after a wave); every unit is still reminded exactly once, a page that cannot be read (the database
away) ends the wave after the sends under way, and the next run sends the rest, once. No per-person
lock outlives its send.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.models import ReminderStatus
from bot.services.reminders import send
from bot.storage import reminders as reminder_store
from tests.app.test_reminders import MINUS_3D, liaison, process, reminder_messages, services_of
from tests.fixtures.app import RunningBot

CODES = ("pgs", "shs", "sys", "sgs", "hjs")


async def test_a_wave_reads_a_page_of_units_at_a_time_and_reminds_every_unit_once(
    bot_app: RunningBot, make_person: Any, make_liaison: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [await liaison(bot_app, make_person, make_liaison, code, 7600 + i) for i, code in enumerate(CODES)]
    pages: list[int] = []
    read = reminder_store.reminder_targets

    def counted(session: Any, **kwargs: Any) -> Any:
        pages.append(len(kwargs["unit_ids"]))
        return read(session, **kwargs)

    monkeypatch.setattr(send, "PAGE", 2)
    monkeypatch.setattr(reminder_store, "reminder_targets", counted)
    summary = await process(bot_app, MINUS_3D)
    assert summary.sent == len(CODES)
    assert pages and max(pages) <= 2 and sum(pages) >= len(CODES)
    assert [len(reminder_messages(u)) for u in users] == [1] * len(CODES)
    assert services_of(bot_app).caches.person_locks == {}  # each dropped once its send was done


async def test_a_page_that_cannot_be_read_ends_the_wave_and_the_next_run_sends_the_rest_once(
    bot_app: RunningBot, make_person: Any, make_liaison: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    users = [await liaison(bot_app, make_person, make_liaison, code, 7610 + i) for i, code in enumerate(CODES)]
    read = reminder_store.reminder_targets
    calls = 0

    def away_at_the_second_page(session: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OperationalError("SELECT …", {}, ConnectionError("the database went away"))
        return read(session, **kwargs)

    monkeypatch.setattr(send, "PAGE", 2)
    monkeypatch.setattr(reminder_store, "reminder_targets", away_at_the_second_page)
    with pytest.raises(OperationalError):
        await process(bot_app, MINUS_3D)
    reached = sum(len(reminder_messages(u)) for u in users)
    assert 1 <= reached < len(CODES)  # the first page went out; the wave stopped at the second

    await process(bot_app, MINUS_3D + timedelta(minutes=5))  # the next run: the rest, and nobody twice
    assert [len(reminder_messages(u)) for u in users] == [1] * len(CODES)
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.kind == "reminder"]
    assert len(rows) == len(CODES) and all(r.status == ReminderStatus.sent for r in rows)
