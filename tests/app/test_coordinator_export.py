"""/export, /compile, /chart through the emulator: the documents are opened and their content checked."""

from __future__ import annotations

import io

import pytest
from docx import Document

from bot.models import SubmissionKind
from bot.services.coordinator import chart
from bot.services.coordinator import statistics_sheets
from bot.services.coordinator.paper import Labels
from tests.app.helpers_coordinator import STATISTICS, case_data, file, liaison, summary_data
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot

def _document(bot: RunningBot, message: object) -> bytes:
    document = message.document  # type: ignore[attr-defined]
    assert document is not None
    return bot.emulator.state.files[document["file_id"]].data


async def test_export_is_refused_to_leaders(export_bot: RunningBot) -> None:
    leader = export_bot.emulator.user(LEADER, first_name="领导", language_code="zh-hans")
    reply = await ask(leader, "/export", "权限")
    assert reply.text == "您没有权限执行此操作。"


async def test_compile_cases_and_summaries_of_a_period(export_bot: RunningBot) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("销售假药", "某药店销售假药。\n查扣问题药品12盒。", "罚款5万元。"), at=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("无证经营药品案"), at=now, item_no=2)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/compile 8月", "汇编")
    assert "典型案例 2 篇" in reply.text
    doc = Document(io.BytesIO(_document(export_bot, reply)))
    texts = [p.text for p in doc.paragraphs]
    assert "平岗市场监管所报送销售假药案" in texts
    assert "平岗市场监管所报送无证经营药品案" in texts  # no doubled 案
    first = texts.index("平岗市场监管所报送销售假药案")
    assert texts[first + 2 : first + 4] == ["填报单位：平岗市场监管所", "填报日期：2023年8月16日"]
    assert texts[first + 4] == "一、案情概述" and texts[first + 5] == "某药店销售假药。" and texts[first + 6] == "查扣问题药品12盒。"
    assert texts[first + 7] == "二、查办结果" and texts[first + 8] == "罚款5万元。"

    file(storage, "pgs", "stage_summary", "2023-09-15", person=zhang, kind=SubmissionKind.summary, data=summary_data(basic="全所开展检查。"), at=now)
    stage = await ask(user, "/compile 第一阶段", "汇编")
    assert "工作总结 1 篇" in stage.text
    texts = [p.text for p in Document(io.BytesIO(_document(export_bot, stage))).paragraphs]
    assert "平岗市场监管所阶段性工作总结（第一阶段）" in texts
    for heading in ("一、基本情况", "二、主要工作进展", "三、工作亮点", "四、意见建议", "五、其他"):
        assert heading in texts
    assert texts[texts.index("一、基本情况") + 1] == "全所开展检查。"
    empty = await ask(user, "/compile 10月", "没有可汇编")
    assert "2023年10月" in empty.text


async def test_chart_is_a_png_drawn_with_a_cjk_font(export_bot: RunningBot) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/chart 工作组周报", "各单位按期报送情况")
    photo = reply.photo
    assert photo, "a picture is sent"
    data = export_bot.emulator.state.files[photo[-1]["file_id"]].data
    assert data.startswith(b"\x89PNG")
    names = ["案件查办工作组", "能力提升工作组", "药械化工作组", "综合协调组", "工作组周报", "按时逾期补报未报未到期"]
    font = chart.cjk_font("".join(names))
    assert chart.glyphs_missing(font, names) == set()  # no empty boxes
    del zhang


@pytest.mark.parametrize(
    ("title", "expected"),
    [("药品经营使用环节统计表", "药品经营使用环节统计表"), ("药品经营使用环节巩固提升行动工作情况统计", "药品经营使用环节巩固提升行动工作情况统计表"), ("药品经营使用环节", "药品经营使用环节工作情况统计表")],
)
def test_statistics_title_names_the_table_once(title: str, expected: str) -> None:
    report = STATISTICS.model_copy(update={"title": title})
    assert statistics_sheets.title_of([report], "行动", Labels()) == expected
