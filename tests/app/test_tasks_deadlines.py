"""A task's deadlines through the emulator: task 2.3 of campaigns/ningxia.toml asks its lead units (区、市、县) for
monthly progress by the 5th. Each period is a due item reminded like a report (once per moment), shown in /due and
/tasks yellow when near and red when overdue, and filed by the unit's progress report (立即报送 opens it)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
from sqlmodel import col, select

from bot.context import SERVICES_KEY, Services
from bot.models import DueItem, Obligation, ObligationStatus, Task, Unit
from bot.services.deadlines import due_items
from bot.services.reminders import timer
from emulator.control import UserHandle
from tests.app.helpers_coordinator import liaison
from tests.app.levels_support import YC_COORDINATOR
from tests.fixtures.app import RunningBot

TZ = ZoneInfo("Asia/Shanghai")
TITLE = "任务2.3 严格整治销号"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _has(marker: str):  # type: ignore[no-untyped-def]
    return lambda m: marker in m.text


def _reminders(user: UserHandle) -> list[str]:
    return [m.text for m in user.messages if TITLE in m.text and "提醒" in m.text]


async def _due(user: UserHandle) -> str:
    user.skip_pending()
    await user.send("/due")
    return (await user.wait_for(_has("待报事项"))).text


async def _tasks_line(user: UserHandle) -> str:
    user.skip_pending()
    await user.send("/tasks")
    listing = await user.wait_for(_has("工作任务"))
    return next(line for line in listing.text.splitlines() if " 2.3 " in line)


async def test_monthly_progress_of_a_task_is_reminded_once_per_moment_and_filed_by_the_progress_report(ningxia_bot: RunningBot) -> None:
    now = ningxia_bot.clock.now()
    liaison(ningxia_bot.storage, "yc-xq", telegram_user_id=7301, name="兴庆联络员", mobile="13900000011", now=now)
    liaison(ningxia_bot.storage, "yc-jf", telegram_user_id=7302, name="金凤联络员", mobile="13900000012", now=now)
    xq, jf = (ningxia_bot.emulator.user(uid, language_code="zh-hans") for uid in (7301, 7302))
    for user in (xq, jf):
        await user.ask("/start")
    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    with ningxia_bot.storage.session() as s:
        task = s.exec(select(Task).where(Task.key == "2.3")).one()
        items = s.exec(select(DueItem).where(DueItem.report_key == f"task_{task.id}").order_by(col(DueItem.due_at))).all()
        owing = s.exec(select(Unit.code).join(Obligation, col(Obligation.unit_id) == Unit.id).where(Obligation.due_item_id == items[0].id)).all()
    # July's progress was due on 5 August, before the task existed: not owed; August's is due on 5 September
    assert items[0].due_at == datetime(2023, 9, 5, 23, 59, 59, tzinfo=TZ)
    assert items[-1].due_at.astimezone(TZ).date().isoformat() == "2024-12-05"  # (due items end with the campaign)
    assert sorted(owing) == ["nx", "szs", "szs-dwk", "szs-pl", "wz", "wz-lt", "yc", "yc-jf", "yc-xq", "yc-xx"]  # 区、市、县 lead it
    assert f"🔲 {TITLE} · 2023年8月" in await _due(xq)
    assert (await _tasks_line(xq)).startswith("⚪ 2.3 严格整治销号（牵头：") and "时限：2023年9月5日" in await _tasks_line(xq)

    # three days before: one reminder per unit and moment, however often the timer runs
    at = datetime(2023, 9, 2, 9, 0, tzinfo=TZ)
    ningxia_bot.clock.set(at)
    await timer.process_due_moments(services, ningxia_bot.app.bot, now=at)
    await timer.process_due_moments(services, ningxia_bot.app.bot, now=at + timedelta(minutes=5))
    reminder = await xq.wait_for(_has(TITLE))
    assert "兴庆区市场监督管理局" in reminder.text and "（2023年8月）尚未报送" in reminder.text and "还有 3 天" in reminder.text
    await jf.wait_for(_has(TITLE))
    assert len(_reminders(xq)) == 1 and len(_reminders(jf)) == 1
    assert f"🔲 {TITLE} · 2023年8月" in await _due(xq)  # due in more than 3 days

    # 立即报送 opens the task's progress report; submitting it files August for 兴庆区
    await xq.press("立即报送", reminder)
    await xq.wait_for(_has("牵头推进这项任务的进展情况"))
    await xq.send("8月排查问题12个，已整改销号9个")
    await xq.wait_for(_has("已附文件 0 个"))
    await xq.press("提交")
    await xq.wait_for(_has("任务 2.3 的进展已提交"))
    with ningxia_bot.storage.session() as s:
        states = dict(s.exec(select(Unit.code, Obligation.status).join(Unit, col(Unit.id) == Obligation.unit_id).where(Obligation.due_item_id == items[0].id)).all())
        done = s.exec(select(Obligation).join(Unit, col(Unit.id) == Obligation.unit_id).where(Unit.code == "yc-xq", Obligation.due_item_id == items[0].id)).one()
    assert states["yc-xq"] == ObligationStatus.done and not done.late and states["yc-jf"] == ObligationStatus.open
    assert f"✅ {TITLE} · 2023年8月" in await _due(xq)
    # a second report before the deadline files nothing ahead: September's progress is still owed
    xq.skip_pending()
    await xq.send("/tasks")
    await xq.wait_for(_has("工作任务"))
    await xq.press("任务 2.3 ›")
    await xq.wait_for(_has("具体内容"))
    await xq.press("报告进展（兴庆区市场监督管理局）")
    await xq.wait_for(_has("牵头推进这项任务的进展情况"))
    await xq.send("补充：另有2个问题正在整改")
    await xq.wait_for(_has("已附文件 0 个"))
    await xq.press("提交")
    await xq.wait_for(_has("任务 2.3 的进展已提交"))
    with ningxia_bot.storage.session() as s:
        september = s.exec(select(Obligation).join(Unit, col(Unit.id) == Obligation.unit_id).where(Unit.code == "yc-xq", Obligation.due_item_id == items[1].id)).one()
    assert september.status == ObligationStatus.open
    assert (await _tasks_line(xq)).startswith("📝 2.3 ") and "时限：2023年10月5日" in await _tasks_line(xq)

    # the day before and the day after: only 金凤区, which has not reported, is reminded; yellow, then red
    for day, mark in ((4, "🟡"), (6, "🔴")):
        moment = datetime(2023, 9, day, 9, 0, tzinfo=TZ)
        ningxia_bot.clock.set(moment)
        await timer.process_due_moments(services, ningxia_bot.app.bot, now=moment)
        assert len(_reminders(jf)) == (2 if day == 4 else 3)  # (sent: the send returned)
        assert f"{mark} {TITLE} · 2023年8月" in await _due(jf)
        assert (await _tasks_line(jf)).startswith(f"{mark} 2.3 ")
    assert len(_reminders(xq)) == 1 and len(_reminders(jf)) == 3
    assert "逾期提醒" in _reminders(jf)[-1]

    # the 情况通报 of 银川's coordinator names the 银川 units that have not reported (兴庆区 has)
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, language_code="zh-hans")
    await yc.send("/bulletin")
    bulletin = (await yc.wait_for(_has("情况通报"))).text
    line = next(x for x in bulletin.splitlines() if x.startswith("🔴 任务2.3"))
    assert line == "🔴 任务2.3 严格整治销号（2023年8月）：银川市市场监督管理局、金凤区市场监督管理局、西夏区市场监督管理局"

    # and /outstanding shows the task's August like a report's period, 银川's units only
    yc.skip_pending()
    await yc.send("/outstanding")
    block = (await yc.wait_for(_has(TITLE))).text.split(f"{TITLE} · 2023年8月\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines()[0].endswith("逾期 1 天，3 个单位未报")
    assert [line.split(" — ")[0].split(". ", 1)[1] for line in block.splitlines()[1:]] == ["银川市市场监督管理局", "金凤区市场监督管理局", "西夏区市场监督管理局"]


def _table(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工作任务", "细化序号", "目标任务", "具体内容", "责任单位", "配合单位", "完成时限", "进展报送"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_imported_tasks_with_a_deadline_and_monthly_progress_are_owed_by_their_lead_units(ningxia_bot: RunningBot) -> None:
    from tests.fixtures.app import COORDINATOR

    region = ningxia_bot.emulator.user(COORDINATOR, language_code="zh-hans")
    await region.send("/importtasks")
    await region.wait_for(_has("任务分工表"))
    row = ["一、严防严控药品安全风险", "B1", "药品经营使用环节风险隐患排查", "全面排查。", "银川市市场监督管理局", "", "", "每月"]
    await region.send_document(_table(row), "任务分工表.xlsx", XLSX)
    refused = await region.wait_for(_has("未导入任何任务"))
    assert "第 2 行「进展报送」（H2）：“每月”，应为“每月5日”这样的写法" in refused.text
    rows = [row[:7] + ["每月10日"], ["", "B2", "完成专项整治总结", "形成总结报告。", "yc", "", "2023年12月31日", ""]]
    await region.send_document(_table(*rows), "任务分工表.xlsx", XLSX)
    await region.wait_for(_has("已导入 2 项任务"))

    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    await due_items.resync_if_changed(services, now=ningxia_bot.clock.now())  # (the job does it within a minute)
    with ningxia_bot.storage.session() as s:
        made = {t.key: t.id for t in s.exec(select(Task).where(Task.source == "import"))}
        owed = s.exec(
            select(DueItem.report_key, DueItem.period_label, DueItem.due_at, Unit.code)
            .join(Obligation, col(Obligation.due_item_id) == DueItem.id).join(Unit, col(Unit.id) == Obligation.unit_id)
            .where(col(DueItem.report_key).in_([f"task_{made['B1']}", f"task_{made['B2']}"])).order_by(col(DueItem.due_at))
        ).all()
    monthly = [(label, at.astimezone(TZ).date().isoformat()) for key, label, at, code in owed if key == f"task_{made['B1']}"]
    assert monthly[:2] == [("2023年8月", "2023-09-10"), ("2023年9月", "2023-10-10")]
    once = [(label, at.astimezone(TZ), code) for key, label, at, code in owed if key == f"task_{made['B2']}"]
    assert once == [("完成时限", datetime(2023, 12, 31, 23, 59, 59, tzinfo=TZ), "yc")]
    assert {code for *_, code in owed} == {"yc"}


async def test_the_chase_of_a_task_not_acknowledged_waits_for_the_end_of_the_quiet_hours(ningxia_bot: RunningBot) -> None:
    from bot.services.tasks import progress

    now = ningxia_bot.clock.now()
    liaison(ningxia_bot.storage, "yc-xq", telegram_user_id=7331, name="兴庆联络员", mobile="13900000041", now=now)
    xq = ningxia_bot.emulator.user(7331, language_code="zh-hans")
    await xq.ask("/start")
    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    for night in (datetime(2023, 8, 17, 23, 0, tzinfo=TZ), datetime(2023, 8, 18, 7, 0, tzinfo=TZ), datetime(2023, 8, 18, 8, 0, tzinfo=TZ)):
        assert await progress.chase(services, ningxia_bot.app.bot, now=night) == 0  # quiet hours (22:00-07:30), then before 09:00
    morning = datetime(2023, 8, 18, 9, 0, tzinfo=TZ)
    assert await progress.chase(services, ningxia_bot.app.bot, now=morning) == 2  # 兴庆区 leads 2.3 and 4.2
    assert [m.text.splitlines()[0] for m in xq.messages if "尚未签收" in m.text] == ["📌 任务尚未签收：2.3 严格整治销号", "📌 任务尚未签收：4.2 强化部门联动"]
