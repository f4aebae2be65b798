"""`liaison-bot demo --config campaigns/ningxia.toml --script`: the 问题清单 walk-through of a campaign in levels."""

from __future__ import annotations

import io

from bot import demo_levels
from bot.clock import FixedClock
from bot.config import load_config
from bot.demo import DEMO_START, Sandbox
from tests.app.levels_support import NINGXIA


async def test_ningxia_walkthrough_registers_returns_closes_and_escalates() -> None:
    config = load_config(NINGXIA)
    assert demo_levels.applies(config) and not demo_levels.applies(load_config())
    sandbox = Sandbox(config=config, clock=FixedClock(DEMO_START), fast=True, people=demo_levels.people())
    await sandbox.start()
    out = io.StringIO()
    try:
        await demo_levels.play(sandbox, out)
    finally:
        await sandbox.stop()
    transcript = out.getvalue()
    outstanding = transcript.split("马明 › /outstanding")[1].split("# ")[0]
    assert "兴庆区市场监督管理局" in outstanding and "石嘴山" not in outstanding and "吴忠" not in outstanding
    assert "已登记问题 №1，已通知责任单位签收。" in transcript
    assert "bot → 王强:\n  📌 新交办问题" in transcript
    assert "已签收问题 №1" in transcript and "已收到材料“行政处罚决定书.pdf”（共 1 个）" in transcript
    assert "问题 №1 已退回整改，意见：请补充整改后的现场照片" in transcript
    assert "问题 №1 已验收通过，可以销号。" in transcript and "问题 №1 已销号。" in transcript
    assert "bot → 赵敏:\n  📌 问题尚未签收" in transcript
    assert "bot → 赵敏:\n  🔴 问题整改已逾期 1 天" in transcript
    assert "bot → 马明:\n  ⚠️ 逾期问题提级督办：已逾期 3 天" in transcript
    assert "共发现问题 2 个，已整改 1 个，已销号 1 个，逾期未整改 1 个。" in transcript
    assert "bot → 苏荣" not in transcript.split("# A second problem")[1]  # escalated to 银川, the level above, not the region
