"""Ad-hoc deadlines (/deadline) are reminded like configured report types, also after a restart.

The test clock starts at 2023-08-16 10:00 Asia/Shanghai (a Wednesday). Ad-hoc deadlines are
reminded -1d@09:00, 0d@09:00 and +1d@09:00 (local); the campaign's quiet hours are 22:00-07:30.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import TemplateKind
from bot.models import ReminderStatus, Role
from bot.services.deadlines import adhoc
from bot.services.reminders import plan as core_plan
from bot.services.reminders import timer as core_timer
from bot.storage import due
from schedules import parse_when
from tests.app.test_coordinator import ask
from tests.app.test_reminders import liaison, process, services_of
from tests.fixtures.app import COORDINATOR, RunningBot, start_bot, stop_bot

TITLE = "汛期专项检查"


def local(bot: RunningBot, *args: int) -> datetime:
    return datetime(*args, tzinfo=bot.config.campaign.tz).astimezone(UTC)  # type: ignore[misc]


def titled(user: Any, title: str = TITLE) -> list[Any]:
    return [m for m in user.messages if title in m.text and ("提醒" in m.text)]


def file_adhoc(bot: RunningBot, key: str, code: str) -> None:
    unit = bot.storage.units.get_unit_by_code(code=code)
    with bot.storage.session() as s:
        item = due.get_due_item(s, report_key=key, period_key=adhoc.PERIOD_KEY)
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[union-attr]
        due.mark_obligation_done(s, obligation_id=obligation.id, now=bot.clock.now())  # type: ignore[union-attr]


def create(bot: RunningBot, phrase: str, codes: list[str], title: str = TITLE) -> adhoc.Created:
    services = services_of(bot)
    when = parse_when(phrase, now=bot.clock.now(), tz=bot.config.campaign.tz)
    assert when is not None
    return adhoc.create(
        services, title=title, template=TemplateKind.FREE, when=when, tags=[], unit_codes=codes, person_id=None, now=bot.clock.now()
    )


async def test_a_deadline_added_in_chat_reminds_owing_non_filers_once(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    pgs = await liaison(bot_app, make_person, make_liaison, "pgs", 8001)
    pgs_backup = await liaison(bot_app, make_person, make_liaison, "pgs", 8002, Role.backup)
    shs = await liaison(bot_app, make_person, make_liaison, "shs", 8003)
    outsider = await liaison(bot_app, make_person, make_liaison, "sys", 8004)
    # Thursday 08:59:55; nothing configured is due at 09:00 today, and the timer armed at start
    # points days ahead (real seconds): only the re-arm on confirm makes 09:00 come in time.
    bot_app.clock.set(local(bot_app, 2023, 8, 24, 8, 59, 55))
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(coordinator, "/deadline", "请发送事项名称")
    await ask(coordinator, TITLE, "谁需要报送")
    await coordinator.press("指定单位…")
    await coordinator.wait_for(lambda m: "请发送单位名称" in m.text)
    await ask(coordinator, "平岗市场监管所、shs", "截止时间？")
    echoed = await ask(coordinator, "明天下午5点", "截止时间：")
    assert "2023年8月25日（星期五） 17:00" in echoed.text
    await coordinator.press("文字或文件")
    await coordinator.wait_for(lambda m: "请确认" in m.text)
    await coordinator.press("✅ 确认新增")
    await coordinator.wait_for(lambda m: "已新增" in m.text)
    file_adhoc(bot_app, "adhoc_1", "shs")  # shs files before the reminder
    [job] = bot_app.app.job_queue.get_jobs_by_name(core_timer.TICK_JOB)  # type: ignore[union-attr]
    assert job.data == local(bot_app, 2023, 8, 24, 9, 0)  # re-armed for the -1d@09:00 reminder

    message = await pgs.wait_for(lambda m: TITLE in m.text and "提醒" in m.text, timeout=15)  # (after its announcement: test_notices_deadline)
    assert "临时报送" in message.text and "2023-08-25 17:00" in message.text and "还有 1 天" in message.text
    assert "立即报送" in message.button_texts
    await asyncio.sleep(0.3)
    # the same moment again (a sweep, another process): nothing new
    await process(bot_app, local(bot_app, 2023, 8, 24, 9, 1))
    await asyncio.sleep(0.2)
    assert len(titled(pgs)) == 1
    assert len(titled(pgs_backup)) == 1  # backups get reminders too (backup_gets_reminders)
    assert titled(shs) == [] and titled(outsider) == []
    rows = [r for r in bot_app.storage.reminders.reminders_for() if r.kind == "reminder"]
    assert len(rows) == 2 and all(r.status == ReminderStatus.sent for r in rows)

    # on the day, 09:00: the one unit still owing gets its second (and only its second) reminder
    await process(bot_app, local(bot_app, 2023, 8, 25, 9, 0))
    texts = [m.text for m in titled(pgs)]
    assert len(texts) == 2 and "今天截止" in texts[1]
    assert titled(shs) == [] and titled(outsider) == []
    # the day after: overdue
    await process(bot_app, local(bot_app, 2023, 8, 26, 9, 0))
    assert len(titled(pgs)) == 3 and "逾期" in titled(pgs)[-1].text


async def test_adhoc_moments_fall_sensibly(bot_app: RunningBot) -> None:
    services = services_of(bot_app)
    day_only = create(bot_app, "9月15日前", ["pgs"], title="按日")
    with_time = create(bot_app, "下周五下午5点", ["pgs"], title="按时")
    tz = bot_app.config.campaign.tz
    assert day_only.report.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") == "2023-09-15 23:59:59"  # end of that day
    assert with_time.report.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") == "2023-08-25 17:00"
    by_key: dict[str, list[str]] = {}
    for m in core_plan.plan(services):
        if m.report_key.startswith(adhoc.PREFIX):
            by_key.setdefault(m.report_key, []).append(m.at.astimezone(tz).strftime("%m-%d %H:%M") + ("!" if m.overdue else ""))
    assert by_key[day_only.report.key] == ["09-14 09:00", "09-15 09:00", "09-16 09:00!"]
    assert by_key[with_time.report.key] == ["08-24 09:00", "08-25 09:00", "08-26 09:00!"]
    # configured moments are still there, in time order
    plan = core_plan.plan(services)
    assert any(m.report_key == "typical_case" for m in plan)
    assert [m.at for m in plan] == sorted(m.at for m in plan)


async def test_a_deadline_added_after_its_first_moment_does_not_send_it_at_once(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    pgs = await liaison(bot_app, make_person, make_liaison, "pgs", 8101)
    created = create(bot_app, "明天下午5点", ["pgs"])  # -1d@09:00 is today 09:00: an hour ago, before it existed
    summary = await process(bot_app, bot_app.clock.now() + timedelta(minutes=1))
    assert not [m for m in summary.moments if m.startswith(created.report.key)]
    assert titled(pgs) == []
    await process(bot_app, local(bot_app, 2023, 8, 17, 9, 0))
    assert len(titled(pgs)) == 1


async def test_a_restart_keeps_adhoc_deadlines_and_their_reminders(bot_app: RunningBot, make_person: Any, make_liaison: Any) -> None:
    pgs = await liaison(bot_app, make_person, make_liaison, "pgs", 8201)
    sys_ = await liaison(bot_app, make_person, make_liaison, "sys", 8202)
    created = create(bot_app, "下周五下午5点", ["pgs", "shs"])
    item_id = created.due_item.id
    await stop_bot(bot_app)
    bot_app.clock.set(local(bot_app, 2023, 8, 24, 9, 30))  # down across the -1d@09:00 moment (within grace)
    again = await start_bot(bot_app.config, bot_app.storage, bot_app.clock, bot_app.emulator)  # syncs config units and due items
    try:
        message = await pgs.wait_for(lambda m: TITLE in m.text, timeout=10)  # the catch-up run at start
        assert "还有 1 天" in message.text
        with again.storage.session() as s:
            item = due.get_due_item(s, report_key=created.report.key, period_key=adhoc.PERIOD_KEY)
            assert item is not None and item.id == item_id and item.due_at == created.report.due_at
            owing = sorted(v.unit.code for v in due.obligations_of_due_item(s, due_item_id=item_id))  # type: ignore[arg-type]
        assert owing == ["pgs", "shs"]
        assert services_of(again).storage.adhoc.get_adhoc_report(key=created.report.key) is not None
        await process(again, local(bot_app, 2023, 8, 24, 9, 45))
        await asyncio.sleep(0.2)
        assert len(titled(pgs)) == 1 and titled(sys_) == []
    finally:
        await stop_bot(again)
