"""The campaign's group chat: a coordinator turns the daily summary on with /group; it is posted once a day
at the digest time (not in the quiet hours), mentions the liaisons who owe, and carries nothing personal
beyond names; other commands in the group get a short answer or silence."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.models import Person
from bot.services.reminders import timer
from tests.fixtures.app import COORDINATOR, RunningBot

GROUP = -1001234
PGS, STRANGER = 7002, 7100


async def test_group_summary_mentions_the_liaisons_who_owe(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    storage = bot_app.storage
    make_liaison(storage.units.get_unit_by_code(code="pgs"), make_person(PGS, name="张联络", mobile="13800000001", email="z@example.cn"))
    emu = bot_app.emulator
    coordinator, liaison, stranger = emu.user(COORDINATOR, first_name="苏荣"), emu.user(PGS, first_name="张"), emu.user(STRANGER, first_name="路人")
    group = emu.group(GROUP, "叶集区巩固提升行动工作群", members=(COORDINATOR, PGS, STRANGER))
    services = bot_app.app.bot_data["services"]

    # a liaison cannot set it up; a stranger's command gets silence; /outstanding in the group leaks nothing
    await group.send(liaison, "/group on")
    refused = await group.wait_for(lambda m: "只有协调员" in m.text)
    assert refused.text == "只有协调员可以在群里设置机器人。"
    await group.send(coordinator, "/outstanding")
    short = await group.wait_for(lambda m: "私聊" in m.text)
    assert short.text == "此操作涉及个人信息，请在与机器人的私聊中使用。"
    await group.send(stranger, "/start")
    await group.send(stranger, "/help")
    await asyncio.sleep(0.3)
    assert len(group.messages) == 2 and not any("1380000" in m.text for m in group.messages)

    await group.send(coordinator, "/group")
    await group.wait_for(lambda m: "尚未开启" in m.text)
    await group.send(coordinator, "/group 开启")
    await group.wait_for(lambda m: "✅ 已开启：每天 09:00" in m.text)
    # quiet hours (06:00 local): nothing yet
    early = datetime(2023, 9, 5, 22, 0, tzinfo=UTC)
    bot_app.clock.set(early)
    await timer.process_due_moments(services, bot_app.app.bot, now=early)
    await asyncio.sleep(0.2)
    assert len([m for m in group.messages if m.text.startswith("📋")]) == 0

    morning = datetime(2023, 9, 6, 1, 0, tzinfo=UTC)  # 09:00 local
    bot_app.clock.set(morning)
    await timer.process_due_moments(services, bot_app.app.bot, now=morning)
    post = await group.wait_for(lambda m: "2023-09-06 未报送情况" in m.text)
    assert post.text.startswith("📋 2023-09-06 未报送情况")
    assert "⚠️ 联络员信息表（联络员报送）已于 2023年8月10日（星期四） 24:00 截止，13 个单位未报：" in post.text and "平岗市场监管所" in post.text
    assert "⏳ 工作组周报（9月4日—9月10日）2023年9月8日（星期五） 24:00 截止，4 个单位未报" in post.text  # due within 3 days
    assert f'<a href="tg://user?id={PGS}">张联络</a>' in post.source  # mentioned by name
    assert "13800000001" not in post.source and "z@example.cn" not in post.source
    # once a day, whatever sweeps come
    await timer.process_due_moments(services, bot_app.app.bot, now=morning)
    await asyncio.sleep(0.2)
    assert len([m for m in group.messages if m.text.startswith("📋")]) == 1
    [event] = storage.audit.recent_events(action="group.posting")
    assert event.details == {"posting": True}

    await group.send(coordinator, "/group off")
    await group.wait_for(lambda m: "已关闭" in m.text)
    next_day = datetime(2023, 9, 7, 1, 0, tzinfo=UTC)
    bot_app.clock.set(next_day)
    await timer.process_due_moments(services, bot_app.app.bot, now=next_day)
    await asyncio.sleep(0.2)
    assert len([m for m in group.messages if m.text.startswith("📋")]) == 1


async def test_group_summary_in_english(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    from tests.fixtures.app import campaign_config, start_bot, stop_bot

    await stop_bot(bot_app)
    english = campaign_config(bot_app.emulator, language="en")
    bot = await start_bot(english, bot_app.storage, bot_app.clock, bot_app.emulator)
    try:
        make_liaison(bot.storage.units.get_unit_by_code(code="pgs"), make_person(PGS, name="Zhang"))
        group = bot.emulator.group(GROUP, "Campaign group", members=(COORDINATOR, PGS))
        coordinator = bot.emulator.user(COORDINATOR, first_name="Su")
        await group.send(coordinator, "/group on")
        await group.wait_for(lambda m: "Done: every day at 09:00" in m.text)
        morning = datetime(2023, 9, 6, 1, 0, tzinfo=UTC)
        bot.clock.set(morning)
        await timer.process_due_moments(bot.app.bot_data["services"], bot.app.bot, now=morning)
        post = await group.wait_for(lambda m: "Outstanding on 2023-09-06" in m.text)
        assert "was due Thu 10 Aug 2023 24:00; 13 units have not filed: " in post.text and "年" not in post.text.split("\n")[1].split(":")[0]
        assert f'<a href="tg://user?id={PGS}">Zhang</a>: please file soon.' in post.source
    finally:
        await stop_bot(bot)
        await bot_app.app.initialize()  # (the fixture stops it again)


async def test_a_command_or_a_button_in_the_group_does_not_make_a_blocked_liaison_reachable_a_private_message_does(bot_app: RunningBot) -> None:
    # A 403 marked them unreachable (they blocked the bot): writing in the group says nothing of
    # whether the bot may write to them privately; writing to the bot does (and on the loop, nothing).
    from tests.app.helpers_coordinator import liaison

    storage = bot_app.storage
    person = liaison(storage, "pgs", telegram_user_id=PGS, name="张联络", mobile="13800000001", now=bot_app.clock.now(), reachable=False)
    emu = bot_app.emulator
    user = emu.user(PGS, first_name="张")
    group = emu.group(GROUP, "叶集区巩固提升行动工作群", members=(PGS,))
    await group.send(user, "/group on")
    await group.wait_for(lambda m: "只有协调员" in m.text)
    # a button pressed in the group (its handler asks the guard for their roles)
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    await bot_app.app.bot.send_message(GROUP, "语言", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("English", callback_data="lang:en")]]))
    asked = await group.wait_for(lambda m: m.text == "语言")
    await group.press(user, "English", asked)
    await group.wait_for(lambda m: m.message_id == asked.message_id and m.text != "语言")
    assert person.id is not None and storage.people.get_person(person_id=person.id).reachable is False  # type: ignore[union-attr]
    await user.ask("/help")
    assert storage.people.get_person(person_id=person.id).reachable is True  # type: ignore[union-attr]
