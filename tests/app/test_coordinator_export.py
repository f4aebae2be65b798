"""/export, /compile, /chart through the emulator: the documents are opened and their content checked."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import openpyxl
import pytest
from docx import Document

from bot.clock import FixedClock
from bot.config import ReportType
from emulator import Emulator
from bot.models import SubmissionKind
from bot.services.coordinator import chart
from bot.services.coordinator import export
from bot.services.coordinator.paper import Labels
from bot.storage import Storage
from tests.app.helpers_coordinator import case_data, file, liaison, statistics_data, summary_data
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, campaign_config, start_bot, stop_bot

STATISTICS = ReportType.model_validate(
    {
        "key": "drug_statistics",
        "title": "药品经营使用环节巩固提升行动工作情况统计",
        "template": "statistics",
        "owed_by": ["所队"],
        "schedule": {"kind": "monthly", "day": 5, "covers": "previous_month"},
    }
)


@pytest.fixture
async def stats_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    """The shipped campaign plus a 附件1 statistics report (seed 001), at the fixed test moment."""
    base = campaign_config(emulator)
    config = campaign_config(emulator, report_types=[*base.report_types, STATISTICS])
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


def _document(bot: RunningBot, message: object) -> bytes:
    document = message.document  # type: ignore[attr-defined]
    assert document is not None
    return bot.emulator.state.files[document["file_id"]].data


async def test_export_is_refused_to_leaders(stats_bot: RunningBot) -> None:
    leader = stats_bot.emulator.user(LEADER, first_name="领导", language_code="zh-hans")
    reply = await ask(leader, "/export", "权限")
    assert reply.text == "您没有权限执行此操作。"


async def test_compile_cases_and_summaries_of_a_period(stats_bot: RunningBot) -> None:
    storage, now = stats_bot.storage, stats_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("销售假药", "某药店销售假药。\n查扣问题药品12盒。", "罚款5万元。"), at=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("无证经营药品案"), at=now, item_no=2)
    user = stats_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/compile 8月", "汇编")
    assert "典型案例 2 篇" in reply.text
    doc = Document(io.BytesIO(_document(stats_bot, reply)))
    texts = [p.text for p in doc.paragraphs]
    assert "平岗市场监管所报送销售假药案" in texts
    assert "平岗市场监管所报送无证经营药品案" in texts  # no doubled 案
    first = texts.index("平岗市场监管所报送销售假药案")
    assert texts[first + 2] == "一、案情概述" and texts[first + 3] == "某药店销售假药。" and texts[first + 4] == "查扣问题药品12盒。"
    assert texts[first + 5] == "二、查办结果" and texts[first + 6] == "罚款5万元。"

    file(storage, "pgs", "stage_summary", "2023-09-15", person=zhang, kind=SubmissionKind.summary, data=summary_data(basic="全所开展检查。"), at=now)
    stage = await ask(user, "/compile 第一阶段", "汇编")
    assert "工作总结 1 篇" in stage.text
    texts = [p.text for p in Document(io.BytesIO(_document(stats_bot, stage))).paragraphs]
    assert "平岗市场监管所阶段性工作总结（第一阶段）" in texts
    for heading in ("一、基本情况", "二、主要工作进展", "三、工作亮点", "四、意见建议", "五、其他"):
        assert heading in texts
    assert texts[texts.index("一、基本情况") + 1] == "全所开展检查。"
    empty = await ask(user, "/compile 10月", "没有可汇编")
    assert "2023年10月" in empty.text


async def test_chart_is_a_png_drawn_with_a_cjk_font(stats_bot: RunningBot) -> None:
    storage, now = stats_bot.storage, stats_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    user = stats_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/chart 工作组周报", "各单位按期报送情况")
    photo = reply.photo
    assert photo, "a picture is sent"
    data = stats_bot.emulator.state.files[photo[-1]["file_id"]].data
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
    assert export._statistics_title([report], "行动", Labels()) == expected
