"""A unit that filed on time stays on time when it adds a case or amends after the deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.models import ObligationStatus, Person
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.app.test_submit_case import _case_obligation_after, _fill_case
from tests.fixtures.app import RunningBot

LIAISON = 7041


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


async def test_another_case_or_an_amendment_after_the_deadline_keeps_it_on_time(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await _fill_case(user, bot_app)
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    await user.wait_for(lambda m: "请核对" in m.text)
    receipt = await presses(user, "✅ 确认提交", "已提交")
    assert "补报" not in receipt.text
    first = _case_obligation_after(bot_app).obligation
    assert first.status is ObligationStatus.done and not first.late and first.completed_at is not None

    bot_app.clock.advance(timedelta(days=18))  # 2023-09-03: the August cases were due 09-02
    # an amendment after the deadline
    await presses(user, "修改本次报送", "请核对")
    await presses(user, "✏️ 修改某项", "要修改哪一项")
    await presses(user, "案件名称", "请输入")
    await says(user, "某药店销售假药案（更正）", "请核对")
    await presses(user, "✅ 确认提交", "第 1 项（第 2 版）")
    # a second case after the deadline
    await presses(user, "再报一个案例", "案件名称")
    await says(user, "第二个案例", "案情概述")
    await says(user, "概述", "查办结果")
    await says(user, "结果", "处罚决定日期")
    await says(user, "2023-08-20", "罚没款金额")
    await presses(user, "无罚款", "移送公安机关")
    await presses(user, "是", "行政处罚决定书")
    await presses(user, "暂无决定书（已移送公安）", "请核对")
    await presses(user, "✅ 确认提交", "第 2 项（第 1 版）")

    after = _case_obligation_after(bot_app).obligation
    assert after.status is ObligationStatus.done and not after.late
    assert after.completed_at == first.completed_at
    due = await says(user, "/due", "2023年8月")
    assert "典型案例" in due.text and "逾期补报" not in due.text


async def test_a_decision_date_of_tomorrow_is_refused_not_moved_a_year_back(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    await says(user, "某案", "案情概述")
    await says(user, "概述", "查办结果")
    await says(user, "结果", "处罚决定日期")
    refused = await says(user, "明天", "处罚决定日期不能是将来的日期")
    assert "“明天”是 2023-08-17" in refused.text
    await says(user, "9月30日", "2022年9月30日")  # a bare month-day after today: last year's
    await user.wait_for(lambda m: "罚没款金额" in m.text)
