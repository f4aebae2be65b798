"""宜春 (campaigns/yichun-2023.toml) end to end: the 附件1 table typed and uploaded, checked by cell,
approved or returned by the unit head ("经单位负责人审核后"), and only then counted."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.clock import FixedClock
from bot.config import People, TelegramSettings, load_config
from bot.models import ObligationStatus, Person, Role, SubmissionStatus
from bot.services.submissions.forms.workbook import blank_workbook
from bot.storage import Storage, due, people, roles, units
from emulator import Emulator
from tests.app.helpers_coordinator import liaison
from tests.app.submit_helpers import presses, says
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, start_bot, stop_bot

CAMPAIGN = Path(__file__).resolve().parents[2] / "campaigns" / "yichun-2023.toml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIAISON, HEAD = 7101, 7201
STATS = "药品经营使用环节巩固提升行动工作情况统计表 · 2023年8月"

pytestmark = pytest.mark.usefixtures("files_dir")


@pytest.fixture
async def yichun_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    """The 宜春 campaign file, pointed at the emulator, at the fixed test moment (2023-08-16)."""
    config = load_config(CAMPAIGN).model_copy(update={
        "telegram": TelegramSettings(api_url=emulator.url),
        "people": People(coordinators=[COORDINATOR], leaders=[LEADER]),
    })
    bot = await start_bot(config, storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


def _head(storage: Storage, code: str, telegram_user_id: int, now: datetime) -> Person:
    """The unit head (单位负责人), as an invite would register them."""
    with storage.session() as s:
        person = people.get_or_create_person(s, telegram_user_id=telegram_user_id, chat_id=telegram_user_id, first_name="王局长", now=now)
        unit = units.get_unit_by_code(s, code=code)
        assert unit is not None and person.id is not None
        roles.assign_role(s, person_id=person.id, role=Role.head, unit_id=unit.id, now=now)
        return person


def _obligation(storage: Storage, code: str) -> Any:
    unit = storage.units.get_unit_by_code(code=code)
    with storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "drug_statistics" and v.due_item.period_key == "2023-08")


def _filled(cells: dict[str, Any]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(blank_workbook(unit="袁州区市场监督管理局", period="2023年8月")))
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS_6_7 = {
    **dict(zip(("B6", "C6", "D6", "E6", "F6", "G6", "H6"), (5, 1, 1, 0, 0, 0, 0), strict=True)),
    **dict(zip(("B7", "C7", "D7", "E7", "F7", "G7", "H7"), (2, 0, 0, 0, 1.25, 0, 0), strict=True)),
}
ROW_5 = dict(zip(("B5", "C5", "D5", "E5", "F5", "G5", "H5"), (10, 3, 2, 1, 0.5, 0, 0), strict=True))


async def test_annex_1_typed_and_uploaded_checked_by_cell_approved_by_the_head_then_counted(yichun_bot: RunningBot, now: datetime) -> None:
    storage = yichun_bot.storage
    liaison(storage, "yuanzhou", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=now)
    head_person = _head(storage, "yuanzhou", HEAD, now)
    user = yichun_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    head = yichun_bot.emulator.user(HEAD, first_name="王", language_code="zh-hans")
    await head.send("/start")  # (after registering with the invite, the head has started the bot)
    await head.wait_for()

    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, STATS, "请输入零售药店一行的七个数字")
    # typed: a broken check (发现违规 <= 检查) is refused by its cell, nothing kept, asked again
    problem = await says(user, "10 12 2 1 0.5 0 0", "这一行没有记下")
    assert "零售药店 × 发现违规单位数量（家）（12）不能大于检查单位数量（家）（10）" in problem.text
    await says(user, "10 3 2 1 0.5 0 0", "请输入药品使用单位一行")
    # uploaded for the other rows: a broken check names the Excel cell
    await user.send_document(_filled({**ROW_5, **ROWS_6_7, "C6": 9}), "附件1.xlsx", XLSX)
    problems = await user.wait_for(lambda m: "有以下问题" in m.text)
    assert "C6 药品使用单位 × 发现违规单位数量（家）（9）不能大于检查单位数量（家）（5）" in problems.text
    await user.send_document(_filled({**ROW_5, **ROWS_6_7}), "附件1.xlsx", XLSX)
    await user.wait_for(lambda m: "已读取统计表：附件1.xlsx" in m.text)
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✅ 确认提交", "已提交单位负责人审核")

    # waiting for the head: not filed yet (待审核), the head has the preview with the buttons
    view = _obligation(storage, "yuanzhou")
    assert view.obligation.status is ObligationStatus.awaiting
    [waiting] = storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert waiting.status is SubmissionStatus.pending
    request = await head.wait_for(lambda m: "请审核" in m.text)
    assert "袁州区市场监督管理局 · 药品经营使用环节巩固提升行动工作情况统计表 · 2023年8月" in request.text
    assert "检查单位数量（家）: 10" in request.text and request.button_texts == ["✅ 审核通过", "↩️ 退回修改"]
    await says(user, "/due", "待审核（单位负责人）")
    # (the export's register does not show 待审核 yet: see the note)

    # approved by the head: counted as filed, the liaison told
    await presses(head, "✅ 审核通过", "已审核通过")
    await user.wait_for(lambda m: "单位负责人已审核通过" in m.text)
    view = _obligation(storage, "yuanzhou")
    assert view.obligation.status is ObligationStatus.done and not view.obligation.late
    [approved] = storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert approved.status is SubmissionStatus.submitted and approved.signed_off_by_person_id == head_person.id
    coordinator = yichun_bot.emulator.user(COORDINATOR, first_name="苏", language_code="zh-hans")
    book = openpyxl.load_workbook(io.BytesIO(await _export(yichun_bot, coordinator)))
    rows = [r for r in book["报送台账"].iter_rows(values_only=True) if len(r) > 9 and r[1] == "袁州区市场监督管理局" and r[3] == "2023年8月" and "统计表" in str(r[2])]
    assert rows and rows[0][9] == "按时"  # (序号, 单位, 报送事项, 期次, 截止时间, 案件名称, 版本, 报送时间, 报送人, 状态 …): counted once approved


async def _export(bot: RunningBot, coordinator: Any) -> bytes:
    reply = await ask(coordinator, "/export", "报送台账")
    document = reply.document
    assert document is not None
    return bot.emulator.state.files[document["file_id"]].data


async def test_the_head_returns_it_with_a_comment_and_the_liaison_fixes_it(yichun_bot: RunningBot, now: datetime) -> None:
    storage = yichun_bot.storage
    liaison(storage, "fengcheng", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=now)
    _head(storage, "fengcheng", HEAD, now)
    user = yichun_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    head = yichun_bot.emulator.user(HEAD, first_name="王", language_code="zh-hans")
    await head.send("/start")  # (after registering with the invite, the head has started the bot)
    await head.wait_for()
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, STATS, "请输入零售药店一行")
    await says(user, "10 3 2 1 0.5 0 0", "请输入药品使用单位一行")
    await says(user, "5 1 1 0 0 0 0", "请输入药品网络销售单位一行")
    await says(user, "2 0 0 0 1.25 0 0", "请核对")
    await presses(user, "✅ 确认提交", "已提交单位负责人审核")

    await head.wait_for(lambda m: "请审核" in m.text)
    await presses(head, "↩️ 退回修改", "请输入退回意见")
    await says(head, "零售药店检查数与台账不符", "已退回：丰城市市场监督管理局")
    notice = await user.wait_for(lambda m: "单位负责人退回了" in m.text)
    assert "意见：零售药店检查数与台账不符" in notice.text and notice.button_texts == ["修改后重新报送"]
    view = _obligation(storage, "fengcheng")
    assert view.obligation.status is ObligationStatus.returned
    [returned] = storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert returned.status is SubmissionStatus.returned and returned.review_comment == "零售药店检查数与台账不符"
    # the head's old button does nothing more
    await head.press("✅ 审核通过")
    await head.wait_for(lambda m: "已处理过（已退回）" in m.text)
    # the liaison opens it again: the comment and what was filed, to change
    reopened = await presses(user, "修改后重新报送", "零售药店检查数与台账不符")
    assert "丰城市市场监督管理局" in reopened.text
    await user.wait_for(lambda m: "请核对" in m.text and "检查单位数量（家）: 10" in m.text)


async def test_a_unit_without_a_head_is_signed_off_by_the_coordinators(yichun_bot: RunningBot, now: datetime) -> None:
    liaison(yichun_bot.storage, "gaoan", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=now)
    user = yichun_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    coordinator = yichun_bot.emulator.user(COORDINATOR, first_name="苏", language_code="zh-hans")
    await coordinator.send("/start")
    await coordinator.wait_for()
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, STATS, "请输入零售药店一行")
    for row in ("10 3 2 1 0.5 0 0", "5 1 1 0 0 0 0", "2 0 0 0 1.25 0 0"):
        await user.send(row)
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✅ 确认提交", "已提交协调员审核")
    await coordinator.wait_for(lambda m: "请审核" in m.text and "高安市市场监督管理局" in m.text)
    await presses(coordinator, "✅ 审核通过", "已审核通过")
    assert _obligation(yichun_bot.storage, "gaoan").obligation.status is ObligationStatus.done


async def test_reminders_go_to_the_head_while_it_waits_and_no_longer_to_the_liaison(yichun_bot: RunningBot, now: datetime) -> None:
    from zoneinfo import ZoneInfo

    from bot.services.reminders import timer

    storage = yichun_bot.storage
    liaison(storage, "yuanzhou", telegram_user_id=LIAISON, name="张联络", mobile="13800000001", now=now)
    liaison(storage, "zhangshu", telegram_user_id=7102, name="李联络", mobile="13800000002", now=now)
    _head(storage, "yuanzhou", HEAD, now)
    user = yichun_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    other = yichun_bot.emulator.user(7102, first_name="李", language_code="zh-hans")
    head = yichun_bot.emulator.user(HEAD, first_name="王", language_code="zh-hans")
    for someone in (head, other):
        await someone.send("/start")
        await someone.wait_for()
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, STATS, "请输入零售药店一行")
    for row in ("10 3 2 1 0.5 0 0", "5 1 1 0 0 0 0", "2 0 0 0 1.25 0 0"):
        await user.send(row)
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✅ 确认提交", "已提交单位负责人审核")
    await head.wait_for(lambda m: "请审核" in m.text)

    # 2023-09-02 09:00: three days before the 5th. The head is reminded, with the buttons; the
    # liaison who filed is not; the unit that has not filed is.
    services = yichun_bot.app.bot_data["services"]
    moment = datetime(2023, 9, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    yichun_bot.clock.set(moment)
    await timer.process_due_moments(services, yichun_bot.app.bot, now=moment)
    reminder = await head.wait_for(lambda m: "待您审核" in m.text)
    assert "袁州区市场监督管理局 · 药品经营使用环节巩固提升行动工作情况统计表 · 2023年8月" in reminder.text
    assert reminder.button_texts == ["✅ 审核通过", "↩️ 退回修改"]
    await other.wait_for(lambda m: "药品经营使用环节巩固提升行动工作情况统计表" in m.text and "尚未报送" in m.text)
    assert not any("尚未报送" in m.text and "统计表" in m.text for m in user.messages)
    # the same moment again: nothing twice
    await timer.process_due_moments(services, yichun_bot.app.bot, now=moment)
    await presses(head, "✅ 审核通过", "已审核通过")
    assert sum("待您审核" in m.text for m in head.messages) == 1
