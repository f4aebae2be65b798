"""Nothing lost, nothing doubled: reminders through a database outage, failed first messages and crashes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.clock import FixedClock
from bot.config import ReminderSettings
from bot.models import ReminderStatus, Role
from bot.services.reminders import recovery
from tests.app.test_reminders import MINUS_1D, MINUS_3D, liaison, process, reminder_messages
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot
from tests.fixtures.outage import outage


def _recording_sent(statement: str) -> bool:
    return statement.lstrip().upper().startswith("UPDATE REMINDER_SENT") and "telegram_message_id" in statement


async def test_a_reminder_sent_during_a_database_outage_is_not_sent_again(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    users = [await liaison(bot_app, make_person, make_liaison, code, 7400 + i) for i, code in enumerate(["pgs", "shs", "sys"])]
    with outage(bot_app.storage) as db:
        db.when = _recording_sent
        db.down = True  # the messages go out, recording them fails
        await process(bot_app, MINUS_3D)
        db.down = False
    assert db.failed == 3
    for user in users:
        assert len(reminder_messages(user)) == 1
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.kind == "reminder"]
    assert [r.status for r in rows] == [ReminderStatus.pending] * 3  # left as claims: the recovery settles them
    await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(seconds=5))
    await asyncio.sleep(0.3)
    for user in users:
        [message] = reminder_messages(user)  # recognised in the chat, not sent again
        row = next(r for r in bot_app.storage.reminders.reminders_for() if r.kind == "reminder" and r.person_id == bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=user.id).id)
        assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)


def _rows_of(bot: RunningBot, uid: int) -> list[Any]:
    person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
    return [r for r in bot.storage.reminders.reminders_for(person_id=person.id) if r.kind in ("reminder", "overdue")]


async def _restarted_with_a_first_wave(emulator: Any, storage: Any, now: Any, make_person: Any, make_liaison: Any, *, talk: bool) -> tuple[RunningBot, Any, Any]:
    """A primary and a backup (who is reminded only if the primary cannot be), the -3d reminder sent,
    then a restart: the new process has seen no message in their chats."""
    config = campaign_config(emulator, reminders=ReminderSettings(quiet_hours="22:00-07:30", backup_gets_reminders=False))
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        primary = await liaison(bot, make_person, make_liaison, "pgs", 7501)
        backup = await liaison(bot, make_person, make_liaison, "pgs", 7502, Role.backup)
        await process(bot, MINUS_3D)
        assert len(reminder_messages(primary)) == 1 and reminder_messages(backup) == []
        if talk:
            await primary.ask("/help")  # a reply of the first process, after the recorded reminder
    finally:
        await stop_bot(bot)
    return await start_bot(config, storage, FixedClock(MINUS_3D), emulator), primary, backup


async def test_a_first_message_answered_5xx_after_a_restart_is_sent_once(emulator: Any, storage: Any, now: Any, make_person: Any, make_liaison: Any) -> None:
    bot, primary, backup = await _restarted_with_a_first_wave(emulator, storage, now, make_person, make_liaison, talk=False)
    try:
        emulator.faults.fail_next(1, 502, method="sendMessage")
        await process(bot, MINUS_1D)
        assert len(reminder_messages(primary)) == 2  # found not delivered by the probe, sent again
        rows = _rows_of(bot, 7501)
        assert all(r.status == ReminderStatus.sent for r in rows), [(r.moment_key, r.last_error) for r in rows]
        assert {m.message_id for m in reminder_messages(primary)} <= {r.telegram_message_id for r in rows}
    finally:
        await stop_bot(bot)


async def test_when_a_reminder_s_arrival_cannot_be_told_the_backup_is_reminded(emulator: Any, storage: Any, now: Any, make_person: Any, make_liaison: Any) -> None:
    bot, primary, backup = await _restarted_with_a_first_wave(emulator, storage, now, make_person, make_liaison, talk=True)
    try:
        emulator.faults.drop_next(1, method="sendMessage", after=True)
        await process(bot, MINUS_1D)
        unknown = [r for r in _rows_of(bot, 7501) if "delivery unknown" in (r.last_error or "")]
        # the probe met the first process's /help reply: it cannot tell, so the reminder is
        # not sent again, and the backup is reminded
        assert len(reminder_messages(primary)) == 2 and len(unknown) == 1
        assert len(reminder_messages(backup)) == 1
    finally:
        await stop_bot(bot)
