"""A summary pasted whole or uploaded as .docx (附件9/附件3 headings) fills the form's sections; a statistics
table in the unit's own Excel layout (other cells, title rows, merged headers, columns in another order,
another sheet) is found by its headers and checked as the template is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.models import ObligationStatus, Person
from bot.storage import Storage, due
from tests.app.documents import DOCX, XLSX, docx, workbook
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7071

pytestmark = pytest.mark.usefixtures("files_dir")

PASTED = """平岗所药品安全巩固提升行动阶段性工作总结
一、基本情况
辖区共有零售药店42家、医疗机构15家。
（二）主要工作进展：检查零售药店42家次，发现问题5个，已整改4个。
【工作亮点】开展夜查行动。"""


def _obligation(storage: Storage, report_key: str, period_key: str) -> Any:
    unit = storage.units.get_unit_by_code(code="pgs")
    with storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id)
                    if v.due_item.report_key == report_key and v.due_item.period_key == period_key)


def _filed(storage: Storage, report_key: str, period_key: str) -> tuple[dict[str, Any], list[str]]:
    view = _obligation(storage, report_key, period_key)
    assert view.obligation.status is ObligationStatus.done
    [filed] = storage.submissions.current_submissions(obligation_id=view.obligation.id)
    return dict(filed.data["values"]), [a.file_name for a in storage.attachments.attachments_of(submission_id=filed.id)]


async def _at_summary(bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> Any:
    liaison_of(bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "阶段性工作总结 · 第一阶段", "一、基本情况")
    return user


async def test_a_summary_pasted_whole_asks_only_the_sections_it_lacks(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_summary(bot_app, make_person, make_liaison)
    read = await says(user, PASTED, "已从您发送的整篇总结中识别出")
    assert "一、基本情况、二、主要工作进展、三、工作亮点" in read.text and "还需要补充：四、意见建议、五、其他。" in read.text
    await user.wait_for(lambda m: "四、意见建议" in m.text)
    await says(user, "无", "五、其他")
    preview = await says(user, "无", "请核对")
    assert "二、主要工作进展\n检查零售药店42家次，发现问题5个，已整改4个。" in preview.text
    assert "平岗所药品安全巩固提升行动阶段性工作总结" not in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    values, names = _filed(bot_app.storage, "stage_summary", "2023-09-15")
    assert values == {"basic": "辖区共有零售药店42家、医疗机构15家。", "progress": "检查零售药店42家次，发现问题5个，已整改4个。",
                      "highlights": "开展夜查行动。", "suggestions": "无", "other": "无"}
    assert names == []


async def test_a_summary_docx_fills_every_section_and_is_kept(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_summary(bot_app, make_person, make_liaison)
    document = docx(["附件9：", "药品安全巩固提升行动（阶段性）", "工作总结报告", "一、基本情况", "成立工作专班。",
                     "二、主要工作进展", "（此部分内容需对照药品安全巩固提升行动方案中“工作措施”有关要求，说明工作开展情况）",
                     "检查药店20家。", "完成整改3家。", "三、工作亮点", "无", "四、意见建议", "加强培训。", "五、其他", "无"])
    await user.send_document(document, "阶段总结.docx", DOCX)
    read = await user.wait_for(lambda m: "已从您发送的整篇总结中识别出" in m.text)
    assert "需要的内容都已识别" in read.text
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "二、主要工作进展\n检查药店20家。\n完成整改3家。" in preview.text and "此部分内容" not in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    values, names = _filed(bot_app.storage, "stage_summary", "2023-09-15")
    assert values["progress"] == "检查药店20家。\n完成整改3家。" and values["suggestions"] == "加强培训。" and "as_file" not in values
    assert names == ["阶段总结.docx"]


async def test_one_heading_is_an_ordinary_answer_and_a_docx_without_headings_is_the_whole_summary(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_summary(bot_app, make_person, make_liaison)
    await user.send_document(docx(["我所本阶段工作总结如下。", "成立了专班，检查药店20家。"]), "总结.docx", DOCX)
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "整份总结见附件" in preview.text and "总结.docx" in preview.text
    assert not [m for m in user.history if "整篇总结" in m.text]
    await presses(user, "✏️ 修改某项", "一、基本情况")  # by sections after all
    await says(user, "基本情况：成立了专班。", "二、主要工作进展")
    assert not [m for m in user.history if "整篇总结" in m.text]
    # at the second section, the summary written under its headings after all: the sections it has are taken
    await user.send_document(docx(["二、主要工作进展", "检查药店20家。", "三、工作亮点", "无"]), "进展.docx", DOCX)
    read = await user.wait_for(lambda m: "已从您发送的整篇总结中识别出" in m.text)
    assert "二、主要工作进展、三、工作亮点" in read.text and "还需要补充：四、意见建议、五、其他。" in read.text
    await says(user, "无", "五、其他")
    preview = await says(user, "无", "请核对")
    assert "一、基本情况\n基本情况：成立了专班。" in preview.text and "二、主要工作进展\n检查药店20家。" in preview.text  # typed: kept as typed


# The unit's own layout: a notes sheet first; on the second, a title merged over two rows, 填报单位, the
# header in rows 5–6 (类别 merged down, 检查情况 merged over three columns), the table from column B with
# a 序号 column, 移送公安 before 吊销, a 合计 row and a note below.
def _own(cells: dict[str, Any]) -> bytes:
    sheet = {
        "A1": "宜春市药品经营使用环节巩固提升行动工作情况统计表（2023年8月）", "A3": "填报单位：平岗市场监管所（盖章）",
        "B5": "序号", "C5": "类别", "D5": "检查情况", "D6": "检查单位数量 (家)", "E6": "发现违规单位数量(家)",
        "F6": "完成整改单位数量（家）", "G5": "已立案查处数量（件）", "H5": "罚没款金额（万元）",
        "I5": "移送公安机关案件数量（家）", "J5": "吊销许可证数量（家）",
        "B7": 1, "C7": "零售药店", "B8": 2, "C8": "药品使用单位", "B9": 3, "C9": "药品网络销售单位", "C10": "合计",
        "B12": "注：本统计表内数据为自2023年7月1号起累计数据。", **cells,
    }
    merged = ["A1:J2", "B5:B6", "C5:C6", "D5:F5", "G5:G6", "H5:H6", "I5:I6", "J5:J6"]
    return workbook({"填表说明": {"A1": "请填写第二张表。"}, "报表": sheet}, {"报表": merged})


FIGURES = {
    **dict(zip(("D7", "E7", "F7", "G7", "H7", "I7", "J7"), (12, 3, 2, 1, 0.5, 1, 0), strict=True)),
    **dict(zip(("D8", "E8", "F8", "G8", "H8", "I8", "J8"), (5, 1, 1, 0, 0, 0, 0), strict=True)),
    **dict(zip(("D9", "E9", "F9", "G9", "H9", "I9", "J9"), (2, 0, 0, 0, 1.25, 0, 0), strict=True)),
    **dict(zip(("D10", "E10", "F10", "G10", "H10", "I10", "J10"), (19, 4, 3, 1, 1.75, 1, 0), strict=True)),
}


async def test_a_table_in_the_units_own_layout_is_found_by_its_headers(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")

    # the declared checks apply as for the template, each problem by the cell of this layout
    await user.send_document(_own({**FIGURES, "E8": 6, "I9": "x"}), "本所报表.xlsx", XLSX)
    problems = await user.wait_for(lambda m: "有以下问题" in m.text)
    assert "E8 药品使用单位 × 发现违规单位数量（家）（6）不能大于检查单位数量（家）（5）" in problems.text
    assert "I9 药品网络销售单位 × 移送公安机关案件数量（家）：“x”不是数字" in problems.text

    # a column the table lacks is named
    lacking = _own(FIGURES)
    await user.send_document(workbook({"报表": {k: v for k, v in _cells_without_j(lacking).items()}}), "缺列.xlsx", XLSX)
    missing = await user.wait_for(lambda m: "有以下问题" in m.text and "缺列.xlsx" in m.text)
    assert "吊销许可证数量（家）：表中没有找到这一列" in missing.text

    await user.send_document(_own(FIGURES), "本所报表.xlsx", XLSX)
    await user.wait_for(lambda m: "已读取统计表：本所报表.xlsx" in m.text)
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✅ 确认提交", "已提交")
    values, names = _filed(stats_bot.storage, "drug_stats", "2023-08")
    assert values == {
        "row_retail": {"inspected": "12", "violating": "3", "rectified": "2", "cases": "1", "fines": "0.5", "revoked": "0", "police": "1"},
        "row_users": {"inspected": "5", "violating": "1", "rectified": "1", "cases": "0", "fines": "0", "revoked": "0", "police": "0"},
        "row_online": {"inspected": "2", "violating": "0", "rectified": "0", "cases": "0", "fines": "1.25", "revoked": "0", "police": "0"},
    }
    assert names == ["本所报表.xlsx"]


def _cells_without_j(data: bytes) -> dict[str, Any]:
    """The second sheet's cells of a workbook, column J (吊销) left out."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["报表"]
    return {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None and c.column_letter != "J"}
