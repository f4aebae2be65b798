"""Claims whose sender died mid-send, and coordinators or leaders who never started the bot.

A stuck claim is a `ReminderSent` row left pending (attempts ≥ 1) by a process that stopped
between claiming and recording the outcome. It may or may not have been delivered: it is
probed, never resent blindly.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.app import build_application
from bot.clock import FixedClock
from bot.config import People
from bot.models import ReminderKind, ReminderStatus
from bot.services.reminders import delivery
from bot.services.reminders import recovery
from bot.services.reminders import send as core_send
from bot.services.deadlines.reports import report_of
from bot.storage import due
from bot.storage import reminders as _reminders
from tests.app.test_reminders import MINUS_3D, liaison, process, reminder_messages, services_of
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, campaign_config, start_bot, stop_bot
from tests.fixtures.emulator import TEST_TOKEN

MOMENT_KEY = "2023-08-30T01:00:00Z"  # the -3d@09:00 reminder of the August typical cases


def claim(bot: RunningBot, code: str, uid: int, *, at: datetime) -> int:
    """A claim of the -3d reminder, as the process that then died made it."""
    person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
    unit = bot.storage.units.get_unit_by_code(code=code)
    with bot.storage.session() as s:
        item = due.get_due_item(s, report_key="typical_case", period_key="2023-08")
        assert item is not None and person is not None and unit is not None
        rid = _reminders.claim_reminder(
            s, due_item_id=item.id, unit_id=unit.id, person_id=person.id, moment_key=MOMENT_KEY, kind=ReminderKind.reminder, now=at  # type: ignore[arg-type]
        )
    assert rid is not None
    return rid


async def send_as_dead_process(bot: RunningBot, rid: int, code: str, uid: int, *, at: datetime) -> int:
    """Deliver the claimed reminder from another process (its own limiter), without recording it."""
    services = services_of(bot)
    person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
    unit = bot.storage.units.get_unit_by_code(code=code)
    with bot.storage.session() as s:
        item = due.get_due_item(s, report_key="typical_case", period_key="2023-08")
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[union-attr]
    report = report_of(services, "typical_case")
    text = core_send.reminder_text(services, kind=ReminderKind.reminder, report=report, item=item, unit_name=unit.name, now=at, language="zh-CN")  # type: ignore[arg-type,union-attr]
    markup = core_send.reminder_keyboard(services, user_id=uid, reminder_id=rid, obligation_id=obligation.id, report=report, language="zh-CN")  # type: ignore[union-attr,arg-type]
    other = build_application(bot.config, token=TEST_TOKEN, storage=bot.storage, clock=bot.clock)
    await other.initialize()
    try:
        message = await other.bot.send_message(person.chat_id or uid, text, reply_markup=markup)  # type: ignore[union-attr]
    finally:
        await other.shutdown()
    return message.message_id


async def test_a_stuck_claim_is_recorded_if_delivered_and_sent_once_if_not(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    delivered = await liaison(bot_app, make_person, make_liaison, "pgs", 7801)
    lost = await liaison(bot_app, make_person, make_liaison, "shs", 7802)
    bot_app.clock.set(MINUS_3D)
    first = claim(bot_app, "pgs", 7801, at=MINUS_3D)
    message_id = await send_as_dead_process(bot_app, first, "pgs", 7801, at=MINUS_3D)
    second = claim(bot_app, "shs", 7802, at=MINUS_3D)  # died before sending
    await delivered.wait_for(lambda m: "典型案例" in m.text)

    summary = await process(bot_app, MINUS_3D + recovery.STUCK_AFTER / 2)  # not stuck yet: left alone
    assert bot_app.storage.reminders.get_reminder(reminder_id=first).status == ReminderStatus.pending
    assert reminder_messages(lost) == [] and summary.sent == 0

    await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=1))
    await asyncio.sleep(0.2)
    row = bot_app.storage.reminders.get_reminder(reminder_id=first)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message_id)
    assert len(reminder_messages(delivered)) == 1  # found by the probe, not sent again
    row = bot_app.storage.reminders.get_reminder(reminder_id=second)
    [message] = reminder_messages(lost)  # surely not delivered: sent now, once
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)
    await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=3))
    await asyncio.sleep(0.2)
    assert len(reminder_messages(delivered)) == 1 and len(reminder_messages(lost)) == 1


async def test_a_stuck_claim_that_cannot_be_told_is_failed_and_shown_in_the_digest(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    coordinator = bot_app.emulator.user(COORDINATOR)
    await coordinator.ask("/start")
    services = services_of(bot_app)
    person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=COORDINATOR)
    start = bot_app.clock.now()
    with bot_app.storage.session() as s:  # a digest (no keyboard to recognise it by) whose sender died
        stuck = _reminders.claim_reminder(s, due_item_id=None, unit_id=None, person_id=person.id, moment_key="digest@2023-08-15", kind=ReminderKind.digest, now=start)  # type: ignore[arg-type]
        flying = _reminders.claim_reminder(s, due_item_id=None, unit_id=None, person_id=person.id, moment_key="digest@2023-08-14", kind=ReminderKind.digest, now=start)  # type: ignore[arg-type]
    assert stuck is not None and flying is not None
    delivery.in_flight(services).add(flying)  # this process is still delivering that one: not stuck
    try:
        await process(bot_app, start + recovery.STUCK_AFTER + timedelta(minutes=1))
    finally:
        delivery.in_flight(services).discard(flying)
    row = bot_app.storage.reminders.get_reminder(reminder_id=stuck)
    assert row.status == ReminderStatus.failed and "delivery unknown" in (row.last_error or "") and row.attempts >= delivery.FINAL
    assert bot_app.storage.reminders.get_reminder(reminder_id=flying).status == ReminderStatus.pending
    coordinator.skip_pending()
    await process(bot_app, datetime(2023, 8, 17, 1, 0, tzinfo=UTC))  # the next digest
    digest = await coordinator.wait_for(lambda m: "每日汇总" in m.text)
    assert "送达情况不明 2 条" in digest.text  # (the one in flight, left alone then, was settled at the next run)
    # never resent
    await process(bot_app, datetime(2023, 8, 17, 1, 30, tzinfo=UTC))
    assert bot_app.storage.reminders.get_reminder(reminder_id=stuck).status == ReminderStatus.failed


async def test_the_digest_names_coordinators_and_leaders_who_never_started_the_bot(emulator: Any, storage: Any) -> None:
    other_coordinator = 9002
    config = campaign_config(emulator, people=People(coordinators=[COORDINATOR, other_coordinator], leaders=[LEADER]))
    clock = FixedClock(datetime(2023, 8, 16, 14, 0, tzinfo=UTC))  # 22:00 local: no digest due at start
    leader = emulator.user(LEADER, first_name="王局")
    silent = emulator.user(other_coordinator, first_name="赵科")
    bot = await start_bot(config, storage, clock, emulator)
    try:
        coordinator = emulator.user(COORDINATOR)
        await coordinator.ask("/start")
        coordinator.skip_pending()
        await process(bot, datetime(2023, 8, 17, 1, 0, tzinfo=UTC))  # escalation (liaison list 7 days late), then digest
        first = await coordinator.wait_for(lambda m: "每日汇总" in m.text)
        assert "尚未启动机器人" in first.text and "（领导）" in first.text and "点击“开始”" in first.text
        assert "已屏蔽机器人" not in first.text
        leader_person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=LEADER)
        rows = bot.storage.reminders.reminders_for(person_id=leader_person.id)
        assert rows and not [r for r in rows if r.status in (ReminderStatus.sent, ReminderStatus.pending)]
        assert ["initiate conversation" in (r.last_error or "") for r in rows if r.status == ReminderStatus.unreachable] == [True]
        coordinator.skip_pending()
        await process(bot, datetime(2023, 8, 17, 1, 5, tzinfo=UTC))  # a sweep the same morning: nothing new
        await process(bot, datetime(2023, 8, 18, 1, 0, tzinfo=UTC))
        second = await coordinator.wait_for(lambda m: "每日汇总" in m.text)
        line = next(x for x in second.text.splitlines() if "尚未启动机器人" in x)
        assert "2 人" in line and "（协调员）" in line and "（领导）" in line
        assert leader.messages == [] and silent.messages == []  # given up for them: one 403 each, no retry
        for uid in (LEADER, other_coordinator):
            person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
            assert person.reachable is False
            assert len([r for r in bot.storage.reminders.reminders_for(person_id=person.id) if r.status == ReminderStatus.unreachable]) >= 1
    finally:
        await stop_bot(bot)


async def test_every_stuck_claim_of_one_person_that_was_delivered_is_recorded_and_none_sent_again(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    """A liaison of two units gets both units' reminders of a moment, one after the other. While the
    database was away both went out and neither was recorded: both claims are stuck. The second was
    taken for "surely not sent" (only a crash stops a sender after its first) and sent again."""
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7811)
    person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=7811)
    make_liaison(bot_app.storage.units.get_unit_by_code(code="shs"), person=person)
    bot_app.clock.set(MINUS_3D)
    first = claim(bot_app, "pgs", 7811, at=MINUS_3D)
    await send_as_dead_process(bot_app, first, "pgs", 7811, at=MINUS_3D)
    second = claim(bot_app, "shs", 7811, at=MINUS_3D)
    await send_as_dead_process(bot_app, second, "shs", 7811, at=MINUS_3D)
    await user.wait_for(lambda m: len(reminder_messages(user)) == 2)

    await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=1))
    await asyncio.sleep(0.2)
    for rid in (first, second):
        row = bot_app.storage.reminders.get_reminder(reminder_id=rid)
        assert row.status == ReminderStatus.sent, (rid, row.status, row.last_error)
    assert len(reminder_messages(user)) == 2  # found by the probe, neither sent again
    await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=3))
    await asyncio.sleep(0.2)
    assert len(reminder_messages(user)) == 2


async def test_a_stuck_claim_is_found_though_another_process_recorded_a_later_reminder_to_them_since(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    """A liaison of two units. Process A claims and sends the first unit's reminder and dies before
    recording it, its heartbeat having moved the claim's `sent_at` forward while the send waited;
    process B meanwhile sends and records the second unit's reminder, at the same instant on B's
    clock. The probe once started above B's message (the person's last recorded "before the
    attempt"), met "not found" and sent the first reminder again."""
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7821)
    person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=7821)
    make_liaison(bot_app.storage.units.get_unit_by_code(code="shs"), person=person)
    bot_app.clock.set(MINUS_3D)
    first = claim(bot_app, "pgs", 7821, at=MINUS_3D)
    delivered = await send_as_dead_process(bot_app, first, "pgs", 7821, at=MINUS_3D)
    heartbeat = MINUS_3D + timedelta(seconds=30)
    bot_app.storage.deliveries.touch_claims(reminder_ids=[first], now=heartbeat)
    second = claim(bot_app, "shs", 7821, at=MINUS_3D)
    later = await send_as_dead_process(bot_app, second, "shs", 7821, at=MINUS_3D)
    bot_app.storage.reminders.mark_reminder_sent(reminder_id=second, message_id=later, now=heartbeat)  # B's record
    assert later > delivered
    await user.wait_for(lambda m: len(reminder_messages(user)) == 2)

    await process(bot_app, heartbeat + recovery.STUCK_AFTER + timedelta(minutes=1))
    await asyncio.sleep(0.2)
    row = bot_app.storage.reminders.get_reminder(reminder_id=first)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, delivered), (row.status, row.last_error)
    assert len(reminder_messages(user)) == 2  # found by the probe, not sent again
    assert bot_app.storage.reminders.get_reminder(reminder_id=first).probe_floor is not None


async def test_a_claim_made_late_in_a_long_wave_is_stamped_with_its_own_time(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    """A wave to 10,000 lasts minutes. Its claims were stamped with the wave's start: one made five
    minutes in looked stuck to another process's sweep at once, before this process's heartbeat
    first touched it, and that sweep could probe it (not there yet: it waits in the limiter) and
    send it too."""
    from bot.services.reminders import timer

    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7831)
    late = MINUS_3D + timedelta(minutes=5)
    bot_app.clock.set(late)  # the wave started at MINUS_3D; this unit's turn comes five minutes in
    await timer.process_due_moments(services_of(bot_app), bot_app.app.bot, now=MINUS_3D)
    person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=7831)
    [row] = [r for r in bot_app.storage.reminders.reminders_for(person_id=person.id) if r.moment_key == MOMENT_KEY]
    assert row.created_at == late  # (stamped MINUS_3D, it was "stuck" at once for a sweep at `late`)
    assert len(reminder_messages(user)) == 1


async def test_a_leader_the_bot_never_saw_gets_the_escalation_once_they_open_the_bot(emulator: Any, storage: Any) -> None:
    """Telegram answers "chat not found" (400) for a user who never opened the bot at all, not only 403.
    Such an escalation was given up "not delivered" and never sent again; now the leader is
    unreachable as after a 403 ("never started", named in the digest) and gets it once they start."""
    config = campaign_config(emulator, people=People(coordinators=[COORDINATOR], leaders=[LEADER]))
    clock = FixedClock(datetime(2023, 8, 16, 14, 0, tzinfo=UTC))
    bot = await start_bot(config, storage, clock, emulator)  # (the emulator has never seen the leader)
    try:
        coordinator = emulator.user(COORDINATOR)
        await coordinator.ask("/start")
        coordinator.skip_pending()
        await process(bot, datetime(2023, 8, 17, 1, 0, tzinfo=UTC))  # escalation (liaison list 7 days late), then digest
        digest = await coordinator.wait_for(lambda m: "每日汇总" in m.text)
        line = next(x for x in digest.text.splitlines() if "尚未启动机器人" in x)
        assert "（领导）" in line and "未送达" not in digest.text
        person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=LEADER)
        assert person.reachable is False
        rows = [r for r in bot.storage.reminders.reminders_for(person_id=person.id) if r.kind == ReminderKind.escalation]
        row = min(rows, key=lambda r: r.id or 0)  # (the message's first row; the others share its fate)
        assert row.status == ReminderStatus.unreachable and "chat not found" in (row.last_error or "").lower()

        leader = emulator.user(LEADER, first_name="王局")
        await leader.ask("/start")
        await process(bot, datetime(2023, 8, 18, 1, 0, tzinfo=UTC))
        escalation = await leader.wait_for(lambda m: "逾期超过" in m.text)
        assert "逾期超过" in escalation.text
        assert bot.storage.reminders.get_reminder(reminder_id=row.id).status == ReminderStatus.sent
    finally:
        await stop_bot(bot)
