"""Ambiguous reminder sends and the probe, coordinators told of a blocked liaison, reminders only to current liaisons.

The real bot against the emulator over a real socket (SQLite and PostgreSQL). A send that ends
without Telegram's answer (a dropped connection) may or may not have been performed; the probe
(`bot.services.reminders.delivery`) finds out with keyboard-only edits above the highest message id the
limiter saw in the chat before the send. It must never change the text of a message that is not
the reminder, and the reminder must never reach the user twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from emulator import UserHandle
from emulator.state import BotMessage
from bot.models import ReminderSent, ReminderStatus, Role
from bot.pacing import PacedLimiter
from bot.services.reminders import delivery
from bot.services.reminders import recovery
from bot.storage.deliveries import NOT_A_LIAISON
from bot.texts.catalog import t
from tests.app.test_reminders import CASES, MINUS_1D, MINUS_3D, liaison, process, reminder_messages, services_of
from tests.fixtures.app import COORDINATOR, RunningBot

LATER_SWEEP = MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=1)  # retries and stuck claims are looked at
HELP_TITLE = "可用命令"
NOT_DELIVERED_TEXT = "消息无法送达"  # only in the coordinators' notice of a blocked liaison (notify.unreachable)


def reminder_rows(bot: RunningBot, uid: int) -> list[ReminderSent]:
    """The person's scheduled reminders of the August typical cases (not snoozes), oldest first."""
    person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
    item = bot.storage.due.get_due_item(report_key="typical_case", period_key="2023-08")
    assert person is not None and item is not None
    return [
        r for r in bot.storage.reminders.reminders_for(person_id=person.id, due_item_id=item.id)
        if r.kind in ("reminder", "overdue") and not r.moment_key.startswith("snooze@")
    ]


def snooze_rows(bot: RunningBot, uid: int) -> list[ReminderSent]:
    person = bot.storage.people.get_person_by_telegram_id(telegram_user_id=uid)
    assert person is not None
    return [r for r in bot.storage.reminders.reminders_for(person_id=person.id) if r.moment_key.startswith("snooze@")]


def reminder_sends(bot: RunningBot, uid: int) -> list[Any]:
    """Every sendMessage of a reminder to this chat that reached the emulator, and how it ended."""
    return [
        c for c in bot.emulator.calls("sendMessage") if str(c.params.get("chat_id")) == str(uid) and CASES in str(c.params.get("text", ""))
    ]


def probes(bot: RunningBot, uid: int) -> list[Any]:
    return [c for c in bot.emulator.calls("editMessageReplyMarkup") if str(c.params.get("chat_id")) == str(uid)]


def in_chat(user: UserHandle, message_id: int) -> BotMessage:
    """A bot message as the user sees it now."""
    [message] = [m for m in user.history if m.message_id == message_id]
    return message


def assert_delivered_at_most_once(bot: RunningBot, user: UserHandle, *, performed: bool) -> None:
    """The reminder is recorded sent with the one copy in the chat, or failed "delivery unknown" (never retried)."""
    [row] = reminder_rows(bot, user.id)
    copies = reminder_messages(user)
    if row.status == ReminderStatus.sent:
        assert len(copies) == 1 and row.telegram_message_id == copies[0].message_id
    else:
        assert row.status == ReminderStatus.failed, row
        assert "delivery unknown" in (row.last_error or "") and row.attempts >= delivery.FINAL, row
        assert len(copies) == (1 if performed else 0)


# --- 1. an ambiguous send -------------------------------------------------------------------------------


@pytest.mark.parametrize("after", [True, False], ids=["performed-answer-lost", "lost-before-performed"])
async def test_an_ambiguous_send_is_recorded_once_with_the_message_the_user_has(
    bot_app: RunningBot, make_person: Any, make_liaison: Any, after: bool
) -> None:
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7901)
    emu = bot_app.emulator
    emu.faults.drop_next(1, method="sendMessage", after=after)

    summary = await process(bot_app, MINUS_3D)

    assert (summary.sent, summary.failed, summary.unreachable) == (1, 0, 0)
    [message] = reminder_messages(user)
    assert "还有 3 天" in message.text and "立即报送" in message.button_texts
    assert not message.edited  # recognised by its keyboard ("not modified"): nothing was changed
    [row] = reminder_rows(bot_app, 7901)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)
    if after:  # performed, answer lost: found by the probe, not sent again
        assert [c.outcome for c in reminder_sends(bot_app, 7901)] == ["dropped after performing"]
        [probe] = probes(bot_app, 7901)
        assert int(probe.params["message_id"]) == message.message_id and "not modified" in probe.outcome
    else:  # never performed: the probe finds nothing after the floor, the retry sends it
        assert [c.outcome for c in reminder_sends(bot_app, 7901)] == ["dropped before performing", "ok"]
        [probe] = probes(bot_app, 7901)
        assert "not found" in probe.outcome
    assert emu.calls("editMessageText") == []

    await process(bot_app, LATER_SWEEP)  # retries and stuck claims: nothing to do
    await asyncio.sleep(0.2)
    assert len(reminder_messages(user)) == 1
    [row] = reminder_rows(bot_app, 7901)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)


# --- 2. the probe never changes a message that is not the reminder -----------------------------------------


async def test_the_probe_passes_over_a_message_of_the_user_and_the_reply_to_it_is_untouched(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7911)
    updater = bot_app.app.updater
    assert updater is not None
    await updater.stop()  # the user's next message is not fetched yet: above any id the bot knows
    asked = await user.send("/help")
    bot_app.emulator.faults.drop_next(1, method="sendMessage", after=True)

    summary = await process(bot_app, MINUS_3D)
    await updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=["message", "edited_message", "callback_query"])
    reply = await user.wait_for(lambda m: HELP_TITLE in m.text)

    assert summary.sent == 1
    [message] = reminder_messages(user)
    assert message.message_id == asked["message_id"] + 1 and not message.edited
    [row] = reminder_rows(bot_app, 7911)
    assert (row.status, row.telegram_message_id) == (ReminderStatus.sent, message.message_id)
    first, second = probes(bot_app, 7911)
    assert int(first.params["message_id"]) == asked["message_id"] and "can't be edited" in first.outcome
    assert int(second.params["message_id"]) == message.message_id and "not modified" in second.outcome
    expected = "\n\n".join([t("zh-CN", "help.title"), t("zh-CN", "help.liaison")])
    now = in_chat(user, reply.message_id)
    assert now.source == expected and now.reply_markup is None and not now.edited
    assert bot_app.emulator.calls("editMessageText") == []


@pytest.mark.parametrize("after", [True, False], ids=["reminder-performed", "reminder-not-performed"])
async def test_a_reply_in_flight_during_the_probe_keeps_its_text_and_the_reminder_is_never_doubled(
    bot_app: RunningBot, make_person: Any, make_liaison: Any, after: bool
) -> None:
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7921)
    emu = bot_app.emulator
    release = emu.faults.hold_next(1, method="sendMessage")  # the /help reply: performed, its answer not back yet
    try:
        await user.send("/help")
        reply = await user.wait_for(lambda m: HELP_TITLE in m.text)
        text, source = reply.text, reply.source
        limiter = bot_app.app.bot.rate_limiter
        assert isinstance(limiter, PacedLimiter)  # the bot does not know the reply yet: it is above the probe's floor
        assert reply.message_id not in limiter.own_message_ids(7921) and (limiter.top_message_id(7921) or 0) < reply.message_id
        emu.faults.drop_next(1, method="sendMessage", after=after)
        await process(bot_app, MINUS_3D)
    finally:
        release.set()
    await asyncio.sleep(0.3)

    now = in_chat(user, reply.message_id)
    assert (now.text, now.source) == (text, source)  # the reply's text was never changed
    assert now.reply_markup is None  # at most a keyboard put on and taken off again
    assert emu.calls("editMessageText") == []
    assert not [m for m in user.messages if "出错了" in m.text]  # the /help handler ended normally
    assert_delivered_at_most_once(bot_app, user, performed=after)
    before = len(reminder_messages(user))

    await process(bot_app, LATER_SWEEP)  # a "delivery unknown" is never retried
    await asyncio.sleep(0.2)
    assert len(reminder_messages(user)) == before
    assert_delivered_at_most_once(bot_app, user, performed=after)
    assert (in_chat(user, reply.message_id).text, in_chat(user, reply.message_id).reply_markup) == (text, None)


# --- 3. a blocked liaison: the coordinators are told once ---------------------------------------------------


def notices(coordinator: UserHandle) -> list[BotMessage]:
    return [m for m in coordinator.messages if NOT_DELIVERED_TEXT in m.text]


async def test_a_403_marks_the_liaison_unreachable_and_tells_the_coordinators_once(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    coordinator = bot_app.emulator.user(COORDINATOR)
    await coordinator.ask("/start")
    person = make_person(telegram_user_id=7931, name="李联络")
    make_liaison(bot_app.storage.units.get_unit_by_code(code="pgs"), person=person)
    user = bot_app.emulator.user(7931)
    await user.ask("/start")
    await process(bot_app, MINUS_3D)
    await user.wait_for(lambda m: CASES in m.text)
    await user.press("其他时间…")
    await user.wait_for(lambda m: "希望再次提醒的时间" in m.text)
    confirmation = await user.ask("9月1日上午10点")  # a snooze after the next scheduled reminder
    assert "2023-09-01 10:00" in confirmation.text
    user.block()
    coordinator_person = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=COORDINATOR)
    assert coordinator_person is not None
    notice = t(services_of(bot_app).language_of(coordinator_person.language), "notify.unreachable", name="李联络", units="平岗市场监管所")

    summary = await process(bot_app, MINUS_1D)  # the -1d reminder: 403

    assert summary.unreachable == 1
    fresh = bot_app.storage.people.get_person_by_telegram_id(telegram_user_id=7931)
    assert fresh is not None and fresh.reachable is False and fresh.unreachable_since is not None
    scheduled = reminder_rows(bot_app, 7931)
    assert [r.status for r in scheduled] == [ReminderStatus.sent, ReminderStatus.unreachable]
    assert "403" in (scheduled[1].last_error or "")
    assert [m.text for m in notices(coordinator)] == [notice]

    await process(bot_app, MINUS_1D + timedelta(hours=1))  # the snooze falls due: a second 403
    await asyncio.sleep(0.2)
    [snoozed] = snooze_rows(bot_app, 7931)
    assert snoozed.status == ReminderStatus.unreachable and "403" in (snoozed.last_error or "")  # it was tried
    assert [m.text for m in notices(coordinator)] == [notice]  # not told again
    await process(bot_app, MINUS_1D + timedelta(days=1))  # the on-the-day moment: not sent to them at all
    await asyncio.sleep(0.2)
    assert [m.text for m in notices(coordinator)] == [notice]
    assert len(reminder_messages(user)) == 1 and len(reminder_rows(bot_app, 7931)) == 2


# --- 4. a snooze of a liaison who was replaced ----------------------------------------------------------------


async def test_a_snooze_of_a_replaced_liaison_is_given_up_and_the_new_one_is_reminded(
    bot_app: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    old = await liaison(bot_app, make_person, make_liaison, "pgs", 7951)
    await process(bot_app, MINUS_3D)
    await old.wait_for(lambda m: CASES in m.text)
    await old.press("1小时后提醒")
    await old.wait_for(lambda m: "再次提醒" in m.text)
    [snoozed] = snooze_rows(bot_app, 7951)
    assert snoozed.status == ReminderStatus.pending

    new = await liaison(bot_app, make_person, make_liaison, "pgs", 7952)  # the unit's new primary: the old one is replaced
    unit = bot_app.storage.units.get_unit_by_code(code="pgs")
    assert [p.telegram_user_id for p in bot_app.storage.roles.people_with_role(role=Role.primary, unit_id=unit.id)] == [7952]

    await process(bot_app, MINUS_3D + timedelta(hours=1))  # the snooze falls due
    await asyncio.sleep(0.2)
    assert len(reminder_messages(old)) == 1  # only the reminder from before the replacement
    [snoozed] = snooze_rows(bot_app, 7951)
    assert snoozed.status == ReminderStatus.failed and NOT_A_LIAISON in (snoozed.last_error or "")
    assert snoozed.attempts >= delivery.FINAL and snoozed.telegram_message_id is None
    [first] = reminder_messages(new)  # the moment just missed (within missed_grace) reaches the new liaison
    assert "还有 3 天" in first.text and "立即报送" in first.button_texts

    await process(bot_app, MINUS_1D)
    await asyncio.sleep(0.2)
    assert len(reminder_messages(old)) == 1
    texts = [m.text for m in reminder_messages(new)]
    assert len(texts) == 2 and "还有 1 天" in texts[1]
    assert [r.status for r in reminder_rows(bot_app, 7952)] == [ReminderStatus.sent] * 2
    await process(bot_app, MINUS_1D + recovery.STUCK_AFTER + timedelta(minutes=1))  # a later sweep: still nothing for the old one
    assert len(reminder_messages(old)) == 1 and snooze_rows(bot_app, 7951)[0].status == ReminderStatus.failed
