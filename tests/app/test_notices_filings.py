"""Coordinators told of filings at once (/notify) or in the daily digest, each within their subtree, in their language."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.models import Person
from bot.services.reminders import timer
from tests.app.notices_support import coordinator, file_zero, obligation_id, texts, until
from tests.app.submit_helpers import liaison_of
from tests.fixtures.app import COORDINATOR, RunningBot

LIAISON = 7002
EN_COORDINATOR = 9002
BOUND = 9003  # a coordinator bound to 史河 (shs): does not hear of 平岗 (pgs)


async def test_told_at_once_or_in_the_digest(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    coordinator(bot_app, make_person, EN_COORDINATOR, language="en")
    coordinator(bot_app, make_person, BOUND, language="zh-CN", unit_code="shs")
    emu = bot_app.emulator
    zh = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    en = emu.user(EN_COORDINATOR, first_name="Su", language_code="en")
    bound = emu.user(BOUND, first_name="史", language_code="zh-hans")
    liaison = emu.user(LIAISON, first_name="张", language_code="zh-hans")

    await zh.send("/notify")
    shown = await zh.wait_for(lambda m: "当前" in m.text)
    assert "当前：汇总在每日汇总中" in shown.text  # the default
    await zh.press("每次报送即时告知")
    await zh.wait_for(lambda m: "已设置：单位每次报送" in m.text)
    await en.send("/notify")
    await en.wait_for(lambda m: "At once" in m.button_texts[0] if m.button_texts else False)
    await en.press("At once, each filing")
    await en.wait_for(lambda m: "you will be told at once" in m.text)
    await bound.send("/notify")
    await bound.wait_for(lambda m: "当前" in m.text)
    await bound.press("每次报送即时告知")
    await bound.wait_for(lambda m: "已设置" in m.text)

    await file_zero(bot_app, liaison, obligation_id(bot_app, "pgs", "typical_case", "2023-08"))
    told = await zh.wait_for(lambda m: "📥" in m.text)
    assert told.text == "📥 平岗市场监管所 已报送 典型案例（2023年8月）零报告"
    told_en = await en.wait_for(lambda m: "📥" in m.text)
    assert "平岗市场监管所 filed a nil return for" in told_en.text and "August 2023" in told_en.text and "2023年" not in told_en.text

    # the minute sweep finds it already told: once only; the bound coordinator (史河's subtree) never hears of 平岗
    services = bot_app.app.bot_data["services"]
    await timer.process_due_moments(services, bot_app.app.bot, now=bot_app.clock.now())
    await asyncio.sleep(0.2)
    assert len(texts(zh, "📥")) == 1 and len(texts(en, "📥")) == 1
    assert texts(bound, "📥") == []

    # back to the digest: the next filing is in the next day's digest, not told at once
    await zh.send("/notify")
    await zh.wait_for(lambda m: "当前" in m.text and "✅ 每次报送即时告知" in m.button_texts)
    await zh.press("汇总在每日汇总中")
    await zh.wait_for(lambda m: "汇总在每日汇总中告知您" in m.text)
    await liaison.send("/submit")
    await liaison.wait_for(lambda m: "重大问题、特色做法及典型经验" in m.button_texts)
    await liaison.press("重大问题、特色做法及典型经验")
    await liaison.wait_for(lambda m: "请发送要报送的内容" in m.text)
    await liaison.ask("发现一起跨区域线索。")
    await liaison.press("完成")
    await liaison.wait_for(lambda m: "✅ 确认提交" in m.button_texts)
    await liaison.press("✅ 确认提交")
    await liaison.wait_for(lambda m: "已提交" in m.text)
    await until(lambda: len(texts(en, "📥")) == 2)
    assert texts(en, "📥")[-1] == "📥 平岗市场监管所 filed Major problems and good practice (Any time), item 1"
    # a refiling (a new version) is told as such
    await liaison.press("修改本次报送")
    await liaison.wait_for(lambda m: "✅ 确认提交" in m.button_texts)
    await liaison.press("✅ 确认提交")
    await liaison.wait_for(lambda m: "第 2 版" in m.text)
    refiled = await en.wait_for(lambda m: "🔁" in m.text)
    assert refiled.text == "🔁 平岗市场监管所 refiled Major problems and good practice (Any time), item 1 version 2"
    await asyncio.sleep(0.2)
    assert len(texts(zh, "📥")) == 1
    morning = datetime(2023, 8, 17, 1, 0, tzinfo=UTC)  # 09:00 the next day: the digest
    bot_app.clock.set(morning)
    await timer.process_due_moments(services, bot_app.app.bot, now=morning)
    await until(lambda: any("每日汇总" in m for m in texts(zh, "📥")))
    [digest] = [m for m in texts(zh, "每日汇总") if "📥" in m]
    assert "📥 昨日汇总以来报送 2 份：" in digest  # the nil return was told at once, before they chose the digest
    assert "📥 平岗市场监管所 已报送 重大问题、特色做法及典型经验（随时上报），第 1 项" in digest
    assert "🔁 平岗市场监管所 重新报送 重大问题、特色做法及典型经验（随时上报），第 1 项第 2 版" in digest
    assert "零报告" not in digest
    assert not [m for m in texts(en, "Daily digest") if "Filed since" in m]  # told at once: not again in the digest
