"""Filing an ad-hoc (/deadline) report: /submit and a plain message list it and file it (both backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.models import ObligationStatus, Person
from bot.storage import due, submissions
from tests.app.submit_helpers import liaison_of, presses, says
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

LIAISON = 7031


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


async def _add_deadline(bot_app: RunningBot) -> None:
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(coordinator, "/deadline", "请发送事项名称")
    await ask(coordinator, "汛期药品安全专项检查情况", "谁需要报送")
    await coordinator.press("所队")
    await coordinator.wait_for(lambda m: "✅ 所队" in m.button_texts)
    await coordinator.press("下一步 »")
    await coordinator.wait_for(lambda m: "截止时间？" in m.text)
    await ask(coordinator, "9月15日前", "截止时间：")
    await coordinator.press("文字或文件")
    await coordinator.wait_for(lambda m: "请确认" in m.text)
    await coordinator.press("✅ 确认新增")
    await coordinator.wait_for(lambda m: "已新增" in m.text)


async def test_liaison_files_an_adhoc_report_through_submit(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    await _add_deadline(bot_app)
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    listing = await says(user, "/submit", "请选择要报送的事项")
    assert "汛期药品安全专项检查情况 · 临时报送" in listing.button_texts
    await presses(user, "汛期药品安全专项检查情况 · 临时报送", "请发送要报送的内容")
    await says(user, "已开展汛期检查 12 次。", "已记下")
    await presses(user, "完成", "请核对")
    await presses(user, "✅ 确认提交", "已提交")

    unit = bot_app.storage.units.get_unit_by_code(code="pgs")
    with bot_app.storage.session() as s:
        [view] = [v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "adhoc_1"]
        [filed] = submissions.current_submissions(s, obligation_id=view.obligation.id)
    assert view.obligation.status is ObligationStatus.done and not view.obligation.late
    assert "已开展汛期检查 12 次。" in str(filed.data)


async def test_a_plain_message_offers_the_adhoc_report(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    await _add_deadline(bot_app)
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="en")
    await user.send("flood season: 12 inspections")
    listing = await user.wait_for(lambda m: not m.text.startswith("🆕"))  # (maybe told of the new deadline meanwhile: test_notices_deadline)
    assert any("Ad hoc" in b for b in listing.button_texts), listing.text
