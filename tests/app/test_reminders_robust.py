"""Reminders that must be neither lost nor doubled: outages, long digests, quiet hours, snoozes pressed twice.

The real bot polling the emulator, on SQLite and PostgreSQL; the shipped campaign (typical cases
for August 2023 due 2023-09-02, reminded -3d, -1d, 0d at 09:00 Asia/Shanghai; quiet hours
22:00-07:30; digest at 09:00; escalation after 3 days).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import build_application
from bot.clock import FixedClock
from bot.config import ReminderSettings
from bot.context import SERVICES_KEY
from bot.models import ReminderKind, ReminderSent, ReminderStatus
from bot.services.reminders import delivery
from bot.services.reminders import digest
from bot.services.reminders import snoozes as core_snoozes
from bot.services.reminders import timer
from bot.storage import due
from bot.storage import reminders as _reminders
from bot.storage import snoozes as reminders_snoozes
from tests.app.test_reminders import CASES, MINUS_3D, liaison, process, reminder_messages, services_of
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, campaign_config, start_bot, stop_bot
from tests.fixtures.emulator import TEST_TOKEN

LIMIT = 4096


def local(day: str, clock: str) -> datetime:
    """A local (Asia/Shanghai) time as aware UTC: local('2023-09-01', '23:00')."""
    return datetime.fromisoformat(f"{day}T{clock}:00+08:00").astimezone(UTC)


def rows_of(bot: RunningBot, uid: int, *kinds: str) -> list[ReminderSent]:
    person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
    return [r for r in bot.storage.reminders.reminders_for(person_id=person.id) if not kinds or r.kind in kinds]


def case_rows(bot: RunningBot, uid: int) -> list[ReminderSent]:
    """A person's reminder rows of the August typical cases (other reports are reminded too)."""
    with bot.storage.session() as s:
        item = due.get_due_item(s, report_key="typical_case", period_key="2023-08")
    return [r for r in rows_of(bot, uid, "reminder", "overdue") if r.due_item_id == item.id]  # type: ignore[union-attr]


def sends_to(bot: RunningBot, uid: int) -> int:
    """sendMessage calls the bot made to a chat (answered or not)."""
    return len([c for c in bot.emulator.calls("sendMessage") if str(c.params.get("chat_id")) == str(uid)])


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pauses between the tries of one send, shortened (the pauses between sweeps are by the clock)."""
    monkeypatch.setattr(delivery, "BACKOFF_S", 0.001)
    monkeypatch.setattr(delivery, "BACKOFF_CAP_S", 0.002)


# --- 1. a Telegram outage --------------------------------------------------------------------


async def test_a_telegram_outage_of_minutes_delays_the_reminder_and_loses_nothing(
    bot_app: RunningBot, make_person: Any, make_liaison: Any, fast_backoff: None
) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7951)
    bot_app.emulator.faults.fail_next(4 * delivery.MAX_ATTEMPTS, 502, method="sendMessage")  # ~4 rounds of 502s
    await process(bot_app, MINUS_3D)
    [row] = case_rows(bot_app, 7951)
    assert row.status == ReminderStatus.failed and row.attempts == delivery.MAX_ATTEMPTS
    tried = sends_to(bot_app, 7951)
    await process(bot_app, MINUS_3D + timedelta(seconds=10))  # the pause between sweeps is not over: not tried
    assert sends_to(bot_app, 7951) == tried
    minute = 0
    while not reminder_messages(a) and minute < 30:
        minute += 1
        await process(bot_app, MINUS_3D + timedelta(minutes=minute))
    [message] = reminder_messages(a)
    assert minute <= 10, "after an outage of a few minutes the reminder comes a few minutes late"
    assert "还有 3 天" in message.text
    [row] = case_rows(bot_app, 7951)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)
    assert row.attempts > 2 * delivery.MAX_ATTEMPTS  # the sweeps tried again, beyond one send's tries
    for later in (15, 30, 90):
        await process(bot_app, MINUS_3D + timedelta(minutes=later))
    assert len(reminder_messages(a)) == 1


async def test_a_reminder_failing_until_its_grace_ends_is_given_up_and_named_in_the_digest(
    emulator: Any, storage: Any, make_person: Any, make_liaison: Any, fast_backoff: None
) -> None:
    config = campaign_config(emulator, reminders=ReminderSettings(quiet_hours="22:00-07:30", missed_grace="12h", digest_time="08:00"))
    coordinator = emulator.user(COORDINATOR)
    emulator.user(LEADER)  # has not started the bot: the escalations get 403, as in Telegram
    bot = await start_bot(config, storage, FixedClock(local("2023-08-30", "08:30")), emulator)
    try:
        a = await liaison(bot, make_person, make_liaison, "pgs", 7961)
        await coordinator.ask("/start")
        await asyncio.sleep(0.2)
        coordinator.skip_pending()
        emulator.faults.fail_next(100_000, 502, method="sendMessage")  # Telegram unusable all day
        attempts = []
        for half_hours in range(0, 25):  # 09:00 … 21:00, as the sweeps would
            await process(bot, MINUS_3D + timedelta(minutes=30 * half_hours))
            [row] = case_rows(bot, 7961)
            attempts.append(row.attempts)
        assert row.status == ReminderStatus.failed and row.attempts < delivery.FINAL  # at 21:00, still owed
        assert attempts == sorted(attempts) and attempts[-1] >= 20 * delivery.MAX_ATTEMPTS  # tried again all day
        await process(bot, local("2023-08-30", "21:01"))  # the moment + missed_grace has passed
        [row] = case_rows(bot, 7961)
        assert row.status == ReminderStatus.failed and row.attempts >= delivery.FINAL
        assert _reminders.UNDELIVERED in (row.last_error or "") and "retried until 2023-08-30 21:00" in (row.last_error or "")
        calls = sends_to(bot, 7961)
        emulator.faults.clear()
        await process(bot, local("2023-08-30", "21:30"))
        assert sends_to(bot, 7961) == calls and reminder_messages(a) == []  # given up: never sent late
        await process(bot, local("2023-08-31", "08:00"))  # the next digest names it
        message = await coordinator.wait_for(lambda m: "每日汇总" in m.text)
        person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=7961)
        line = next(x for x in message.text.splitlines() if "未能送达" in x)
        assert "1 条" in line and f"平岗市场监管所·{person.first_name}" in line
    finally:
        await stop_bot(bot)


# --- 2. messages longer than Telegram's limit -----------------------------------------------------


async def test_a_digest_and_escalations_longer_than_a_message_arrive_whole_in_parts(emulator: Any, storage: Any) -> None:
    bot = await start_bot(campaign_config(emulator), storage, FixedClock(local("2024-05-31", "23:00")), emulator)
    try:
        coordinator, leader = emulator.user(COORDINATOR), emulator.user(LEADER)
        for user in (coordinator, leader):
            await user.ask("/start")
        await asyncio.sleep(0.2)
        coordinator.skip_pending()
        leader.skip_pending()
        at = local("2024-06-01", "09:00") + timedelta(seconds=5)
        whole = digest.digest_text(services_of(bot), now=at, language="zh-CN")
        assert whole is not None and len(whole) > LIMIT  # months of overdue reports: more than one message
        await process(bot, at)
        await asyncio.sleep(0.3)
        parts = [m for m in coordinator.messages if "每日汇总" in m.text]
        assert len(parts) >= 2 and all(len(m.text) <= LIMIT for m in parts)
        assert [m.text.splitlines()[0] for m in parts] == [f"📋 每日汇总（{i}/{len(parts)}）" for i in range(1, len(parts) + 1)]
        assert [x for m in parts for x in m.text.splitlines()[1:]] == whole.splitlines()[1:]  # every line, in order, once
        [row] = [r for r in rows_of(bot, COORDINATOR, "digest") if r.moment_key == "digest@2024-06-01"]
        assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, parts[-1].message_id)

        escalations = [m for m in leader.messages if "逾期超过" in m.text]
        rows = rows_of(bot, LEADER, "escalation")
        assert len(escalations) >= 2 and all(len(m.text) <= LIMIT for m in escalations)
        assert escalations[0].text.startswith(f"⚠️ 逾期超过 3 天仍未报送（1/{len(escalations)}）")
        lines = [x for m in escalations for x in m.text.splitlines()[1:]]
        assert len(lines) == len(rows) == len(set(lines))  # one line per late obligation, none twice
        assert {r.status for r in rows} == {ReminderStatus.sent}
        assert {r.telegram_message_id for r in rows} == {m.message_id for m in escalations}

        await process(bot, at + timedelta(hours=1))  # later the same day: nothing again
        await asyncio.sleep(0.2)
        assert len([m for m in coordinator.messages if "每日汇总" in m.text]) == len(parts)
        assert len([m for m in leader.messages if "逾期超过" in m.text]) == len(escalations)
    finally:
        await stop_bot(bot)


# --- 3. escalations at the digest time -------------------------------------------------------


async def test_escalations_wait_for_the_digest_time_never_the_quiet_hours(emulator: Any, storage: Any) -> None:
    bot = await start_bot(campaign_config(emulator), storage, FixedClock(local("2023-09-05", "21:30")), emulator)
    try:
        leader = emulator.user(LEADER)
        await leader.ask("/start")
        await asyncio.sleep(0.3)
        leader.skip_pending()
        before = len(rows_of(bot, LEADER, "escalation"))
        # the August reports due 09-02 23:59:59 are 3 days late at 09-05 23:59:59: at midnight, quiet hours
        for at in (local("2023-09-05", "21:45"), local("2023-09-06", "00:00"), local("2023-09-06", "00:01"),
                   local("2023-09-06", "03:00"), local("2023-09-06", "07:30"), local("2023-09-06", "08:59")):
            await process(bot, at)
        await asyncio.sleep(0.2)
        assert not [m for m in leader.messages if "逾期超过" in m.text]
        assert len(rows_of(bot, LEADER, "escalation")) == before  # nothing even claimed
        await process(bot, local("2023-09-06", "09:00"))
        message = await leader.wait_for(lambda m: "逾期超过" in m.text)
        assert "典型案例（2023年8月），截止 2023-09-02" in message.text
        new = rows_of(bot, LEADER, "escalation")[before:]
        assert new and {(r.created_at, r.status) for r in new} == {(local("2023-09-06", "09:00"), ReminderStatus.sent)}
        await asyncio.sleep(0.2)
        sent = len([m for m in leader.messages if "逾期超过" in m.text])
        # one turning late during the day waits for tomorrow's digest time
        await process(bot, local("2023-09-06", "20:00"))
        await asyncio.sleep(0.2)
        assert len([m for m in leader.messages if "逾期超过" in m.text]) == sent
    finally:
        await stop_bot(bot)


async def test_escalations_that_could_not_reach_a_leader_come_once_they_start_the_bot(emulator: Any, storage: Any) -> None:
    leader = emulator.user(LEADER)  # has not started the bot: 403 "can't initiate conversation"
    coordinator = emulator.user(COORDINATOR)
    bot = await start_bot(campaign_config(emulator), storage, FixedClock(local("2023-08-16", "22:30")), emulator)
    try:
        await coordinator.ask("/start")
        coordinator.skip_pending()
        await process(bot, local("2023-08-17", "09:00"))
        first = await coordinator.wait_for(lambda m: "每日汇总" in m.text)
        assert "尚未启动机器人" in first.text and f"{LEADER}（领导）" in first.text
        rows = rows_of(bot, LEADER, "escalation")
        assert rows and not [r for r in rows if r.status in (ReminderStatus.sent, ReminderStatus.pending)]
        bot.clock.set(local("2023-08-17", "21:30"))
        await leader.ask("/start")  # in the evening, after the digest's time and grace
        leader.skip_pending()
        await process(bot, local("2023-08-17", "21:31"))  # not the digest time: they wait
        await asyncio.sleep(0.2)
        assert not [m for m in leader.messages if "逾期超过" in m.text]
        await process(bot, local("2023-08-18", "09:00"))
        message = await leader.wait_for(lambda m: "逾期超过" in m.text)
        assert "平岗市场监管所：联络员信息表" in message.text
        again = rows_of(bot, LEADER, "escalation")
        assert {r.id for r in rows} <= {r.id for r in again} and {r.status for r in again} == {ReminderStatus.sent}
        assert {r.telegram_message_id for r in again} == {message.message_id}  # the old ones and the new, in one message
        await process(bot, local("2023-08-18", "10:00"))
        await asyncio.sleep(0.2)
        assert len([m for m in leader.messages if "逾期超过" in m.text]) == 1
    finally:
        await stop_bot(bot)


# --- 4. quiet hours for catch-up, retries and stuck claims ------------------------------------------


async def test_what_comes_due_in_the_quiet_hours_waits_for_their_end_and_comes_once(
    emulator: Any, storage: Any, now: datetime, make_person: Any, make_liaison: Any
) -> None:
    config = campaign_config(emulator, reminders=ReminderSettings(quiet_hours="22:00-07:30", missed_grace="16h"))
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        a = await liaison(bot, make_person, make_liaison, "pgs", 7971)
        b = await liaison(bot, make_person, make_liaison, "shs", 7972)
        await asyncio.sleep(0.2)  # (the replies to /start are known to the sender before the probe looks)
        minus_1d = local("2023-09-01", "09:00").strftime("%Y-%m-%dT%H:%M:%SZ")
        # b's -1d reminder: claimed at 21:55 by a process that died before sending it
        person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=7972)
        unit = bot.storage.units.get_unit_by_code(code="shs")
        with bot.storage.session() as s:
            item = due.get_due_item(s, report_key="typical_case", period_key="2023-08")
            stuck = _reminders.claim_reminder(
                s, due_item_id=item.id, unit_id=unit.id, person_id=person.id, moment_key=minus_1d,  # type: ignore[union-attr,arg-type]
                kind=ReminderKind.reminder, now=local("2023-09-01", "21:55"),
            )
        assert stuck is not None
        # the bot was down all day: back at 23:00, the 09:00 reminder is still within missed_grace
        for at in (local("2023-09-01", "23:00"), local("2023-09-02", "00:10"), local("2023-09-02", "03:00"), local("2023-09-02", "07:29")):
            await process(bot, at)
        await asyncio.sleep(0.2)
        assert reminder_messages(a) == [] and reminder_messages(b) == []
        row = bot.storage.reminders.get_reminder(reminder_id=stuck)
        assert row.status == ReminderStatus.failed and row.attempts < delivery.FINAL  # probed: not there; waits for the morning
        assert not [r for r in case_rows(bot, 7971)]  # a's not even claimed in the night
        await process(bot, local("2023-09-02", "07:30"))
        await asyncio.sleep(0.2)
        [for_a] = reminder_messages(a)
        [for_b] = reminder_messages(b)
        assert "今天截止" in for_a.text and "今天截止" in for_b.text
        [row_a] = case_rows(bot, 7971)
        assert (row_a.moment_key, row_a.status, row_a.created_at) == (minus_1d, ReminderStatus.sent, local("2023-09-02", "07:30"))
        row = bot.storage.reminders.get_reminder(reminder_id=stuck)
        assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, for_b.message_id)
        for at in (local("2023-09-02", "07:31"), local("2023-09-02", "08:30")):
            await process(bot, at)
        await asyncio.sleep(0.2)
        assert len(reminder_messages(a)) == 1 and len(reminder_messages(b)) == 1
    finally:
        await stop_bot(bot)


async def test_a_retry_due_in_the_quiet_hours_waits_for_the_morning(
    emulator: Any, storage: Any, now: datetime, make_person: Any, make_liaison: Any, fast_backoff: None
) -> None:
    config = campaign_config(emulator, reminders=ReminderSettings(quiet_hours="22:00-07:30", missed_grace="16h"))
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        a = await liaison(bot, make_person, make_liaison, "pgs", 7981)
        emulator.faults.fail_next(1000, 502, method="sendMessage")
        await process(bot, local("2023-09-01", "21:59"))  # a catch-up of the 09:00 reminder, just before the quiet hours
        emulator.faults.clear()  # Telegram is back at 22:00
        [row] = case_rows(bot, 7981)
        assert row.status == ReminderStatus.failed and row.moment_key == "2023-09-01T01:00:00Z"
        tried = sends_to(bot, 7981)
        for at in (local("2023-09-01", "22:00"), local("2023-09-01", "23:30"), local("2023-09-02", "05:00")):
            await process(bot, at)
        assert sends_to(bot, 7981) == tried and reminder_messages(a) == []
        await process(bot, local("2023-09-02", "07:30"))
        [message] = reminder_messages(a)
        assert "今天截止" in message.text
        [row] = case_rows(bot, 7981)
        assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)
        await process(bot, local("2023-09-02", "08:00"))
        assert len(reminder_messages(a)) == 1
    finally:
        await stop_bot(bot)


# --- 5. "remind me later" pressed twice -----------------------------------------------------------


def pending_snoozes(bot: RunningBot, uid: int) -> list[ReminderSent]:
    return [
        r for r in rows_of(bot, uid) if r.moment_key.startswith(_reminders.SNOOZE_PREFIX) and r.status == ReminderStatus.pending and r.attempts == 0
    ]


async def test_pressing_remind_me_later_again_moves_the_one_snooze(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7991)
    await process(bot_app, MINUS_3D)
    reminder = await a.wait_for(lambda m: CASES in m.text)
    await a.press("1小时后提醒", reminder)
    first = await a.wait_for(lambda m: "再次提醒" in m.text)
    assert "将于 2023-08-30 10:00" in first.text
    bot_app.clock.set(MINUS_3D + timedelta(seconds=3))  # pressed again at once, as people do
    await a.press("1小时后提醒", reminder)
    again = await a.wait_for(lambda m: "再次提醒" in m.text)
    assert "已改为 2023-08-30 10:00" in again.text and "原定 2023-08-30 10:00" in again.text
    bot_app.clock.set(MINUS_3D + timedelta(minutes=10))  # and once more, later: the time moves
    await a.press("1小时后提醒", reminder)
    moved = await a.wait_for(lambda m: "已改为 2023-08-30 10:10" in m.text)
    assert "原定 2023-08-30 10:00" in moved.text
    [snoozed] = pending_snoozes(bot_app, 7991)
    assert snoozed.moment_key == "snooze@2023-08-30T02:10:00Z"
    assert len([r for r in rows_of(bot_app, 7991) if r.moment_key.startswith(_reminders.SNOOZE_PREFIX)]) == 1

    await process(bot_app, MINUS_3D + timedelta(hours=1, seconds=30))  # the first press's time: nothing
    assert len(reminder_messages(a)) == 1
    await process(bot_app, MINUS_3D + timedelta(hours=1, minutes=10))
    await asyncio.sleep(0.2)
    assert len(reminder_messages(a)) == 2
    await process(bot_app, MINUS_3D + timedelta(hours=2))
    await asyncio.sleep(0.2)
    assert len(reminder_messages(a)) == 2
    row = bot_app.storage.reminders.get_reminder(reminder_id=snoozed.id)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, reminder_messages(a)[-1].message_id)


async def test_snoozes_are_never_doubled_with_two_processes(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7993)
    await process(bot_app, MINUS_3D)
    reminder = await a.wait_for(lambda m: CASES in m.text)
    [row] = case_rows(bot_app, 7993)
    other = build_application(bot_app.config, token=TEST_TOKEN, storage=bot_app.storage, clock=bot_app.clock)
    await other.initialize()
    try:
        mine, theirs = services_of(bot_app), other.bot_data[SERVICES_KEY]
        # two presses handled by two processes at once: one snooze, at the later press's time
        done = await asyncio.gather(*(
            asyncio.to_thread(core_snoozes.snooze, services, reminder_id=row.id, telegram_user_id=7993, at=MINUS_3D + timedelta(hours=1, minutes=m), now=MINUS_3D)
            for services, m in ((mine, 0), (theirs, 5))
        ))
        assert all(d is not None for d in done) and sum(d.moved_from is not None for d in done) == 1  # type: ignore[union-attr]
        [snoozed] = pending_snoozes(bot_app, 7993)
        assert snoozed.moment_key in {reminders_snoozes.snooze_key(d.at) for d in done}  # type: ignore[union-attr]
        # and two pending snoozes left by an earlier version (pressed 3 s apart), both due: sent once
        person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=7993)
        with bot_app.storage.session() as s:
            for seconds in (1, 4):
                s.add(ReminderSent(
                    due_item_id=row.due_item_id, unit_id=row.unit_id, person_id=person.id,  # type: ignore[arg-type]
                    moment_key=reminders_snoozes.snooze_key(MINUS_3D + timedelta(minutes=30, seconds=seconds)), kind=ReminderKind.reminder,
                    status=ReminderStatus.pending, attempts=0, created_at=MINUS_3D + timedelta(seconds=seconds),
                ))
        at = MINUS_3D + timedelta(hours=2)
        bot_app.clock.set(at)
        await asyncio.gather(
            timer.process_due_moments(mine, bot_app.app.bot, now=at), timer.process_due_moments(theirs, other.bot, now=at)
        )
        await asyncio.sleep(0.3)
        assert len(reminder_messages(a)) == 2  # the reminder and one snoozed reminder
        snoozes = [r for r in rows_of(bot_app, 7993) if r.moment_key.startswith(_reminders.SNOOZE_PREFIX)]
        assert len(snoozes) == 3 and [r.status for r in snoozes].count(ReminderStatus.sent) == 1
        assert all("reminded again" in (r.last_error or "") for r in snoozes if r.status != ReminderStatus.sent)
        assert reminder.message_id != reminder_messages(a)[-1].message_id
    finally:
        await other.shutdown()
