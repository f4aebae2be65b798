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


async def test_export_workbook_register_statistics_and_roster(stats_bot: RunningBot) -> None:
    storage, now = stats_bot.storage, stats_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    li = liaison(storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now)
    # statistics are cumulative: pgs files July then a newer version of August; only its latest counts
    file(storage, "pgs", "drug_statistics", "2023-08", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(1), at=now)
    file(storage, "pgs", "drug_statistics", "2023-08", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(4), at=now + timedelta(hours=1))
    file(storage, "shs", "drug_statistics", "2023-08", person=li, kind=SubmissionKind.statistics, data=statistics_data(2), at=now + timedelta(days=30))
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("销售假药"), at=now)

    user = stats_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/export", "报送台账")
    book = openpyxl.load_workbook(io.BytesIO(_document(stats_bot, reply)))
    assert book.sheetnames[:2] == ["报送台账", "统计汇总 2023年8月"]  # the period's own summary
    assert "平岗市场监管所" in book.sheetnames and "史河市场监管所" in book.sheetnames
    assert book.sheetnames[-1] == "联络员名册"

    register = list(book["报送台账"].iter_rows(values_only=True))
    assert register[0][:6] == ("单位代码", "单位名称", "报送事项", "期次", "截止时间", "状态")
    pgs_stats = next(r for r in register if r[0] == "pgs" and r[2] == STATISTICS.title and r[3] == "2023年8月")
    assert pgs_stats[4] == datetime(2023, 9, 5, 23, 59, 59)  # the deadline, local time
    assert pgs_stats[5] == "按时" and pgs_stats[7] == "否" and pgs_stats[8] == 2  # version 2
    tz = stats_bot.config.campaign.tz
    assert pgs_stats[6] == (now + timedelta(hours=1)).astimezone(tz).replace(tzinfo=None)  # version 2's time, local
    shs_stats = next(r for r in register if r[0] == "shs" and r[2] == STATISTICS.title and r[3] == "2023年8月")
    assert shs_stats[5] == "逾期补报" and shs_stats[7] == "是"
    liaison_form = next(r for r in register if r[0] == "sys" and r[2] == "联络员信息表")
    assert liaison_form[5] == "未报" and liaison_form[7] == "是" and liaison_form[8] is None
    # not filed and not yet due (typical cases of August, due 2 September): 未到期, as in the chart, not 未报
    shs_case = next(r for r in register if r[0] == "shs" and r[2] == "典型案例" and r[3] == "2023年8月")
    assert shs_case[4] > now.astimezone(tz).replace(tzinfo=None)
    assert shs_case[5] == "未到期" and shs_case[7] == "否"
    assert not any(r[5] == "未报" and r[4] > now.astimezone(tz).replace(tzinfo=None) for r in register[1:])

    total = list(book["统计汇总 2023年8月"].iter_rows(values_only=True))
    assert total[0][0] == "药品经营使用环节巩固提升行动工作情况统计表"  # the title completed once, not doubled
    header = next(i for i, r in enumerate(total) if r[0] == "类别")
    assert total[header][1] == "检查单位数量（家）" and len(total[header]) >= 8
    for offset, name in enumerate(("零售药店", "药品使用单位", "药品网络销售单位"), start=1):
        row = total[header + offset]
        assert row[0] == name
        units = [list(book[u].iter_rows(values_only=True))[header + offset] for u in ("平岗市场监管所", "史河市场监管所")]
        for column in range(1, 8):
            assert row[column] == pytest.approx(sum(u[column] for u in units))
    # pgs's latest (base 4) + shs (base 2): retail inspected 40 + 20
    assert total[header + 1][1] == 60 and total[header + 1][5] == pytest.approx(4.5 + 2.5)

    roster = list(book["联络员名册"].iter_rows(values_only=True))
    assert roster[1] == ("序号", "单位名称", "角色", "姓名", "所在部门", "职务", "办公电话", "移动电话", "电子邮箱")
    assert any(r[1] == "平岗市场监管所" and r[3] == "张三" and r[7] == "13800000001" for r in roster)
    assert any(r[1] == "三元市场监管所" and r[2] == "（未登记）" for r in roster)


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
    assert export._statistics_title([report], "行动") == expected


async def test_statistics_summary_per_period_names_the_missing_and_the_increment(stats_bot: RunningBot) -> None:
    """Two months: pgs files both, shs only September; each month sums its own filings only."""
    storage, now = stats_bot.storage, stats_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    li = liaison(storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now)
    file(storage, "pgs", "drug_statistics", "2023-08", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(1), at=now)
    file(storage, "pgs", "drug_statistics", "2023-09", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(3), at=now + timedelta(hours=1))
    file(storage, "shs", "drug_statistics", "2023-09", person=li, kind=SubmissionKind.statistics, data=statistics_data(2), at=now + timedelta(hours=2))

    user = stats_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/export", "报送台账")
    book = openpyxl.load_workbook(io.BytesIO(_document(stats_bot, reply)))
    assert [n for n in book.sheetnames if n.startswith("统计汇总")] == ["统计汇总 2023年9月", "统计汇总 2023年8月"]

    august = list(book["统计汇总 2023年8月"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(august) if r[0] == "类别")
    # August: pgs only (base 1: retail inspected 10); shs is missing, not filled from September
    assert august[header + 1][:2] == ("零售药店", 10) and august[header + 1][5] == pytest.approx(1.5)
    missing = next(r[0] for r in august if isinstance(r[0], str) and r[0].startswith("未报单位"))
    assert "史河市场监管所" in missing and "平岗市场监管所" not in missing
    assert "已报 1 个单位" in august[1][0]

    september = list(book["统计汇总 2023年9月"].iter_rows(values_only=True))
    assert september[header + 1][:2] == ("零售药店", 30 + 20)  # pgs (base 3) + shs (base 2)
    missing = next(r[0] for r in september if isinstance(r[0], str) and r[0].startswith("未报单位"))
    assert "史河市场监管所" not in missing and "平岗市场监管所" not in missing and "三元市场监管所" in missing
    # cumulative: September's increment is pgs's 30 − 10 plus shs's first filing, 20
    start = next(i for i, r in enumerate(september) if isinstance(r[0], str) and r[0].startswith("本期新增"))
    increment = september[start + 2]
    assert increment[0] == "零售药店" and increment[1] == 20 + 20 and increment[5] == pytest.approx((3.5 - 1.5) + 2.5)


async def test_no_statistics_summary_without_a_table(bot_app: RunningBot) -> None:
    """叶集区 (the shipped config) confirms its case statistics in the national system: no 统计汇总 sheet."""
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/export", "报送台账")
    book = openpyxl.load_workbook(io.BytesIO(_document(bot_app, reply)))
    assert not any(n.startswith("统计汇总") for n in book.sheetnames)
    assert book.sheetnames == ["报送台账", "联络员名册"]
