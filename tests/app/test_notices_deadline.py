"""A new ad-hoc deadline told to the liaisons of the units that owe it, with its date and time, once, in their language;
the time stays in their /due and in the filing they start."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.models import Person, Role
from bot.services.reminders import timer
from tests.app.notices_support import texts
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

PGS, PGS_B, SHS, YJ = 7002, 7004, 7003, 7005  # liaisons of 平岗 (A and B角), of 史河, of an unconcerned unit


async def test_new_deadline_is_announced_with_date_and_time(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    units = {c: bot_app.storage.units.get_unit_by_code(code=c) for c in ("pgs", "shs", "sgs")}
    make_liaison(units["pgs"], make_person(PGS, name="甲", language="zh-CN"))
    make_liaison(units["pgs"], make_person(PGS_B, name="甲B", language="en"), role=Role.backup)
    make_liaison(units["shs"], make_person(SHS, name="乙", language="zh-CN"))
    make_liaison(units["sgs"], make_person(YJ, name="丙", language="zh-CN"))
    emu = bot_app.emulator
    a, b, shs, other = (emu.user(i, first_name=n) for i, n in ((PGS, "甲"), (PGS_B, "B"), (SHS, "乙"), (YJ, "丙")))
    for user in (a, b, shs, other):
        await user.ask("/start")

    user = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(user, "/deadline", "请发送事项名称")
    await ask(user, "重大问题跟进", "谁需要报送")
    await user.press("指定单位…")
    await user.wait_for(lambda m: "请发送单位名称" in m.text)
    await ask(user, "平岗市场监管所、shs", "截止时间？")
    await ask(user, "下周五下午5点", "截止时间：")
    await user.press("文字或文件")
    await user.wait_for(lambda m: "请确认" in m.text)
    await user.press("✅ 确认新增")
    await user.wait_for(lambda m: "已新增" in m.text)

    told = await a.wait_for(lambda m: "新增临时报送事项" in m.text)
    assert "重大问题跟进" in told.text and "报送单位：平岗市场监管所" in told.text
    assert "截止时间：2023年8月25日（星期五） 17:00" in told.text and told.button_texts == ["立即报送"]
    told_en = await b.wait_for(lambda m: "New ad-hoc deadline" in m.text)
    assert "Due: Fri 25 Aug 2023 17:00" in told_en.text and told_en.button_texts == ["File now"]
    await shs.wait_for(lambda m: "新增临时报送事项" in m.text and "史河市场监管所" in m.text)

    # once only, whatever sweeps come; the unit that does not owe it hears nothing
    services = bot_app.app.bot_data["services"]
    await timer.process_due_moments(services, bot_app.app.bot, now=bot_app.clock.now())
    await asyncio.sleep(0.2)
    assert len(texts(a, "新增临时报送事项")) == 1 and len(texts(shs, "新增临时报送事项")) == 1
    assert texts(other, "新增临时报送事项") == []

    # the time stays in the liaison's view and in the filing the button starts
    due = await ask(a, "/due", "重大问题跟进")
    assert "2023年8月25日（星期五） 17:00" in due.text
    await a.press("立即报送")
    begin = await a.wait_for(lambda m: "开始报送" in m.text)
    assert "截止：2023年8月25日（星期五） 17:00" in begin.text
