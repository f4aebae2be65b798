"""Reminders end to end: the real bot, the emulator over a real socket, SQLite and PostgreSQL.

The campaign is the shipped config.toml: typical cases for August 2023 are due 2023-09-02
(a Saturday), reminded -3d, -1d, 0d at 09:00 and +1d at 09:00 (Asia/Shanghai).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application
from bot.config import ReminderSettings
from bot.context import SERVICES_KEY, Services
from emulator import UserHandle
from bot.models import Person, ReminderStatus, Role
from bot.services.reminders import send as core_send
from bot.services.reminders import timer
from bot.storage import due
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot
from tests.fixtures.emulator import TEST_TOKEN

MINUS_3D = datetime(2023, 8, 30, 1, 0, tzinfo=UTC)  # 09:00 local, 3 days before 2023-09-02
MINUS_1D = datetime(2023, 9, 1, 1, 0, tzinfo=UTC)
CASES = "典型案例"


def services_of(bot: RunningBot) -> Services:
    return bot.app.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def liaison(bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], code: str, uid: int, role: Role = Role.primary) -> UserHandle:
    """A registered liaison of unit `code` whose chat with the bot is started."""
    unit = bot.storage.units.get_unit_by_code(code=code)
    person = make_person(telegram_user_id=uid)
    make_liaison(unit, person=person, role=role)
    user = bot.emulator.user(uid)
    await user.ask("/start")
    user.skip_pending()
    return user


def reminder_messages(user: UserHandle) -> list[Any]:
    return [m for m in user.messages if CASES in m.text]


async def process(bot: RunningBot, at: datetime) -> core_send.Summary:
    bot.clock.set(at)
    return await timer.process_due_moments(services_of(bot), bot.app.bot, now=at)


def file(bot: RunningBot, code: str, period: str = "2023-08") -> None:
    unit = bot.storage.units.get_unit_by_code(code=code)
    with bot.storage.session() as s:
        item = due.get_due_item(s, report_key="typical_case", period_key=period)
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[union-attr]
        due.mark_obligation_done(s, obligation_id=obligation.id, now=bot.clock.now())  # type: ignore[union-attr]


async def test_only_non_filers_get_one_reminder_with_due_date_and_buttons(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7001)
    b = await liaison(bot_app, make_person, make_liaison, "shs", 7002)
    file(bot_app, "shs")
    await process(bot_app, MINUS_3D)
    [message] = reminder_messages(a)
    assert "2023-09-02" in message.text and "周六" in message.text and "还有 3 天" in message.text
    assert "2023年8月" in message.text or "2023-08" in message.text
    assert {"立即报送", "零报告", "1小时后提醒", "明早9点提醒"} <= set(message.button_texts)
    assert reminder_messages(b) == []
    await process(bot_app, MINUS_3D + timedelta(minutes=5))  # again: nothing new
    assert len(reminder_messages(a)) == 1


async def test_a_unit_that_files_between_reminders_gets_no_second(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7011)
    c = await liaison(bot_app, make_person, make_liaison, "sys", 7012)
    await process(bot_app, MINUS_3D)
    file(bot_app, "pgs")
    await process(bot_app, MINUS_1D)
    assert len(reminder_messages(a)) == 1
    texts = [m.text for m in reminder_messages(c)]
    assert len(texts) == 2 and "还有 1 天" in texts[1]


async def test_bot_down_across_moments_sends_the_latest_once(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7021)
    await stop_bot(bot_app)
    bot_app.clock.set(MINUS_1D + timedelta(hours=2))  # missed -3d (stale) and -1d (within grace)
    again = await start_bot(bot_app.config, bot_app.storage, bot_app.clock, bot_app.emulator)
    try:
        message = await a.wait_for(lambda m: CASES in m.text, timeout=10)
        assert "还有 1 天" in message.text
        await process(again, MINUS_1D + timedelta(hours=3))
        await asyncio.sleep(0.3)
        assert len(reminder_messages(a)) == 1
    finally:
        await stop_bot(again)


async def test_with_429s_5xx_and_dropped_connections_every_reminder_arrives_once(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    codes = ["pgs", "shs", "sys", "sgs", "hjs", "yls", "zfdd"]
    users = [await liaison(bot_app, make_person, make_liaison, code, 7100 + i) for i, code in enumerate(codes)]
    backups = [await liaison(bot_app, make_person, make_liaison, code, 7200 + i, Role.backup) for i, code in enumerate(codes)]
    emu = bot_app.emulator
    emu.flood.enable(total_per_s=5)  # 14 sends against 5/s: the limiter's 29/s meets 429s
    emu.faults.fail_next(2, 502, method="sendMessage")
    emu.faults.fail_next(1, 503, method="sendMessage", html=True)
    emu.faults.drop_next(2, method="sendMessage", after=True)
    emu.faults.drop_next(2, method="sendMessage", after=False)
    summary = await process(bot_app, MINUS_3D)
    errors = [(r.person_id, r.last_error) for r in bot_app.storage.reminders.reminders_for() if r.last_error and r.kind == "reminder"]
    assert summary.sent == 14, errors
    assert emu.flood.rejections, "429s were injected"
    assert {i["kind"] for i in emu.faults.injected} == {"fail", "drop"}
    for user in users + backups:
        assert len(reminder_messages(user)) == 1, user.id
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.kind in ("reminder", "overdue")]
    assert len(rows) == 14 and all(r.status == ReminderStatus.sent and r.telegram_message_id for r in rows)
    for row in rows:  # the recorded id is the message in the chat, also for a send whose answer was lost
        person = bot_app.storage.people.get_person(person_id=row.person_id)
        user = emu.user(person.telegram_user_id)
        assert reminder_messages(user)[0].message_id == row.telegram_message_id


async def test_403_marks_unreachable_and_the_backup_receives_it(emulator: Any, storage: Any, now: datetime, make_person: Any, make_liaison: Any) -> None:
    from bot.clock import FixedClock

    config = campaign_config(emulator, reminders=ReminderSettings(quiet_hours="22:00-07:30", backup_gets_reminders=False))
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        primary = await liaison(bot, make_person, make_liaison, "pgs", 7301)
        backup = await liaison(bot, make_person, make_liaison, "pgs", 7302, Role.backup)
        primary.block()
        await process(bot, MINUS_3D)
        assert reminder_messages(backup) and len(reminder_messages(backup)) == 1
        person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=7301)
        assert person.reachable is False
        rows = bot.storage.reminders.reminders_for(person_id=person.id)
        assert [r.status for r in rows if r.kind == "reminder"] == [ReminderStatus.unreachable]
        # the next moment goes straight to the backup
        await process(bot, MINUS_1D)
        assert len(reminder_messages(backup)) == 2
    finally:
        await stop_bot(bot)


async def test_two_bot_processes_send_each_reminder_once(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    users = [await liaison(bot_app, make_person, make_liaison, code, 7400 + i) for i, code in enumerate(["pgs", "shs", "sys", "sgs"])]
    other = build_application(bot_app.config, token=TEST_TOKEN, storage=bot_app.storage, clock=bot_app.clock)
    await other.initialize()
    await other.start()  # its JobQueue runs; only the first polls
    try:
        bot_app.clock.set(MINUS_3D)
        first, second = await asyncio.gather(
            timer.process_due_moments(services_of(bot_app), bot_app.app.bot, now=MINUS_3D),
            timer.process_due_moments(other.bot_data[SERVICES_KEY], other.bot, now=MINUS_3D),
        )
        assert first.sent + second.sent == 4
        for user in users:
            assert len(reminder_messages(user)) == 1
    finally:
        await other.stop()
        await other.shutdown()


async def test_the_job_queue_fires_a_moment_on_time(emulator: Any, storage: Any, make_person: Any, make_liaison: Any) -> None:
    from bot.clock import FixedClock

    clock = FixedClock(MINUS_3D - timedelta(seconds=2))
    bot = await start_bot(campaign_config(emulator), storage, clock, emulator)
    try:
        a = await liaison(bot, make_person, make_liaison, "pgs", 7501)
        assert not reminder_messages(a)
        message = await a.wait_for(lambda m: CASES in m.text, timeout=8)
        assert "还有 3 天" in message.text
    finally:
        await stop_bot(bot)


async def test_remind_me_in_an_hour_and_at_a_typed_time(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7601)
    await process(bot_app, MINUS_3D)
    await a.wait_for(lambda m: CASES in m.text)
    await a.press("1小时后提醒")
    confirmation = await a.wait_for(lambda m: "再次提醒" in m.text)
    assert "2023-08-30 10:00" in confirmation.text
    await process(bot_app, MINUS_3D + timedelta(minutes=30))
    assert len(reminder_messages(a)) == 1
    await process(bot_app, MINUS_3D + timedelta(hours=1))
    assert len(reminder_messages(a)) == 2
    await a.press("其他时间…")
    await a.wait_for(lambda m: "希望再次提醒的时间" in m.text)
    reply = await a.ask("明天下午3点")
    assert "2023-08-31 15:00" in reply.text
    snoozes = [r for r in bot_app.storage.reminders.reminders_for() if r.moment_key.startswith("snooze@")]
    assert len(snoozes) == 2  # both in the database: they survive a restart


async def test_a_snooze_that_falls_on_a_scheduled_reminder_is_not_sent_twice(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7611)
    await process(bot_app, MINUS_1D)
    await a.wait_for(lambda m: CASES in m.text)
    await a.press("明早9点提醒")  # 2023-09-02 09:00: also the on-the-day reminder's moment
    await a.wait_for(lambda m: "再次提醒" in m.text)
    await process(bot_app, MINUS_1D + timedelta(days=1))
    await asyncio.sleep(0.3)
    assert len(reminder_messages(a)) == 2  # the -1d one and the on-the-day one; the snooze adds nothing
    [snoozed] = [r for r in bot_app.storage.reminders.reminders_for() if r.moment_key.startswith("snooze@")]
    assert snoozed.status is not ReminderStatus.sent and "reminded again" in (snoozed.last_error or "")


async def test_coordinator_nudges_non_filers_once_per_interval(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    from tests.fixtures.app import COORDINATOR

    a = await liaison(bot_app, make_person, make_liaison, "pgs", 7701)
    b = await liaison(bot_app, make_person, make_liaison, "shs", 7702)
    file(bot_app, "shs")
    bot_app.clock.set(MINUS_1D)
    coordinator = bot_app.emulator.user(COORDINATOR)
    await coordinator.ask("/remind")
    await coordinator.press(CASES)
    await coordinator.wait_for()
    await coordinator.press("2023年8月（6 个单位未报）")
    preview = await coordinator.wait_for()
    assert "<b>1</b>" in preview.source  # of the six units only one has a registered liaison
    await coordinator.press("确认催办")
    done = await coordinator.wait_for(lambda m: "已催办" in m.text, timeout=10)
    assert "发送 1 条" in done.text
    nudge = await a.wait_for(lambda m: "催办" in m.text)
    assert "立即报送" in nudge.button_texts
    assert not [m for m in b.messages if "催办" in m.text]
    bot_app.clock.set(MINUS_1D + timedelta(hours=1))
    await coordinator.ask("/remind")
    await coordinator.press(CASES)
    await coordinator.wait_for()
    await coordinator.press("2023年8月（6 个单位未报）")
    again = await coordinator.wait_for()
    assert "平岗市场监管所" in again.text and "09-01 09:00 已催办过" in again.text


async def test_digest_and_escalation_go_out_once(emulator: Any, storage: Any, now: datetime) -> None:
    from bot.clock import FixedClock
    from tests.fixtures.app import COORDINATOR, LEADER

    coordinator = emulator.user(COORDINATOR)  # their chats with the bot exist before it starts (else: 400 chat not found)
    leader = emulator.user(LEADER)
    bot_app = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator)
    try:
        await _digest_and_escalation_once(bot_app, coordinator, leader)
    finally:
        await stop_bot(bot_app)


async def _digest_and_escalation_once(bot_app: RunningBot, coordinator: UserHandle, leader: UserHandle) -> None:
    await coordinator.ask("/start")  # (the start's catch-up could not message them: 403, never started; now they can be)
    await leader.ask("/start")
    at = datetime(2023, 8, 17, 1, 0, tzinfo=UTC)  # 09:00 local; the liaison list was due 08-10
    await process(bot_app, at)
    await _until(lambda: any("每日汇总" in m.text for m in coordinator.messages))
    assert any("联络员信息表" in m.text for m in coordinator.messages if "每日汇总" in m.text)
    await _until(lambda: any("逾期超过" in m.text for m in leader.messages))
    assert any("平岗市场监管所" in m.text for m in leader.messages if "逾期超过" in m.text)
    # (the bot started at 2023-08-16 10:00 and may have sent that day's digest already)
    digests = len([m for m in coordinator.messages if "每日汇总" in m.text])
    await process(bot_app, at + timedelta(hours=1))
    await asyncio.sleep(0.2)
    assert len([m for m in coordinator.messages if "每日汇总" in m.text]) == digests
    assert len([m for m in leader.messages if "逾期超过" in m.text]) == 1


async def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not reached"
        await asyncio.sleep(0.02)
