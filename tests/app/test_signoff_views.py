"""宜春 (campaigns/yichun-2023.toml): what waits for the unit head's sign-off (待审核) is shown as such
everywhere and never counted as filed: a 零报告 from a reminder's button, /status, /outstanding, the
export's register; and the 统计汇总 is per period (two months, one unit missing in one)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.clock import FixedClock
from bot.config import People, TelegramSettings, load_config
from bot.models import Obligation, ObligationStatus, SubmissionKind, SubmissionStatus
from bot.services.reminders import timer
from bot.storage import Storage, signoff
from emulator import Emulator
from tests.app.helpers_coordinator import file, liaison, statistics_data
from tests.app.submit_helpers import presses
from tests.app.test_coordinator import ask
from tests.app.test_signoff_yichun import CAMPAIGN, HEAD, LIAISON, _head, _obligation
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, start_bot, stop_bot

pytestmark = pytest.mark.usefixtures("files_dir")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def yichun_zero_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    """宜春, with a 零报告 allowed for the signed-off 附件1 statistics."""
    config = load_config(CAMPAIGN)
    report_types = [r.model_copy(update={"zero_report": True}) if r.key == "drug_statistics" else r for r in config.report_types]
    config = config.model_copy(update={
        "report_types": report_types,
        "telegram": TelegramSettings(api_url=emulator.url),
        "people": People(coordinators=[COORDINATOR], leaders=[LEADER]),
    })
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


async def _export(bot: RunningBot, coordinator: Any) -> openpyxl.Workbook:
    reply = await ask(coordinator, "/export", "报送台账")
    assert reply.document is not None
    return openpyxl.load_workbook(io.BytesIO(bot.emulator.state.files[reply.document["file_id"]].data))


async def test_a_zero_report_from_a_reminder_waits_for_sign_off_and_every_view_says_so(yichun_zero_bot: RunningBot, now: datetime) -> None:
    bot, storage = yichun_zero_bot, yichun_zero_bot.storage
    liaison(storage, "yuanzhou", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=now)
    _head(storage, "yuanzhou", HEAD, now)
    user = bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    head = bot.emulator.user(HEAD, first_name="王", language_code="zh-hans")
    coordinator = bot.emulator.user(COORDINATOR, first_name="苏", language_code="zh-hans")
    for someone in (head, user):
        await someone.send("/start")
        await someone.wait_for()

    # 2023-09-02 09:00, three days before the 5th: the reminder offers 零报告
    moment = datetime(2023, 9, 2, 9, 0, tzinfo=SHANGHAI)
    bot.clock.set(moment)
    await timer.process_due_moments(bot.app.bot_data["services"], bot.app.bot, now=moment)
    reminder = await user.wait_for(lambda m: "尚未报送" in m.text and "统计表" in m.text)
    assert "零报告" in reminder.button_texts
    await presses(user, "零报告", "请核对")
    await presses(user, "✅ 确认提交", "已提交单位负责人审核")
    request = await head.wait_for(lambda m: "请审核" in m.text)
    assert "袁州区市场监督管理局" in request.text and "零报告" in request.text
    view = _obligation(storage, "yuanzhou")
    assert view.obligation.status is ObligationStatus.awaiting
    [zero] = storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert zero.kind is SubmissionKind.zero and zero.status is SubmissionStatus.pending

    # /status and /outstanding: 待审核 apart, neither filed nor missing
    status = await ask(coordinator, "/status drug_statistics", "报送情况")
    assert "按时 0 · 逾期补报 0 · 未报 9 · 退回 0 · 待审核 1（共 10）" in status.text
    outstanding = await ask(coordinator, "/outstanding drug_statistics", "未完成报送")
    assert "9 个单位未报" in outstanding.text and "另有 1 个单位已报送、待审核" in outstanding.text
    assert "袁州区" not in outstanding.text.split("另有")[0]
    await coordinator.press("药品经营使用环节巩固提升行动工作情况统计表 2023年8月 ›")
    units = await coordinator.wait_for(lambda m: "⏳ 袁州区市场监督管理局（已报，待单位负责人审核）" in m.text)
    assert "✅ 袁州区" not in units.text
    # the export's register: 待审核, not 按时
    book = await _export(bot, coordinator)
    [line] = [r for r in book["报送台账"].iter_rows(values_only=True) if r[1] == "袁州区市场监督管理局" and r[3] == "2023年8月" and "统计表" in str(r[2])]
    assert line[9] == "待审核" and line[11] == "待单位负责人审核"

    # approved: counted as filed everywhere
    await presses(head, "✅ 审核通过", "已审核通过")
    assert _obligation(storage, "yuanzhou").obligation.status is ObligationStatus.done
    status = await ask(coordinator, "/status drug_statistics", "报送情况")
    assert "按时 1 · 逾期补报 0 · 未报 9 · 退回 0（共 10）" in status.text
    outstanding = await ask(coordinator, "/outstanding drug_statistics", "未完成报送")
    assert "待审核" not in outstanding.text
    book = await _export(bot, coordinator)
    [line] = [r for r in book["报送台账"].iter_rows(values_only=True) if r[1] == "袁州区市场监督管理局" and r[3] == "2023年8月" and "统计表" in str(r[2])]
    assert line[9] == "按时"


def _block(rows: list[tuple[Any, ...]], period: str) -> list[tuple[Any, ...]]:
    """The rows of one period's block of the 统计汇总 sheet: from its 填报单位 line to the next one."""
    start = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith(f"时间：{period}")) - 1
    end = next((i for i in range(start + 1, len(rows)) if isinstance(rows[i][0], str) and rows[i][0].startswith("填报单位：")), len(rows))
    return rows[start:end]


def _line(block: list[tuple[Any, ...]], first: str, after: int = 0) -> tuple[Any, ...]:
    return next(r for r in block[after:] if r[0] == first)


async def test_the_summary_of_two_months_with_one_unit_missing_in_one(yichun_zero_bot: RunningBot, now: datetime) -> None:
    bot, storage = yichun_zero_bot, yichun_zero_bot.storage
    zhang = liaison(storage, "yuanzhou", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=now)
    li = liaison(storage, "fengcheng", telegram_user_id=7102, name="李联络", mobile="13800000002", now=now)
    gao = liaison(storage, "gaoan", telegram_user_id=7103, name="高联络", mobile="13800000003", now=now)
    august, september = now + timedelta(days=18), now + timedelta(days=48)  # 9-3 and 10-3
    file(storage, "yuanzhou", "drug_statistics", "2023-08", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(1), at=august)
    file(storage, "fengcheng", "drug_statistics", "2023-08", person=li, kind=SubmissionKind.statistics, data=statistics_data(2), at=august)
    file(storage, "yuanzhou", "drug_statistics", "2023-09", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(3), at=september)
    # 丰城 files nothing for September; 高安's September waits for its head (待审核, not counted)
    waiting = file(storage, "gaoan", "drug_statistics", "2023-09", person=gao, kind=SubmissionKind.statistics, data=statistics_data(50), at=september)
    with storage.session() as s:  # as if filed through the chat: held for the head, the obligation 待审核
        held = signoff.hold(s, submission_id=waiting)
        obligation = s.get(Obligation, held.obligation_id)
        assert obligation is not None
        obligation.status, obligation.completed_at = ObligationStatus.awaiting, None
    bot.clock.set(datetime(2023, 10, 20, 10, 0, tzinfo=SHANGHAI))
    coordinator = bot.emulator.user(COORDINATOR, first_name="苏", language_code="zh-hans")
    book = await _export(bot, coordinator)
    rows = list(book["统计汇总"].iter_rows(values_only=True))
    # the on-time record: 高安's September neither on time nor missing, but 待审核
    gaoan = next(r for r in book["按时报送情况"].iter_rows(values_only=True) if r[1] == "gaoan")
    assert gaoan[8] == 1 and gaoan[3] == sum(gaoan[4:9])  # (应报, 按时, 逾期补报, 未报, 退回修改, 待审核)

    sep, aug = _block(rows, "2023年9月"), _block(rows, "2023年8月")
    assert rows.index(sep[0]) < rows.index(aug[0])  # newest first
    # September: 袁州 only (its own September figures), 丰城 named missing, never filled from August
    assert sep[0][0] == "填报单位：全部单位（应报10个，已报1个）"
    retail = _line(sep, "零售药店")
    assert retail[1] == 30 and retail[2] == 3 and retail[5] == pytest.approx(3.5)  # statistics_data(3), 万元 with decimals
    total = _line(sep, "合计")
    assert total[1] == 30 + 40 + 50
    missing = next(r[0] for r in sep if isinstance(r[0], str) and r[0].startswith("未报单位"))
    assert "丰城市市场监督管理局" in missing and "袁州区" not in missing and "高安市" not in missing
    assert missing.startswith("未报单位（8个）")
    assert any(isinstance(r[0], str) and r[0] == "待审核单位（1个，审核通过前不计入合计）：高安市市场监督管理局" for r in sep)
    # cumulative: the month's increment (袁州's September minus its August)
    increment_at = next(i for i, r in enumerate(sep) if isinstance(r[0], str) and r[0].startswith("本期新增"))
    assert _line(sep, "零售药店", increment_at)[1] == 30 - 10
    assert _line(sep, "合计", increment_at)[1] == (30 + 40 + 50) - (10 + 20 + 30)
    # August: both units' August filings, summed
    assert aug[0][0] == "填报单位：全部单位（应报10个，已报2个）"
    assert _line(aug, "零售药店")[1] == 10 + 20
    assert _line(aug, "合计")[1] == (10 + 20 + 30) + (20 + 30 + 40)
    assert "丰城市" not in next(r[0] for r in aug if isinstance(r[0], str) and r[0].startswith("未报单位"))
