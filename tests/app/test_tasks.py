"""工作任务 through the emulator: the config's tasks (seed 003), 签收, the lead unit's progress, a supporting unit's
part added to it, the chase of a task not acknowledged; the 附件5 layout imported, a bad row named by row and column."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from sqlmodel import select

from bot.context import SERVICES_KEY, Services
from bot.models import Task, TaskReport, TaskRole
from bot.services.tasks import progress
from tests.app.helpers_coordinator import liaison
from tests.app.levels_support import YC_COORDINATOR
from tests.fixtures.app import COORDINATOR, RunningBot

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _has(marker: str):  # type: ignore[no-untyped-def]
    return lambda m: marker in m.text


async def test_lead_reports_progress_and_a_supporting_unit_adds_its_part(ningxia_bot: RunningBot) -> None:
    now = ningxia_bot.clock.now()
    liaison(ningxia_bot.storage, "nx", telegram_user_id=7105, name="区局联络员", mobile="13900000005", now=now)
    liaison(ningxia_bot.storage, "gat", telegram_user_id=7106, name="公安联络员", mobile="13900000006", now=now)
    nx, gat = (ningxia_bot.emulator.user(uid, language_code="zh-hans") for uid in (7105, 7106))
    region = ningxia_bot.emulator.user(COORDINATOR, language_code="zh-hans")
    for user in (nx, gat, region):
        await user.ask("/start")

    await gat.send("/tasks")
    mine = await gat.wait_for(_has("工作任务"))
    assert "工作任务</b>" not in mine.text and "3 项" in mine.text  # 公安 supports 1, 3.2 and 3.3
    assert "3.2 加强行政执法与刑事司法衔接及行政执法与纪检监察贯通协同（牵头：自治区药品监督管理局；时限：持续推进）" in mine.text
    assert mine.button_texts == ["任务 1 ›", "任务 3.2 ›", "任务 3.3 ›"]

    # a day on, nobody has acknowledged: each unit is chased once per task
    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    later = now + timedelta(days=1)
    ningxia_bot.clock.set(later)
    assert await progress.chase(services, ningxia_bot.app.bot, now=later) == 3 + 10  # 公安's three; 区局 leads all ten
    chased = await gat.wait_for(_has("任务尚未签收：3.2"))
    assert chased.button_texts == ["签收", "任务 3.2 ›"]
    assert await progress.chase(services, ningxia_bot.app.bot, now=later + timedelta(hours=1)) == 0

    await nx.send("/tasks")
    await nx.wait_for(_has("工作任务"))
    await nx.press("任务 3.2 ›")
    task = await nx.wait_for(_has("具体内容"))
    assert "牵头单位：自治区药品监督管理局（未签收）" in task.text and "配合单位：自治区公安厅（未签收）" in task.text
    assert task.button_texts == ["签收（自治区药品监督管理局）", "报告进展（自治区药品监督管理局）"]
    await nx.press("签收（自治区药品监督管理局）", task)
    await nx.wait_for(_has("自治区药品监督管理局 已签收这项任务"))
    await nx.press("报告进展（自治区药品监督管理局）")
    await nx.wait_for(_has("牵头推进这项任务的进展情况"))
    await nx.send("已与公安厅联合督办案件3起，移送涉刑案件2件")
    await nx.wait_for(_has("已附文件 0 个"))
    await nx.send_document(b"%PDF-1.4\n%%EOF\n", "移送函.pdf")
    await nx.wait_for(_has("已收到文件“移送函.pdf”（共 1 个）"))
    await nx.press("提交")
    await nx.wait_for(_has("任务 3.2 的进展已提交"))
    told = await region.wait_for(_has("任务进展"))
    assert "牵头单位 自治区药品监督管理局：已与公安厅联合督办案件3起，移送涉刑案件2件（附件 1 个）" in told.text

    await gat.press("任务 3.2 ›", chased)
    shown = await gat.wait_for(_has("具体内容"))
    await gat.press("补充配合情况（自治区公安厅）", shown)
    await gat.wait_for(_has("将补充到牵头单位的任务中"))
    await gat.send("接收移送案件2件，已立案侦查1件")
    await gat.wait_for(_has("已附文件 0 个"))
    await gat.press("提交")
    await gat.wait_for(_has("任务 3.2 的进展已提交"))
    part = await nx.wait_for(_has("配合情况"))  # the lead unit hears of the supporting unit's part
    assert "配合单位 自治区公安厅：接收移送案件2件，已立案侦查1件" in part.text
    await nx.press("任务 3.2 ›", part)
    full = await nx.wait_for(_has("进展情况"))
    assert "自治区药品监督管理局（牵头，区局联络员）：已与公安厅联合督办案件3起" in full.text
    assert "自治区公安厅（配合，公安联络员）：接收移送案件2件" in full.text
    assert "配合单位：自治区公安厅（已签收）" in full.text  # reporting acknowledges
    with ningxia_bot.storage.session() as s:
        rows = s.exec(select(TaskReport).order_by(TaskReport.id)).all()
    assert [(r.role, len(r.attachment_ids)) for r in rows] == [(TaskRole.lead, 1), (TaskRole.support, 0)]

    await region.send("/export")
    doc = await region.wait_for(lambda m: m.document is not None)
    assert doc.document is not None
    book = openpyxl.load_workbook(io.BytesIO(ningxia_bot.emulator.state.files[doc.document["file_id"]].data))
    sheet = [list(r) for r in book["任务分工"].iter_rows(values_only=True)]
    assert sheet[1] == ["工作任务", "细化序号", "目标任务", "具体内容", "牵头单位", "配合单位", "未签收", "最新进展", "进展时间"]
    row = next(r for r in sheet if r[1] == "3.2")
    assert row[4:6] == ["自治区药品监督管理局", "自治区公安厅"] and row[6] in (None, "")  # both have acknowledged
    assert row[7] == "自治区药品监督管理局：已与公安厅联合督办案件3起，移送涉刑案件2件\n自治区公安厅：接收移送案件2件，已立案侦查1件"

    yc = ningxia_bot.emulator.user(YC_COORDINATOR, language_code="zh-hans")
    await yc.send("/tasks")
    city = await yc.wait_for(_has("工作任务"))
    assert "2.3 严格整治销号" in city.text and "4.2 强化部门联动" in city.text and "3.2" not in city.text  # 银川's part only


def _table(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["药品经营使用环节安全巩固提升行动任务分工表"])
    sheet.append(["工作任务", "细化序号", "目标任务", "具体内容", "责任单位", "配合单位"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_import_of_the_task_table_names_a_bad_row_then_brings_all_in(ningxia_bot: RunningBot) -> None:
    region = ningxia_bot.emulator.user(COORDINATOR, language_code="zh-hans")
    await region.send("/importtasks")
    await region.wait_for(_has("任务分工表"))
    bad = _table(
        ["一、严防严控药品安全风险", "A1", "药品经营使用环节风险隐患排查", "全面排查风险隐患。", "市、县", ""],
        ["", "A2", "严厉打击违法违规行为", "严厉打击网络违法销售药品。", "县", "公安部"],
    )
    await region.send_document(bad, "任务分工表.xlsx", XLSX)
    refused = await region.wait_for(_has("未导入任何任务"))
    assert "第 4 行「配合单位」（F4）：“公安部”，应为单位名称、代码或标签（如 市、县），未识别：公安部" in refused.text
    with ningxia_bot.storage.session() as s:
        assert s.exec(select(Task).where(Task.source == "import")).all() == []
    good = _table(
        ["一、严防严控药品安全风险", "A1", "药品经营使用环节风险隐患排查", "全面排查风险隐患。", "市、县", ""],
        ["", "A2", "严厉打击违法违规行为", "严厉打击网络违法销售药品。", "县", "自治区公安厅"],
    )
    await region.send_document(good, "任务分工表.xlsx", XLSX)
    await region.wait_for(_has("已导入 2 项任务"))
    with ningxia_bot.storage.session() as s:
        imported = {t.key: t for t in s.exec(select(Task).where(Task.source == "import"))}
    assert imported["A2"].group == "一、严防严控药品安全风险"  # carried down from the merged cell
    await region.send("/tasks")
    listing = await region.wait_for(_has("工作任务"))
    assert "A2 严厉打击违法违规行为（牵头：大武口区市场监督管理局、平罗县市场监督管理局、利通区市场监督管理局、金凤区市场监督管理局" in listing.text  # 县: every 县(区)
    assert listing.button_texts[-2:] == ["任务 A1 ›", "任务 A2 ›"]
