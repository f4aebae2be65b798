"""A liaison of two units owing the same due item gets each unit's reminder (the real bot, SQLite and PostgreSQL).

One official can be liaison of a 所 and of a working group; each unit's obligation is reminded
on its own (its text names the unit, its buttons open that unit's obligation), still exactly
once per (due item, unit, person, moment): not doubled by a rerun or a second process.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.app import build_application
from bot.context import SERVICES_KEY
from emulator import UserHandle
from bot.models import ReminderStatus
from bot.services.reminders import timer
from tests.app.test_reminders import CASES, MINUS_1D, MINUS_3D, file, process, reminder_messages, services_of
from tests.fixtures.app import COORDINATOR, RunningBot
from tests.fixtures.emulator import TEST_TOKEN

PGS, SHS = "平岗市场监管所", "史河市场监管所"


async def liaison_of_both(bot: RunningBot, make_person: Any, make_liaison: Any, uid: int) -> UserHandle:
    """One person, primary liaison of pgs and of shs (both owe the typical cases), chat started."""
    person = make_person(telegram_user_id=uid)
    for code in ("pgs", "shs"):
        make_liaison(bot.storage.units.get_unit_by_code(code=code), person=person)
    user = bot.emulator.user(uid)
    await user.ask("/start")
    user.skip_pending()
    return user


def obligation_id(bot: RunningBot, code: str) -> int:
    unit = bot.storage.units.get_unit_by_code(code=code)
    item = bot.storage.due.get_due_item(report_key="typical_case", period_key="2023-08")
    obligation = bot.storage.due.get_obligation(due_item_id=item.id, unit_id=unit.id)  # type: ignore[union-attr]
    assert obligation is not None and obligation.id is not None
    return obligation.id


def naming(messages: list[Any], unit: str) -> list[Any]:
    return [m for m in messages if unit in m.text]


async def test_a_liaison_of_two_units_gets_one_reminder_per_unit_once(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    user = await liaison_of_both(bot_app, make_person, make_liaison, 7801)
    other = build_application(bot_app.config, token=TEST_TOKEN, storage=bot_app.storage, clock=bot_app.clock)
    await other.initialize()
    await other.start()  # a second bot process on the same database (only the first polls)
    try:
        bot_app.clock.set(MINUS_3D)
        first, second = await asyncio.gather(
            timer.process_due_moments(services_of(bot_app), bot_app.app.bot, now=MINUS_3D),
            timer.process_due_moments(other.bot_data[SERVICES_KEY], other.bot, now=MINUS_3D),
        )
        assert first.sent + second.sent == 2
    finally:
        await other.stop()
        await other.shutdown()
    messages = reminder_messages(user)
    assert len(messages) == 2
    [for_pgs], [for_shs] = naming(messages, PGS), naming(messages, SHS)
    assert PGS not in for_shs.text and SHS not in for_pgs.text
    for message in messages:
        assert "还有 3 天" in message.text and {"立即报送", "1小时后提醒"} <= set(message.button_texts)

    await process(bot_app, MINUS_3D + timedelta(minutes=5))  # the same moment again: nothing more
    await asyncio.sleep(0.2)
    assert len(reminder_messages(user)) == 2
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.kind == "reminder"]
    assert len(rows) == 2 and all(r.status == ReminderStatus.sent for r in rows)
    person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=7801)
    assert {(r.unit_id, r.person_id) for r in rows} == {
        (bot_app.storage.units.get_unit_by_code(code=code).id, person.id) for code in ("pgs", "shs")  # type: ignore[union-attr]
    }

    # each submit button opens its own unit's obligation
    for message, code, unit in ((for_pgs, "pgs", PGS), (for_shs, "shs", SHS)):
        user.skip_pending()
        await user.press("立即报送", message)
        begun = await user.wait_for(lambda m: "开始报送" in m.text)
        assert unit in begun.text
        draft = bot_app.storage.drafts.get_draft(person_id=person.id, flow="submission")  # type: ignore[union-attr]
        assert draft is not None and draft.data["obligation_id"] == obligation_id(bot_app, code)
        await user.ask("/cancel")

    file(bot_app, "pgs")  # one unit files: the next moment reminds only for the other
    before = {m.message_id for m in user.messages}
    await process(bot_app, MINUS_1D)
    await asyncio.sleep(0.2)
    later = [m for m in reminder_messages(user) if m.message_id not in before]
    assert len(later) == 1 and SHS in later[0].text and PGS not in later[0].text and "还有 1 天" in later[0].text


async def test_snooze_and_nudge_of_a_liaison_of_two_units_are_per_unit(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    user = await liaison_of_both(bot_app, make_person, make_liaison, 7811)
    await process(bot_app, MINUS_3D)
    messages = reminder_messages(user)
    assert len(messages) == 2
    [for_pgs] = naming(messages, PGS)
    await user.press("1小时后提醒", for_pgs)
    await user.wait_for(lambda m: "再次提醒" in m.text)
    await process(bot_app, MINUS_3D + timedelta(hours=1))
    await asyncio.sleep(0.2)
    [snoozed] = reminder_messages(user)[2:]  # only the snoozed unit's reminder comes back
    assert PGS in snoozed.text and SHS not in snoozed.text

    bot_app.clock.set(MINUS_1D + timedelta(hours=2))  # 一键催办: each unit is nudged, both reach the one liaison
    coordinator = bot_app.emulator.user(COORDINATOR)
    await coordinator.ask("/remind")
    await coordinator.press(CASES)
    await coordinator.wait_for()
    await coordinator.press("2023年8月（7 个单位未报）")
    await coordinator.wait_for()
    await coordinator.press("确认催办")
    done = await coordinator.wait_for(lambda m: "已催办" in m.text, timeout=10)
    assert "发送 2 条" in done.text
    nudges = [m for m in user.messages if "催办" in m.text]
    assert len(nudges) == 2 and len(naming(nudges, PGS)) == 1 and len(naming(nudges, SHS)) == 1
