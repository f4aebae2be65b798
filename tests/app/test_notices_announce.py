"""Announcements with receipts (通知 + 回执): sent once to each liaison of the chosen units, with their files,
confirmed with one button, followed up in /announcements and nudged; in both languages; a bound coordinator's scope."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.models import Person, ReminderKind, Role
from bot.services.reminders import timer
from tests.app.notices_support import coordinator, texts, until
from tests.app.submit_helpers import PDF
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

PGS, PGS_B, SHS, OUT = 7002, 7004, 7003, 7005  # 平岗's A and B角 (English), 史河's (also a B角 of 平岗), a 股室's
EN_COORDINATOR, BOUND = 9002, 9003
NOTICE = "关于报送汛期检查情况的通知：请于8月25日前报送。<附件见下>"


async def test_announcement_receipts_and_nudge(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    storage = bot_app.storage
    units = {c: storage.units.get_unit_by_code(code=c) for c in ("pgs", "shs", "zhg")}
    make_liaison(units["pgs"], make_person(PGS, name="甲", language="zh-CN"))
    make_liaison(units["pgs"], make_person(PGS_B, name="Bee", language="en"), role=Role.backup)
    shs_person = make_person(SHS, name="乙", language="zh-CN")
    make_liaison(units["shs"], shs_person)
    make_liaison(units["pgs"], shs_person, role=Role.backup)
    make_liaison(units["zhg"], make_person(OUT, name="丙", language="zh-CN"))
    coordinator(bot_app, make_person, EN_COORDINATOR, language="en")
    coordinator(bot_app, make_person, BOUND, language="zh-CN", unit_code="shs")
    emu = bot_app.emulator
    a, b, shs, out = (emu.user(i, first_name=n) for i, n in ((PGS, "甲"), (PGS_B, "Bee"), (SHS, "乙"), (OUT, "丙")))
    for user in (a, b, shs, out):
        await user.ask("/start")

    user = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(user, "/announce", "请发送通知内容")
    long = await ask(user, "字" * 3001, "不能超过 3000 字")
    assert "现在 3001 字" in long.text
    await ask(user, NOTICE, "已记下")
    await user.send_document(PDF, "汛期检查通知.pdf", "application/pdf")
    await user.wait_for(lambda m: "已收到文件：汛期检查通知.pdf" in m.text)
    await user.press("下一步 »")
    await user.wait_for(lambda m: "发给哪些单位" in m.text)
    await user.press("所队")
    preview = await user.wait_for(lambda m: "请确认" in m.text)
    assert "发送对象：所队（7 个单位，3 位联络员）" in preview.text and "汛期检查通知.pdf" in preview.text and "&lt;附件见下&gt;" in preview.source
    await user.press("✅ 发送")
    await user.wait_for(lambda m: "通知已发出：7 个单位，3 位联络员" in m.text)

    got = await a.wait_for(lambda m: "📢" in m.text)
    assert got.text.startswith("📢 通知（综合协调组）") and NOTICE in got.text and got.button_texts == ["✅ 已阅，回执"]
    await a.wait_for(lambda m: m.document is not None and m.document.get("file_name") == "汛期检查通知.pdf")
    got_en = await b.wait_for(lambda m: "📢" in m.text)
    assert got_en.text.startswith("📢 Notice") and NOTICE in got_en.text and got_en.button_texts == ["✅ Read, confirm"]
    await shs.wait_for(lambda m: "📢" in m.text)
    # exactly once each (乙 serves two of the units), whatever sweeps come; not to a unit without the tag
    services = bot_app.app.bot_data["services"]
    await timer.process_due_moments(services, bot_app.app.bot, now=bot_app.clock.now())
    await asyncio.sleep(0.3)
    assert [len(texts(u, "📢")) for u in (a, b, shs, out)] == [1, 1, 1, 0]
    assert len([r for r in storage.reminders.reminders_for() if r.kind == ReminderKind.notice]) == 3

    # 乙 confirms with one press: 史河 and 平岗 both count as confirmed
    await shs.press("✅ 已阅，回执")
    await shs.wait_for(lambda m: "已回执" in m.text and "📢" not in m.text)
    assert any(ans.get("text") == "已回执" for ans in shs.callback_answers)

    listing = await ask(user, "/announcements", "通知回执")
    assert "已回执 2/7 个单位" in listing.text
    await user.press("#1 关于报送汛期检查情况的通知：请于8月25日前报…（未回执 5）")
    detail = await user.wait_for(lambda m: "未回执：" in m.text)
    assert "平岗" not in detail.text and "史河" not in detail.text and "• 孙岗市场监管所（无联络员）" in detail.text
    # 平岗 confirmed through 乙, its B角: nobody left to nudge there; the units with no liaison cannot be nudged
    assert detail.button_texts == []

    # a second notice to all units; the English coordinator follows it up and nudges
    await ask(user, "/announce", "请发送通知内容")
    await ask(user, "请各单位更新联络员信息。", "已记下")
    await user.press("下一步 »")
    await user.wait_for(lambda m: "发给哪些单位" in m.text)
    await user.press("全部单位")
    await user.wait_for(lambda m: "请确认" in m.text)
    await user.press("✅ 发送")
    await user.wait_for(lambda m: "通知已发出" in m.text)
    await until(lambda: len(texts(out, "📢")) == 1 and len(texts(a, "📢")) == 2)
    await a.press("✅ 已阅，回执", a.messages[[i for i, m in enumerate(a.messages) if "更新联络员" in m.text][-1]])
    await a.wait_for(lambda m: "已回执（" in m.text)

    en = emu.user(EN_COORDINATOR, first_name="Su", language_code="en")
    listing_en = await ask(en, "/announcements", "Notice receipts")
    assert "confirmed by 1/" in listing_en.text and "confirmed by 2/7 units" in listing_en.text
    await en.press([bt for bt in listing_en.button_texts if bt.startswith("#2")][0])
    detail_en = await en.wait_for(lambda m: "Not confirmed:" in m.text)
    assert "• 综合股 (丙)" in detail_en.text and "平岗" not in detail_en.text
    await en.press(detail_en.button_texts[0])
    nudged = await en.wait_for(lambda m: m.text.startswith("Nudged"))
    assert "2 sent" in nudged.text  # 丙 (综合股) and 乙 (史河); 甲 confirmed for 平岗
    again = await out.wait_for(lambda m: "催办回执" in m.text)
    assert "请各单位更新联络员信息。" in again.text
    assert len(texts(a, "催办回执")) == 0
    # nudging again at once: held back (nudge_interval)
    await ask(en, "/announcements", "Notice receipts")
    await en.press([bt for bt in en.last.button_texts if bt.startswith("#2")][0])  # type: ignore[union-attr]
    await en.wait_for(lambda m: "Not confirmed:" in m.text)
    await en.press(en.last.button_texts[0])  # type: ignore[union-attr]
    held = await en.wait_for(lambda m: m.text.startswith("Nudged") and "0 sent" in m.text)
    assert "2 nudged too recently" in held.text

    # the coordinator bound to 史河 sees only 史河 in either notice
    bound = emu.user(BOUND, first_name="史", language_code="zh-hans")
    mine = await ask(bound, "/announcements", "通知回执")
    assert mine.text.count("已回执 1/1 个单位") == 1 and mine.text.count("已回执 0/1 个单位") == 1  # #1 confirmed, #2 not
    assert "/7" not in mine.text and "/13" not in mine.text
