"""Nothing lost, nothing doubled: reminders through a database outage, failed first messages and crashes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.models import ReminderStatus, Role
from bot.services.reminders import recovery
from tests.app.test_reminders import MINUS_3D, liaison, process, reminder_messages
from tests.fixtures.app import RunningBot
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
