"""The coordinator views look as far ahead as any reminder already sent; clear answers for a period
with nothing due, for strangers, and for a campaign-wide coordinator's /start (both languages)."""

from __future__ import annotations

from datetime import datetime

from emulator.control import UserHandle
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot


async def english(user: UserHandle) -> None:
    user.skip_pending()
    await user.send("/lang")
    await user.wait_for(lambda m: "English" in m.button_texts)
    await user.press("English")
    await user.wait_for(lambda m: m.text.startswith("The interface language"))


async def test_outstanding_shows_an_item_reminded_of_a_week_ahead(bot_app: RunningBot) -> None:
    # 2024-11-11 (Monday): the final summary, due 2024-11-15, was first reminded on 11-08 (-7d): four days ahead, shown
    tz = bot_app.config.campaign.tz
    bot_app.clock.set(datetime(2024, 11, 11, 10, 0, tzinfo=tz))
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    status = await ask(user, "/status", "报送情况")  # latest deadline first
    assert status.text.split("\n\n")[1].startswith("<b>行动工作总结 · 最终总结</b>") or "行动工作总结 · 最终总结" in status.text.split("\n\n")[1]


async def test_outstanding_does_not_show_an_item_not_yet_reminded(bot_app: RunningBot) -> None:
    tz = bot_app.config.campaign.tz
    bot_app.clock.set(datetime(2024, 11, 4, 10, 0, tzinfo=tz))  # 11 days before: no reminder yet
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    status = await ask(user, "/status", "报送情况")
    assert "行动工作总结" not in status.text


async def test_a_period_with_nothing_due_is_said_so(bot_app: RunningBot) -> None:
    # 2023-08-16: the campaign began on 08-08, so July owed nothing
    zh = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(zh, "/outstanding 上月", "上月")
    assert reply.text == "“上月”没有需要报送的事项。发送 /outstanding 查看目前所有未报送的事项。"
    await english(zh)
    en = await ask(zh, "/outstanding 上月", "上月")
    assert en.text == "Nothing is due for “上月”. Send /outstanding for everything not yet filed."
    unknown = await ask(zh, "/outstanding 火星", "火星")
    assert "Nothing is due" not in unknown.text


async def test_a_stranger_is_told_how_to_register(bot_app: RunningBot) -> None:
    zh = bot_app.emulator.user(7301, first_name="陌生", language_code="zh-hans")
    reply = await zh.ask("/due")
    assert reply.text.startswith("您还没有登记") and "邀请链接" in reply.text
    en = bot_app.emulator.user(7302, first_name="Stranger", language_code="en")
    reply = await en.ask("/outstanding")
    assert reply.text.startswith("You are not registered yet") and "invite link" in reply.text


async def test_a_campaign_coordinator_start_names_no_unit(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/start", "协调员")
    assert "您是本次工作的协调员" in reply.text and "—" not in reply.text
    await english(user)
    reply = await ask(user, "/start", "campaign")
    assert "You are coordinator of this campaign" in reply.text


async def test_english_counts_take_their_plural_forms(bot_app: RunningBot) -> None:
    tz = bot_app.config.campaign.tz
    bot_app.clock.set(datetime(2023, 8, 11, 10, 0, tzinfo=tz))  # the liaison form was due yesterday
    user = bot_app.emulator.user(COORDINATOR, first_name="Su", language_code="en")
    await english(user)
    reply = await ask(user, "/outstanding", "Not yet filed")
    assert "1 day overdue" in reply.text and "1 days" not in reply.text
    assert "13 units have not filed" in reply.text
