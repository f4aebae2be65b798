"""The offline sandbox: the scripted walk-through and the terminal chat."""

from __future__ import annotations

import io
from pathlib import Path
import re

from bot.clock import FixedClock
from bot.config import load_config
from bot.sandbox import DEMO_START, Sandbox
from bot.demo import play_script, repl


async def test_scripted_walkthrough_prints_the_conversation() -> None:
    sandbox = Sandbox(config=load_config(), clock=FixedClock(DEMO_START), fast=True)
    await sandbox.start()
    out = io.StringIO()
    try:
        await play_script(sandbox, out=out)
    finally:
        await sandbox.stop()
    transcript = out.getvalue()
    assert "张伟 › /start" in transcript
    assert "邀请链接" in transcript  # the stranger is told how to register
    assert "/invite 邀请联络员" in transcript  # the coordinator's help
    assert "Alex › /help" in transcript and "Commands" in transcript
    assert "界面语言已切换为中文" in transcript
    # an invite and a registration, with a wrong answer explained
    assert "https://t.me/liaison_demo_bot?start=" in transcript
    assert "办公电话格式有误" in transcript
    assert "登记完成！您已登记为 平岗市场监管所 的联络员" in transcript
    assert "bot → 苏荣:\n  📋 新登记：张伟" in transcript  # the coordinator is told, privately
    # a case pasted whole, its fields read, only the decision asked for, then filed
    assert "已从您发送的整篇案例中识别出：案件名称、一、案情概述、二、查办结果、处罚决定日期、罚没款金额、是否移送公安机关。" in transcript
    assert "还需要补充：行政处罚决定书。" in transcript and "15000元（1.5万元）" in transcript
    assert "✅ 已提交：典型案例 · 2023年8月，第 1 项（第 1 版）" in transcript
    # the reminder ladder reaches only what is open: 平岗所 filed its case, 史河所 did not
    reminders = transcript.split("# Two days later")[1].split("# 2023-09-03")[0]
    for_zhang = [b for b in reminders.split("bot → ")[1:] if b.startswith("张伟")]
    for_li = [b for b in reminders.split("bot → ")[1:] if b.startswith("李娜") and "报送提醒" in b]
    assert for_zhang and not any("典型案例" in b for b in for_zhang)
    assert any("史河市场监管所：典型案例（2023年8月）尚未报送" in b for b in for_li)
    # two reports on Friday (-1d, with the on-the-day reminders of Saturday: working days only), then her snooze
    assert len(for_li) == 3
    saturday = reminders.split("Saturday 2023-09-02 09:00")[1]
    assert len([b for b in saturday.split("bot → ")[1:] if b.startswith("李娜") and "报送提醒" in b]) == 1
    # the coordinator's views
    assert "苏荣 › /outstanding 案例 上月" in transcript and "史河市场监管所 — 李娜 13905645678" in transcript
    assert "按时 1 · 逾期补报 0 · 未报 6" in transcript
    assert transcript.rstrip().endswith("End of the walk-through.")


async def test_terminal_chat_switches_persona_and_presses_buttons() -> None:
    sandbox = Sandbox(config=load_config(), clock=FixedClock(DEMO_START), fast=True)
    await sandbox.start()
    stdin = io.StringIO(
        ":as english\n/lang\n:press English\n:as nobody\n"
        ":as coordinator\n/invite\n:press 平岗市场监管所\n:press 联络员\n:quit\n"
    )
    out = io.StringIO()
    try:
        await repl(sandbox, stdin=stdin, out=out)
    finally:
        await sandbox.stop()
    text = out.getvalue()
    assert "[english: Alex]>" in text
    assert "Choose the interface language" in text
    assert "The interface language is now English." in text
    assert "unknown persona" in text
    link = re.search(r"https://t\.me/liaison_demo_bot\?start=[A-Za-z0-9_-]+", text)
    assert link is not None
    # the liaison opens the link by pasting it
    sandbox2_in = io.StringIO(f"{link.group(0)}\n:quit\n")
    out2 = io.StringIO()
    sandbox = Sandbox(config=load_config(), clock=FixedClock(DEMO_START), fast=True)
    await sandbox.start()
    try:
        await repl(sandbox, stdin=sandbox2_in, out=out2)
    finally:
        await sandbox.stop()
    assert f"张伟 › /start {link.group(0).rsplit('=', 1)[1]}" in out2.getvalue()


async def _campaign_transcript(name: str) -> str:
    from pathlib import Path

    from bot.demo_campaign import start_moment

    config = load_config(Path(__file__).resolve().parents[2] / "campaigns" / f"{name}.toml")
    sandbox = Sandbox(config=config, clock=FixedClock(start_moment(config, DEMO_START)), fast=True)
    await sandbox.start()
    out = io.StringIO()
    try:
        await play_script(sandbox, out=out)
    finally:
        await sandbox.stop()
    return out.getvalue()


async def test_yichun_walkthrough_files_its_annex_1_table() -> None:
    transcript = await _campaign_transcript("yichun-2023")
    assert "登记完成！您已登记为 袁州区市场监督管理局 的联络员" in transcript
    assert "请输入零售药店一行的七个数字" in transcript and "（自2023年7月1日起的累计数" in transcript
    assert "✅ 已提交：药品经营使用环节巩固提升行动工作情况统计表 · 2023年8月，第 1 项（第 1 版）" in transcript


async def test_yaohai_walkthrough_files_a_risk_consultation_by_its_declared_form() -> None:
    transcript = await _campaign_transcript("yaohai-2025")
    assert "请输入列入风险清单数（整数，0–1000项）" in transcript
    assert "列入风险清单数\n  3项" in transcript
    assert "✅ 已提交：药品安全风险会商 · 2025年第一季度，第 1 项（第 1 版）" in transcript


async def test_terminal_chat_saves_the_files_the_bot_sends_and_hints(tmp_path: Path) -> None:
    sandbox = Sandbox(config=load_config(), clock=FixedClock(DEMO_START), fast=True)
    await sandbox.start()
    stdin = io.StringIO(":as english\n/lang\n:as coordinator\n/export\n\n:quit\n")
    out = io.StringIO()
    try:
        await repl(sandbox, stdin=stdin, out=out, files_dir=tmp_path)
    finally:
        await sandbox.stop()
    text = out.getvalue()
    assert f"Files the bot sends are saved in {tmp_path}" in text
    assert "↳ :press 中文  :press English" in text  # the hint line names the buttons on screen
    assert "↳ type a message or a /command" in text
    saved = list(tmp_path.glob("*.xlsx"))
    assert saved and f"💾 {saved[0]}" in text
    assert saved[0].read_bytes()[:2] == b"PK"  # the workbook itself, as the bot sent it


async def test_the_browser_sandboxs_set_up_writes_nothing_on_the_loop() -> None:
    from bot.services.people.access import roles_of
    from bot.web import sandbox as web_sandbox

    sandbox = Sandbox(config=web_sandbox.with_signoff(load_config()), clock=FixedClock(DEMO_START), fast=True)
    await sandbox.start()
    try:
        before = sandbox.storage.on_loop.count
        await web_sandbox.prepare(sandbox)
        assert sandbox.storage.on_loop.count == before  # the head appointed in a worker thread (SQLite: a write on the loop is counted)
        head = roles_of(sandbox.app.bot_data["services"], web_sandbox.HEAD.user_id)
        assert head.head_units  # 王建国 is 平岗所's head
    finally:
        await sandbox.stop()
