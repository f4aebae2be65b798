"""Nothing lost, nothing doubled: reminders through a database outage, failed first messages and crashes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import ReminderSettings
from bot.models import ReminderStatus, Role
from bot.services.reminders import recovery
from bot.storage import Storage
from emulator import Emulator
from tests.app.test_reminders import MINUS_1D, MINUS_3D, liaison, process, reminder_messages
from tests.fixtures.app import RunningBot, campaign_config, kill_bot, start_bot, stop_bot
from tests.fixtures.outage import outage
from tests.fixtures.stall import stall


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


async def _until(predicate: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_a_claim_left_by_a_crash_is_settled_within_a_minute_of_the_restart_and_older_buttons_stay(
    emulator: Any, storage: Any, now: Any, make_person: Any, make_liaison: Any
) -> None:
    config = campaign_config(emulator)
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    user = await liaison(bot, make_person, make_liaison, "pgs", 7601)
    await process(bot, MINUS_3D)  # recorded: the database's floor for this chat
    menu = await user.ask("/lang")  # a message with buttons, after the last recorded reminder
    buttons = [dict(b) for b in menu.buttons]
    assert buttons
    release = emulator.faults.hold_next(1, method="sendMessage")  # performed, its answer never comes back
    wave = asyncio.create_task(process(bot, MINUS_1D))
    await _until(lambda: len(reminder_messages(user)) == 2)
    wave.cancel()  # the process dies mid-send
    emulator.faults.clear()
    release.set()
    await stop_bot(bot)
    [held] = [r for r in _rows_of(bot, 7601) if r.status == ReminderStatus.pending]
    restarted = await start_bot(config, storage, FixedClock(MINUS_1D + timedelta(seconds=61)), emulator)
    try:  # the catch-up at start settles it: found in the chat, not sent again
        await _until(lambda: bot.storage.reminders.get_reminder(reminder_id=held.id).status == ReminderStatus.sent)
        assert len(reminder_messages(user)) == 2
        assert bot.storage.reminders.get_reminder(reminder_id=held.id).telegram_message_id == reminder_messages(user)[-1].message_id
        assert next(m for m in user.messages if m.message_id == menu.message_id).buttons == buttons  # never touched
    finally:
        await stop_bot(restarted)


async def test_coordinators_are_told_of_every_blocked_liaison_despite_transient_errors(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    from tests.fixtures.app import COORDINATOR

    coordinator = bot_app.emulator.user(COORDINATOR)
    await coordinator.ask("/start")
    coordinator.skip_pending()
    codes = ["pgs", "shs", "sys", "sgs", "hjs"]
    users = [await liaison(bot_app, make_person, make_liaison, code, 7700 + i) for i, code in enumerate(codes)]
    for user in users:
        user.block()
    faults = bot_app.emulator.faults
    faults.fail_next(2, 502, method="sendMessage", chat_id=COORDINATOR)
    faults.drop_next(1, method="sendMessage", chat_id=COORDINATOR)
    faults.fail_next(1, 500, method="sendMessage", chat_id=COORDINATOR, html=True)
    summary = await process(bot_app, MINUS_3D)
    assert summary.unreachable == 5 and len(faults.injected) == 4
    notices = [m.text for m in coordinator.messages if "已屏蔽机器人" in m.text]
    for code in codes:
        name = bot_app.storage.units.get_unit_by_code(code=code).name
        assert len([n for n in notices if name in n]) >= 1, (name, notices)


async def kept_messages(bot: RunningBot, n: int) -> None:
    """Until the bot keeps `n` messages for when the database is back."""
    from bot.services import outage as kept
    from tests.app.test_reminders import services_of

    for _ in range(100):
        if len(kept.backlog(services_of(bot)).ids) >= n:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {n} messages kept")


async def test_during_a_database_outage_users_are_told_once_and_what_they_sent_is_handled_after(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    from bot.texts.catalog import t

    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7801)
    await process(bot_app, MINUS_3D)
    await user.wait_for(lambda m: "典型案例" in m.text)
    await user.press("其他时间…")
    await user.wait_for()
    user.skip_pending()
    with outage(bot_app.storage) as db:
        db.down = True
        await user.send("明天下午3点")
        told = await user.wait_for()
        assert told.text == t("zh-CN", "reliability.db-down")
        await user.send("/due")
        await kept_messages(bot_app, 2)
        assert [m.text for m in user.messages].count(told.text) == 1  # told once
        db.down = False
        await user.wait_for(lambda m: "15:00" in m.text, timeout=15)  # the kept message, handled in order
    await user.wait_for(lambda m: "典型案例" in m.text)  # and then /due
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.moment_key.startswith("snooze@")]
    assert len(rows) == 1 and "T07:00:00Z" in rows[0].moment_key


async def test_an_edit_sent_during_a_database_outage_is_told_and_kept_like_a_message(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    # Found by the torture run's fuzzing: an edited message during an outage got no answer and was dropped.
    from bot.texts.catalog import t

    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7802)
    sent = await user.send("你好")
    await user.wait_for()
    user.skip_pending()
    with outage(bot_app.storage) as db:
        db.down = True
        await user.edit(sent, "你好！")
        told = await user.wait_for()
        assert told.text == t("zh-CN", "reliability.db-down")
        await kept_messages(bot_app, 1)
        db.down = False
        # kept, then read as an edit is: here the corrected text of what they were filing (their first message opened it)
        await user.wait_for(lambda m: "已保存" in m.text, timeout=15)


async def test_remind_answers_at_once_and_sends_in_the_background(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    from tests.fixtures.app import COORDINATOR

    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7901)
    bot_app.clock.set(MINUS_1D)
    coordinator = bot_app.emulator.user(COORDINATOR)
    await coordinator.ask("/remind")
    await coordinator.press("典型案例")
    await coordinator.wait_for()
    await coordinator.press("2023年8月（7 个单位未报）")
    await coordinator.wait_for()
    release = bot_app.emulator.faults.hold_next(1, method="sendMessage")  # the nudge to the liaison is slow
    await coordinator.press("确认催办")
    sending = await coordinator.wait_for(lambda m: "正在向 1 个单位催办" in m.text)  # while the nudge is still in flight
    help_reply = await coordinator.ask("/help")  # and the coordinator is answered meanwhile
    assert help_reply.text
    release.set()
    done = await coordinator.wait_for(lambda m: m.message_id == sending.message_id and "已催办" in m.text, timeout=10)
    assert "发送 1 条" in done.text
    assert [m for m in a.messages if "催办" in m.text]


async def test_a_snooze_sent_first_by_another_process_stands_for_the_scheduled_reminder(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    from bot.services.reminders import send as core_send
    from bot.services.reminders import snoozes
    from tests.app.test_reminders import services_of

    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7611)
    await process(bot_app, MINUS_1D)
    await a.wait_for(lambda m: "典型案例" in m.text)
    await a.press("明早9点提醒")  # 2023-09-02 09:00: also the on-the-day reminder's moment
    await a.wait_for(lambda m: "再次提醒" in m.text)
    at = MINUS_1D + timedelta(days=1)
    bot_app.clock.set(at)
    # one process takes the snooze first; then the other processes the moment
    await snoozes.process_snoozes(services_of(bot_app), bot_app.app.bot, now=at, summary=core_send.Summary())
    await process(bot_app, at)
    await asyncio.sleep(0.3)
    # two reports owed: each reminded at -1d and once at 09:00 (the snoozed one by its snooze)
    assert len([m for m in a.messages if "报送提醒" in m.text]) == 4
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.kind == "reminder" and r.moment_key == "2023-09-02T01:00:00Z"]
    assert len([r for r in rows if (r.last_error or "").endswith(core_send.SNOOZED_NOW)]) == 1


async def test_an_update_being_handled_when_the_process_is_killed_is_answered_by_the_next(
    storage: Storage, emulator: Emulator, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its claim stalls before it reaches the database, so the update is in flight when the process
    # dies (the claim then lands: the dead process took it). PTB would have confirmed it to Telegram at
    # its next poll. (Stalled inside its transaction, the claim would hold SQLite's write lock, and a
    # write the loop makes meanwhile would hold up the loop, the test's kill with it.)
    from bot.storage import ops as ops_storage

    bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator, claims=True)
    held = stall(monkeypatch, ops_storage, "claim_update")
    gate, stalled = held.gate, held.reached
    try:
        user = emulator.user(7990, first_name="Wang", language_code="zh-hans")
        await user.send("/help")
        assert await asyncio.to_thread(stalled.wait, 5)
        await asyncio.sleep(0.5)  # the poller asks Telegram again meanwhile
        await kill_bot(bot)
        gate.set()
        bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator, claims=True)
        answer = await user.wait_for(timeout=10)
        await asyncio.sleep(0.5)
        assert [m.text for m in user.messages] == [answer.text]  # answered, once
    finally:
        gate.set()
        await stop_bot(bot)


async def test_the_stop_waits_for_an_update_claim_still_in_its_thread(storage: Storage, emulator: Emulator, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    # The claim is a database call in a worker thread like the handlers' (Services.writes): the stop
    # waits for it before the storage is closed (it went by asyncio.to_thread, uncounted).
    from bot.context import SERVICES_KEY
    from bot.storage import ops as ops_storage

    bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator, claims=True)
    held = stall(monkeypatch, ops_storage, "claim_update")
    gate, stalled = held.gate, held.reached
    services = bot.app.bot_data[SERVICES_KEY]
    try:
        user = emulator.user(7989, first_name="Wang", language_code="zh-hans")
        await user.send("/help")
        assert await asyncio.to_thread(stalled.wait, 5)
        assert services.threads.busy >= 1
        assert not await services.threads_done(timeout_s=0.2)  # what the stop waits for
        gate.set()
        await user.wait_for(timeout=10)
        assert await services.threads_done(timeout_s=5)
    finally:
        gate.set()
        await stop_bot(bot)


async def test_messages_kept_during_an_outage_are_handled_by_the_next_process_when_this_one_is_killed(
    storage: Storage, emulator: Emulator, now: datetime
) -> None:
    from bot.texts.catalog import t

    bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator, claims=True)
    user = emulator.user(7991, first_name="Li", language_code="zh-hans")
    try:
        with outage(storage) as db:
            db.down = True
            await user.send("/help")
            told = await user.wait_for()
            assert told.text == t("zh-CN", "reliability.db-down")
            await user.send("/due")
            await kept_messages(bot, 2)
            await kill_bot(bot)  # before the database is back: the kept messages were in its memory only
        bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator, claims=True)
        first = await user.wait_for(timeout=10)
        second = await user.wait_for(timeout=10)
        assert told.text not in (first.text, second.text)
        await asyncio.sleep(0.5)
        assert len(user.messages) == 3  # told, then both answered once
    finally:
        await stop_bot(bot)


async def test_a_kept_message_whose_claim_was_taken_before_the_outage_is_handled_when_the_database_is_back(bot_app: RunningBot) -> None:
    # Behind a webhook (no poller's lease), a claim taken means "another worker has it": but not when
    # this very process kept the message and handles it again.
    from bot.ops import updates
    from bot.ops.metrics import Metrics
    from bot.texts.catalog import t

    updates.register(bot_app.app, storage=bot_app.storage, clock=bot_app.clock, metrics=Metrics())
    user = bot_app.emulator.user(7992, first_name="Zhao", language_code="zh-hans")
    with outage(bot_app.storage) as db:
        # the claim lands (its transaction too, on SQLite), then the database goes
        db.when = lambda statement: "processed_update" not in statement and not statement.startswith(("BEGIN", "COMMIT"))
        db.down = True
        await user.send("/help")
        told = await user.wait_for()
        assert told.text == t("zh-CN", "reliability.db-down")
        db.down = False
        answer = await user.wait_for(timeout=15)
    assert answer.text != told.text
