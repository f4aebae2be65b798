"""An update is handled without a database call on the event loop (the real bot, SQLite and PostgreSQL;
issue 15).

The update's claim and the read of who its user is, the handler's reads and writes, the menus' check
and record: each is made in a worker thread, so that one user's wait on the database (a round trip; on
SQLite another connection's write lock, up to the busy timeout) holds up no one else's update, no
reminder and no send. `Storage.on_loop` names every connection taken on the loop's thread."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.models import Person, ReminderStatus, Role
from bot.services.reminders import delivery, recovery
from bot.storage import Storage
from emulator import Emulator
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.app.test_reminders import CASES, MINUS_1D, MINUS_3D, _until, liaison, process, reminder_messages
from tests.app.test_reminders_stuck import claim
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, campaign_config, start_bot, stop_bot

LIAISON = 7702


def on_loop(bot: RunningBot) -> Counter[str]:
    """What the bot's own code took on the loop (not the test's set-up and checks, which run there too)."""
    sites = bot.storage.on_loop.sites or Counter()
    return Counter({site: n for site, n in sites.items() if not site.startswith("tests/")})


async def test_a_liaisons_commands_and_a_whole_filing_make_no_database_call_on_the_loop(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await user.ask("/start")
    user.skip_pending()
    bot_app.storage.on_loop.sites = Counter()
    await says(user, "/help", "可用命令")
    await says(user, "/due", "阶段性工作总结")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "阶段性工作总结 · 第一阶段", "一、基本情况")
    await says(user, "成立了工作专班。", "二、主要工作进展")
    await says(user, "检查药店 20 家。", "三、工作亮点")
    await says(user, "无", "四、意见建议")
    await says(user, "没有", "五、其他")
    await says(user, "其他情况说明。", "请核对")
    await presses(user, "✏️ 修改某项", "要修改哪一项")
    await presses(user, "一、基本情况", "一、基本情况")
    await user.send_document(PDF, "阶段总结.pdf", "application/pdf")
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✅ 确认提交", "已提交")
    await says(user, "/status", "")
    found = on_loop(bot_app)
    assert found == Counter(), "\n".join(f"{n} {site}" for site, n in found.most_common())


async def test_a_coordinators_views_a_wave_and_the_digest_make_no_database_call_on_the_loop(
    emulator: Emulator, storage: Storage, now: datetime, make_person: Callable[..., Person], make_liaison: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(delivery, "BACKOFF_S", 0.01)
    coordinator = emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")  # (their chats exist before the start)
    leader = emulator.user(LEADER)
    bot_app = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator)
    try:
        await coordinator.ask("/start")  # (the start's catch-up could not message them: 403, never started; now they can be)
        await leader.ask("/start")
        users = [await liaison(bot_app, make_person, make_liaison, code, 7710 + i) for i, code in enumerate(("pgs", "shs"))]
        blocked = await liaison(bot_app, make_person, make_liaison, "sys", 7720)
        bot_app.storage.on_loop.sites = Counter()
        for command in ("/outstanding", "/status", "/liaisons", "/review", "/invite"):
            coordinator.skip_pending()
            await coordinator.ask(command)
        # a new deadline (the timer re-armed for it, the liaisons told)
        coordinator.skip_pending()
        await coordinator.ask("/deadline")
        await coordinator.ask("重大问题跟进")
        await coordinator.press("全部单位")
        await coordinator.wait_for(lambda m: "截止时间？" in m.text)
        await coordinator.ask("9月15日前")
        await coordinator.press("文字或文件")
        await coordinator.wait_for(lambda m: "请确认" in m.text)
        await coordinator.press("✅ 确认新增")
        await coordinator.wait_for(lambda m: "已新增" in m.text)
        await process(bot_app, datetime(2023, 8, 17, 1, 0, tzinfo=UTC))  # 09:00: the coordinators' digest, the leader's escalation
        await _until(lambda: any("每日汇总" in m.text for m in coordinator.messages) and any("逾期超过" in m.text for m in leader.messages))

        # A wave of reminders to the units that owe, with what a wave meets: a 5xx answered (tried again), a
        # send dropped after Telegram did it (probed: found), a liaison who blocked the bot (403), and a
        # claim a dead process left stuck (probed at the next sweep: not there, sent).
        emulator.faults.block(7720)
        emulator.faults.fail_next(1, 502, method="sendMessage", chat_id=7710)
        emulator.faults.drop_next(1, method="sendMessage", after=True, chat_id=7711)
        stuck = claim(bot_app, "sys", 7720, at=MINUS_3D - timedelta(minutes=5))
        await process(bot_app, MINUS_3D)
        assert all(len(reminder_messages(u)) == 1 for u in users)
        await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=1))
        assert bot_app.storage.reminders.get_reminder(reminder_id=stuck).status != ReminderStatus.pending
        assert reminder_messages(blocked) == []
        # A send failed every time in a row: the row left failed, tried again by a later sweep (and sent).
        late = await liaison(bot_app, make_person, make_liaison, "sys", 7721, role=Role.backup)
        emulator.faults.unblock(7720)
        emulator.faults.fail_next(delivery.MAX_ATTEMPTS, 503, method="sendMessage", chat_id=7721)
        failed = claim(bot_app, "sys", 7721, at=MINUS_3D)
        row = bot_app.storage.reminders.get_reminder(reminder_id=failed)
        await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=3))
        row = bot_app.storage.reminders.get_reminder(reminder_id=failed)
        assert row.status == ReminderStatus.failed, (row.status, row.last_error)
        await process(bot_app, MINUS_3D + recovery.STUCK_AFTER + timedelta(minutes=10))
        assert bot_app.storage.reminders.get_reminder(reminder_id=failed).status == ReminderStatus.sent
        assert len(reminder_messages(late)) == 1
        found = on_loop(bot_app)
        assert found == Counter(), "\n".join(f"{n} {site}" for site, n in found.most_common())
    finally:
        await stop_bot(bot_app)


def _where(site: str) -> str:
    """A site without its line numbers and callers: `path function`."""
    first = site.split(" <- ")[0]
    path, _, rest = first.partition(":")
    return f"{path} {rest.split(' ', 1)[1]}"


async def test_a_nudge_tasks_and_problems_make_no_database_call_on_the_loop(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    """Sites found by counting every call on the loop over the whole suite: the nudge's plan and claims, /tasks,
    /newproblem's first question, the ad-hoc or task report type a wave or a nudge looks up."""
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7741)
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await coordinator.ask("/start")
    bot_app.clock.set(MINUS_1D)
    bot_app.storage.on_loop.sites = Counter()
    await coordinator.ask("/remind")
    await coordinator.press(CASES)
    choose = await coordinator.wait_for()
    await coordinator.press(next(b for b in choose.button_texts if b.startswith("2023年8月")))
    await coordinator.wait_for()
    await coordinator.press("确认催办")
    await coordinator.wait_for(lambda m: "已催办" in m.text, timeout=10)
    await user.wait_for(lambda m: "催办" in m.text)
    for command in ("/tasks", "/newproblem", "/announcements"):
        coordinator.skip_pending()
        await coordinator.ask(command)
    found = on_loop(bot_app)
    assert found == Counter(), "\n".join(f"{n} {site}" for site, n in found.most_common())
