"""Statistics, summary, confirmation, zero report, free report, coordinator return, /due, long previews."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.models import ObligationStatus, Person, SubmissionKind, SubmissionStatus
from bot.storage import Storage, due, submissions
from tests.app.submit_helpers import PDF, PNG, liaison_of, presses, says
from tests.fixtures.app import COORDINATOR, RunningBot

LIAISON = 7002

pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


def _obligation(storage: Storage, code: str, report_key: str, period_key: str) -> Any:
    unit = storage.units.get_unit_by_code(code=code)
    with storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == report_key and v.due_item.period_key == period_key)


async def test_statistics_checked_cell_by_cell_and_against_the_previous_filing(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: datetime
) -> None:
    person = liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    # an earlier filing of the cumulative table (July), to compare with
    unit_id = stats_bot.storage.units.get_unit_by_code(code="pgs").id
    with stats_bot.storage.session() as s:
        item = due.ensure_due_item(s, report_key="drug_stats", period_key="2023-07", period_label="2023年7月", due_at=now - timedelta(days=10), unit_codes=["pgs"], now=now)
        july = due.get_obligation(s, due_item_id=item.id, unit_id=unit_id)
        previous = {"retail": {"inspected": "20", "violating": "3", "rectified": "1", "cases": "1", "fines": "0.5", "revoked": "0", "police": "0"}}
        submissions.file_and_complete(s, obligation_id=july.id, person_id=person.id, kind=SubmissionKind.statistics, data={"values": {"row_retail": previous["retail"]}}, now=now - timedelta(days=12))
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    ask = await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    assert "检查单位数量（家）" in ask.text and "移送公安机关案件数量（家）" in ask.text
    problem = await says(user, "10 3 2", "需要 7 个数字，收到 3 个")
    assert "零售药店 × 检查单位数量（家）" in problem.text
    problem = await says(user, "10 12 2 1 0.5 x 0", "这一行没有记下")
    assert "零售药店 × 吊销许可证数量（家）：“x”不是数字" in problem.text
    problem = await says(user, "10 12 2 1 0.555 0 0", "这一行没有记下")
    assert "零售药店 × 罚没款金额（万元）：以万元为单位，最多两位小数" in problem.text
    problem = await says(user, "10 12 13 1 0.5 0 0", "这一行没有记下")
    assert "零售药店 × 发现违规单位数量（家）（12）不能大于检查单位数量（家）（10）" in problem.text
    assert "零售药店 × 完成整改单位数量（家）（13）不能大于发现违规单位数量（家）（12）" in problem.text
    await says(user, "10 3 2 1 0.5 0 0", "药品使用单位")
    await says(user, "5，1，1，0，0，0，0", "药品网络销售单位")
    lower = await says(user, "2 0 0 0 0 0 0", "以下数字比本单位上次报送的少")
    assert "零售药店 × 检查单位数量（家）：10，低于上次报送的 20" in lower.text
    await presses(user, "重新填写", "零售药店")
    await says(user, "20 3 2 1 0.5 0 0", "药品使用单位")
    await says(user, "5 1 1 0 0 0 0", "药品网络销售单位")
    preview = await says(user, "2 0 0 0 0 0 0", "请核对")
    assert "零售药店" in preview.text and "罚没款金额（万元）: 0.5" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    view = _obligation(stats_bot.storage, "pgs", "drug_stats", "2023-08")
    [filed] = stats_bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.kind is SubmissionKind.statistics
    assert filed.data["values"]["row_retail"] == {"inspected": "20", "violating": "3", "rectified": "2", "cases": "1", "fines": "0.5", "revoked": "0", "police": "0"}
    assert filed.data["values"]["row_users"]["inspected"] == "5"
    assert view.obligation.status is ObligationStatus.done


async def test_summary_by_sections_then_as_a_file(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "阶段性工作总结 · 第一阶段", "一、基本情况")
    await user.send_photo(PNG)
    await user.wait_for(lambda m: "不接受文件“photo.jpg”的格式" in m.text and "PDF, DOC, DOCX" in m.text)
    await says(user, "成立了工作专班。", "二、主要工作进展")
    await says(user, "检查药店 20 家。", "三、工作亮点")
    await says(user, "无", "四、意见建议")
    await says(user, "没有", "五、其他")
    preview = await says(user, "其他情况说明。", "请核对")
    assert "一、基本情况\n成立了工作专班。" in preview.text and "三、工作亮点\n无" in preview.text
    # change of mind: the whole summary as one file instead
    await presses(user, "✏️ 修改某项", "要修改哪一项")
    await presses(user, "一、基本情况", "一、基本情况")
    await user.send_document(PDF, "阶段总结.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "整份总结见附件" in preview.text and "阶段总结.pdf" in preview.text and "二、主要工作进展" not in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    view = _obligation(bot_app.storage, "pgs", "stage_summary", "2023-09-15")
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.data["values"] == {"as_file": True}
    assert [a.file_name for a in bot_app.storage.attachments.attachments_of(submission_id=filed.id)] == ["阶段总结.pdf"]


async def test_confirmation_with_a_screenshot_and_zero_report(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "“两品一械”案件查办统计数据（统计信息系统） · 2023年8月", "确认已录入")
    await user.send_photo(PNG.replace(b"\x89PNG", b"\xff\xd8\xff\xe0"))  # a JPEG screenshot
    await user.wait_for(lambda m: "已收到文件：photo.jpg" in m.text)
    await says(user, "已于8月15日录入。", "已记下")
    preview = await presses(user, "✅ 确认已录入", "请核对")
    assert "已在统计信息系统中录入" in preview.text and "已于8月15日录入。" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    view = _obligation(bot_app.storage, "pgs", "case_statistics", "2023-08")
    assert view.obligation.status is ObligationStatus.done
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.kind is SubmissionKind.confirmation and filed.data["values"]["note"] == "已于8月15日录入。"

    # 零报告 for the typical cases of August: the button reminders carry, then confirm
    cases = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    services = bot_app.app.bot_data["services"]
    await bot_app.app.bot.send_message(LIAISON, "提醒", reply_markup={"inline_keyboard": [[{"text": "零报告", "callback_data": services.buttons.pack(LIAISON, "zero", cases.obligation.id)}]]})
    preview = await presses(user, "零报告", "请核对")
    assert "零报告" in preview.text and "本期没有需要报送的内容" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    cases = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    assert cases.obligation.status is ObligationStatus.done
    [zero] = bot_app.storage.submissions.current_submissions(obligation_id=cases.obligation.id)
    assert zero.kind is SubmissionKind.zero


async def test_coordinator_returns_and_the_liaison_resubmits(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    # free any-time report (重大问题): text and a file, obligation created on demand
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "重大问题、特色做法及典型经验", "请发送要报送的内容")
    await says(user, "发现一起跨区域线索。", "已记下")
    await user.send_document(PDF, "线索.pdf", "application/pdf")
    await user.wait_for(lambda m: "已收到文件：线索.pdf" in m.text)
    await presses(user, "完成", "请核对")
    await presses(user, "✅ 确认提交", "已提交")

    listing = await says(coordinator, "/review", "待审核的报送共 1 份")
    assert any("平岗市场监管所" in b for b in listing.button_texts)
    await coordinator.press(listing.button_texts[0])
    opened = await coordinator.wait_for(lambda m: "发现一起跨区域线索" in m.text)
    assert "报送人：张联络" in opened.text
    sent_file = await coordinator.wait_for(lambda m: m.document is not None)
    assert sent_file.document["file_name"] == "线索.pdf"
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    preview = await says(coordinator, "请补充线索来源。", "确认退回并通知本单位联络员吗")
    assert "请补充线索来源。" in preview.text
    await presses(coordinator, "✅ 确认退回", "已通知本单位联络员：张联络")
    told = await user.wait_for(lambda m: "被退回修改" in m.text)
    assert "请补充线索来源。" in told.text

    unit = bot_app.storage.units.get_unit_by_code(code="pgs")
    with bot_app.storage.session() as s:
        [view] = [v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "major_issue"]
        [returned] = submissions.current_submissions(s, obligation_id=view.obligation.id)
    assert view.obligation.status is ObligationStatus.returned and view.due_item.period_key == "any"
    assert returned.status is SubmissionStatus.returned and returned.review_comment == "请补充线索来源。"

    # the liaison fixes it: prefilled, a new version; the coordinator accepts
    begin = await presses(user, "修改并重新提交", "请补充线索来源")
    assert "协调员退回了这份报送" in begin.text
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✏️ 修改某项", "要修改哪一项")
    await presses(user, "内容", "请发送要报送的内容")
    await says(user, "来源：群众举报。", "已记下")
    preview = await presses(user, "完成", "请核对")
    assert "发现一起跨区域线索。\n来源：群众举报。" in preview.text
    await presses(user, "✅ 确认提交", "第 1 项（第 2 版）")
    with bot_app.storage.session() as s:
        history = submissions.submission_history(s, obligation_id=view.obligation.id)
        reopened = due.get_obligation_view(s, obligation_id=view.obligation.id)
    assert [h.status for h in history] == [SubmissionStatus.superseded, SubmissionStatus.submitted]
    assert reopened is not None and reopened.obligation.status is ObligationStatus.done
    listing = await says(coordinator, "/review", "待审核的报送共 1 份")
    await coordinator.press(listing.button_texts[0])
    opened = await coordinator.wait_for(lambda m: "第 1 项（第 2 版）" in m.text)
    await coordinator.press("✅ 通过", opened)
    await coordinator.wait_for(lambda m: "已通过" in m.text)
    await user.wait_for(lambda m: "已审核通过" in m.text)


async def test_due_lists_statuses_and_long_previews_are_split(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    listing = await says(user, "/due", "平岗市场监管所 待报事项")
    assert "联络员信息表 · 联络员报送" in listing.text and "截止 2023年8月10日（星期四），已逾期未报" in listing.text
    assert "典型案例 · 2023年8月" in listing.text and "2023年9月2日（星期六），待报" in listing.text
    assert "第二阶段" not in listing.text  # 2023-11-15: beyond the 45-day window
    assert "随时可报：重大问题" in listing.text
    await presses(user, "阶段性工作总结 · 第一阶段", "一、基本情况")
    for section in ("甲" * 3000, "乙" * 3000, "无", "无"):
        await user.send(section)
        await user.wait_for(lambda m: "请输入" in m.text)
    await user.send("丙&" * 100)
    first = await user.wait_for(lambda m: "请核对" in m.text)
    rest = [await user.wait_for() for _ in range(1)]
    assert len(first.text) <= 4096 and all(len(m.text) <= 4096 for m in rest)
    assert first.buttons == [] and rest[-1].button_texts[0] == "✅ 确认提交"
    assert ("甲" * 3000) in first.text + rest[0].text and ("乙" * 3000) in first.text + rest[0].text
