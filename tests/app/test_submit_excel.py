"""The 附件1 统计表 by Excel (#6): the blank template on request, problems by cell, a corrected upload filed;
and a file sent before choosing the report is used at the step that takes it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from bot.models import ObligationStatus, Person
from bot.storage import Storage, due
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7003
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the seed's 附件1 (001_*.txt): the header row and the three categories, as printed there
SEED_HEADER = "类别	检查单位数量 (家)	发现违规单位数量 (家)	完成整改单位数量 (家)	已立案查处数量(件)	罚没款金额 (万元)	吊销许可证数量(家)	移送公安机关案件数量(家)"
SEED_CATEGORIES = ("零售药店", "药品使用单位", "药品网络销售单位")


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


def _same(header: str) -> str:
    """A header as printed in the seed or the template: spaces and the width of brackets aside."""
    return re.sub(r"\s+", "", header).replace("(", "（").replace(")", "）")


def _filled(blank: bytes, cells: dict[str, Any]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(blank))
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = {
    **dict(zip(("B5", "C5", "D5", "E5", "F5", "G5", "H5"), (10, 3, 2, 1, 0.5, 0, 0), strict=True)),
    **dict(zip(("B6", "C6", "D6", "E6", "F6", "G6", "H6"), (5, 1, 1, 0, 0, 0, 0), strict=True)),
    **dict(zip(("B7", "C7", "D7", "E7", "F7", "G7", "H7"), (2, 0, 0, 0, 1.25, 0, 0), strict=True)),
}


def _obligation(storage: Storage, code: str, report_key: str, period_key: str) -> Any:
    unit = storage.units.get_unit_by_code(code=code)
    with storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == report_key and v.due_item.period_key == period_key)


async def test_statistics_by_excel_template_problems_by_cell_then_filed(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    ask = await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    assert "获取空白统计表" in ask.button_texts and "填好后直接上传 Excel 文件" in ask.text

    # the blank template: 附件1's layout, 3 categories × 7 columns, 填报单位 and 时间 filled in
    await presses(user, "获取空白统计表", "这是空白统计表（附件1）")
    sent = await user.wait_for(lambda m: m.document is not None)
    assert sent.document is not None and sent.document["file_name"].endswith(".xlsx")
    blank = stats_bot.emulator.state.files[sent.document["file_id"]].data
    sheet = openpyxl.load_workbook(io.BytesIO(blank)).active
    assert sheet["A1"].value == "药品经营使用环节巩固提升行动工作情况统计表"
    assert sheet["A2"].value == "填报单位：平岗市场监管所" and sheet["A3"].value == "时间：2023年8月"
    header = [sheet.cell(row=4, column=c).value for c in range(1, 9)]
    assert [_same(h) for h in header] == [_same(h) for h in SEED_HEADER.split("\t")]
    assert tuple(sheet.cell(row=r, column=1).value for r in (5, 6, 7)) == SEED_CATEGORIES
    assert all(sheet.cell(row=r, column=c).value is None for r in (5, 6, 7) for c in range(2, 9))
    assert "累计" in sheet["A8"].value

    # not an .xlsx, the old .xls, a damaged .xlsx: each refused with why; the step stays
    await user.send_document(PDF, "统计表.pdf", "application/pdf")
    await user.wait_for(lambda m: "不接受文件“统计表.pdf”的格式" in m.text and "XLSX" in m.text)
    await user.send_document(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "统计表.xls", "application/vnd.ms-excel")
    await user.wait_for(lambda m: "旧版 Excel（.xls）" in m.text and "另存为" in m.text)
    await user.send_document(blank[: len(blank) // 2], "坏表.xlsx", XLSX)
    await user.wait_for(lambda m: "无法打开文件“坏表.xlsx”" in m.text)

    # an upload with errors: every problem by its Excel cell, nothing kept, the flow goes on
    wrong = _filled(blank, {**GOOD, "C5": 12, "D6": "x", "F7": 0.555, "H7": None})
    await user.send_document(wrong, "统计表.xlsx", XLSX)
    problems = await user.wait_for(lambda m: "有以下问题" in m.text)
    assert "C5 零售药店 × 发现违规单位数量（家）（12）不能大于检查单位数量（家）（10）" in problems.text
    assert "D6 药品使用单位 × 完成整改单位数量（家）：“x”不是数字" in problems.text
    assert "F7 药品网络销售单位 × 罚没款金额（万元）：以万元为单位，最多两位小数" in problems.text
    assert "H7 药品网络销售单位 × 移送公安机关案件数量（家）：没有填写" in problems.text
    assert "获取空白统计表" in problems.button_texts
    person = stats_bot.storage.people.get_person_by_telegram_id(telegram_user_id=LIAISON)
    [draft] = stats_bot.storage.drafts.drafts_of(person_id=person.id)
    assert draft.state == "row_retail" and draft.data["values"] == {}

    # the corrected upload: read, previewed, filed
    await user.send_document(_filled(blank, GOOD), "统计表.xlsx", XLSX)
    await user.wait_for(lambda m: "已读取统计表：统计表.xlsx" in m.text)
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "罚没款金额（万元）: 0.5" in preview.text and "罚没款金额（万元）: 1.25" in preview.text and "📎 统计表.xlsx" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    view = _obligation(stats_bot.storage, "pgs", "drug_stats", "2023-08")
    assert view.obligation.status is ObligationStatus.done
    [filed] = stats_bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.data["values"] == {
        "row_retail": {"inspected": "10", "violating": "3", "rectified": "2", "cases": "1", "fines": "0.5", "revoked": "0", "police": "0"},
        "row_users": {"inspected": "5", "violating": "1", "rectified": "1", "cases": "0", "fines": "0", "revoked": "0", "police": "0"},
        "row_online": {"inspected": "2", "violating": "0", "rectified": "0", "cases": "0", "fines": "1.25", "revoked": "0", "police": "0"},
    }
    [kept] = stats_bot.storage.attachments.attachments_of(submission_id=filed.id)
    assert kept.file_name == "统计表.xlsx"


async def test_a_workbook_sent_before_choosing_is_read_at_once(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    from bot.services.submissions.forms.workbook import blank_workbook

    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await user.send_document(_filled(blank_workbook(), GOOD), "8月统计表.xlsx", XLSX, caption="8月统计表")
    await user.wait_for(lambda m: "请先选择它属于哪一项报送" in m.text)
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "开始报送")
    await user.wait_for(lambda m: "已把您先前发送的文件“8月统计表.xlsx”用作“统计表”" in m.text)
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "罚没款金额（万元）: 1.25" in preview.text
    assert not any("需要 7 个数字" in m.text for m in user.messages)  # the caption is not taken for a row
    await presses(user, "✅ 确认提交", "已提交")
    view = _obligation(stats_bot.storage, "pgs", "drug_stats", "2023-08")
    [filed] = stats_bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.data["values"]["row_online"]["fines"] == "1.25"


async def test_files_sent_before_choosing_are_used_at_their_step(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    # a case: the 决定书 sent first waits for its step instead of being asked for again
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    await user.wait_for(lambda m: "请先选择它属于哪一项报送" in m.text)
    await presses(user, "典型案例 · 2023年8月", "开始报送")
    await user.wait_for(lambda m: "已保存您先前发送的文件“决定书.pdf”，到“行政处罚决定书”这一步时会自动使用" in m.text)
    await says(user, None, "案件名称")
    await says(user, "某药店销售假药案", "案情概述")
    await says(user, "概述", "查办结果")
    await says(user, "结果", "处罚决定日期")
    await says(user, "8月10日", "罚没款金额")
    await says(user, "5000元", "移送公安机关")
    await presses(user, "否", "已把您先前发送的文件“决定书.pdf”用作“行政处罚决定书”")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "决定书.pdf" in preview.text
    assert not any("请发送<b>行政处罚决定书</b>" in (m.source or "") for m in user.messages)
    await presses(user, "✅ 确认提交", "已提交")
    case = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=case.obligation.id)
    assert [a.file_name for a in bot_app.storage.attachments.attachments_of(submission_id=filed.id)] == ["决定书.pdf"]

    # a summary: the file sent first is the whole summary
    await user.send_document(PDF, "阶段总结.pdf", "application/pdf")
    await user.wait_for(lambda m: "请先选择它属于哪一项报送" in m.text)
    await presses(user, "阶段性工作总结 · 第一阶段", "开始报送")
    await user.wait_for(lambda m: "已把您先前发送的文件“阶段总结.pdf”用作“整份总结”" in m.text)
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "整份总结见附件" in preview.text and "阶段总结.pdf" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    summary = _obligation(bot_app.storage, "pgs", "stage_summary", "2023-09-15")
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=summary.obligation.id)
    assert filed.data["values"] == {"as_file": True}
