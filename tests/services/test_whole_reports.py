"""Reading reports given whole, pure parts: a summary's sections by the form's headings, a case in a filled
template's layout, a table found by its headers wherever it is in a sheet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.drafting.pasted import MAX_DOCUMENT, read_case
from bot.services.drafting.sections import read_sections
from bot.services.submissions.forms.locate import locate
from bot.services.submissions.forms.statistics import default_table

SECTIONS = [("basic", "一、基本情况"), ("progress", "二、主要工作进展"), ("highlights", "三、工作亮点"),
            ("suggestions", "四、意见建议"), ("other", "五、其他")]
TZ = ZoneInfo("Asia/Shanghai")


def test_headings_in_any_numbering_brackets_or_with_the_text_on_their_line() -> None:
    text = "某所工作总结\n1. 基本情况\n共有药店42家。\n(二)主要工作进展：检查42家次。\n【工作亮点】夜查。\n第四部分：意见建议\n无"
    assert read_sections(text, SECTIONS, limit=5000) == {
        "basic": "共有药店42家。", "progress": "检查42家次。", "highlights": "夜查。", "suggestions": "无"}


def test_one_heading_or_a_text_too_long_is_no_whole_summary() -> None:
    assert read_sections("一、基本情况\n共有药店42家。", SECTIONS, limit=5000) is None
    assert read_sections("一、基本情况\n甲\n二、主要工作进展\n乙", SECTIONS, limit=10) is None


def test_a_filled_template_keeps_its_own_lines_out_of_the_case() -> None:
    text = "\n".join(["附件8：", "药品安全巩固提升行动典型案例报送", "填报单位：平岗所", "报送要求：",
                      "1.各所、队负责收集、遴选本辖区内典型案例。", "平岗所报送某药店销售假药案", "（参考模板）", "一、案情概述",
                      "简要介绍案件主要违法情形、主要调查取证过程、问题产品查控情况等。", "当事人销售假药。",
                      "二、查办结果", "依据《药品管理法》，于2023年8月10日作出处罚决定，罚款5万元。"])
    case = read_case(text, now=datetime(2023, 9, 1, tzinfo=TZ), tz=TZ, limit=MAX_DOCUMENT)
    assert case is not None
    assert (case.title, case.overview) == ("平岗所报送某药店销售假药案", "当事人销售假药。")


def test_a_table_is_found_by_its_headers_below_a_title_and_right_of_other_columns() -> None:
    table = default_table()
    grid = {(1, 1): "统计表", (4, 2): "序号", (4, 3): "类别", (4, 4): "检查单位数量(家)", (4, 5): "发现违规单位数量（家）",
            (3, 6): "处理情况", (4, 6): "完成整改单位数量（家）", (4, 7): "已立案查处数量（件）", (4, 8): "罚没款金额（万元）",
            (4, 9): "移送公安机关案件数量（家）", (4, 10): "吊销许可证数量（家）",
            (5, 3): "1.零售药店", (6, 3): "药品使用单位", (7, 3): "其中：药品网络销售单位", (8, 3): "合计"}
    found = locate(grid, table)
    assert found.rows == {"retail": 5, "users": 6, "online": 7}
    assert found.columns == {"inspected": 4, "violating": 5, "rectified": 6, "cases": 7, "fines": 8, "police": 9, "revoked": 10}
