"""Review: a return needs its comment confirmed (a command drops it); notices go to the unit's current liaisons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from emulator.control import UserHandle
from bot.models import ObligationStatus, Person, Role, SubmissionStatus
from bot.storage import Storage, due, submissions
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import COORDINATOR, RunningBot

LIAISON = 7002
NEW_LIAISON = 7003
BACKUP = 7004


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


async def _file(user: UserHandle, text: str) -> None:
    """The liaison files the any-time report 重大问题 with a text."""
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "重大问题、特色做法及典型经验", "请发送要报送的内容")
    await says(user, text, "已记下")
    await presses(user, "完成", "请核对")
    await presses(user, "✅ 确认提交", "已提交")


async def _open(coordinator: UserHandle, text: str) -> None:
    listing = await says(coordinator, "/review", "待审核的报送共 1 份")
    await coordinator.press(listing.button_texts[0])
    await coordinator.wait_for(lambda m: text in m.text)


def _filing(storage: Storage) -> tuple[Any, Any]:
    unit = storage.units.get_unit_by_code(code="pgs")
    with storage.session() as s:
        [view] = [v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "major_issue"]
        [current] = submissions.current_submissions(s, obligation_id=view.obligation.id)
    return view, current


async def test_a_return_prompt_left_behind_does_not_take_later_messages(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await _file(user, "发现一起跨区域线索。")
    await _open(coordinator, "发现一起跨区域线索")

    # 退回修改, then other commands, then a casual message: nothing is returned
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    await says(coordinator, "/outstanding", "")
    await says(coordinator, "/deadline", "")
    await says(coordinator, "/cancel", "")
    await coordinator.send("好的，收到")
    await coordinator.wait_for()
    assert not any("确认退回" in m.text for m in coordinator.messages)
    _, current = _filing(bot_app.storage)
    assert current.status is SubmissionStatus.submitted and current.review_comment is None

    # the comment is shown back; 取消 leaves the submission waiting
    await _open(coordinator, "发现一起跨区域线索")
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    preview = await says(coordinator, "请补充线索来源。", "确认退回并通知本单位联络员吗")
    assert "请补充线索来源。" in preview.text and preview.button_texts == ["✅ 确认退回", "取消"]
    await presses(coordinator, "取消", "已取消，这份报送没有退回")
    assert _filing(bot_app.storage)[1].status is SubmissionStatus.submitted

    # a command between the comment and 确认退回 drops the return: the old button does nothing
    await _open(coordinator, "发现一起跨区域线索")
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    preview = await says(coordinator, "请补充线索来源。", "确认退回并通知本单位联络员吗")
    await says(coordinator, "/review", "待审核的报送共 1 份")
    await coordinator.press("✅ 确认退回", preview)
    await coordinator.wait_for(lambda m: "这次退回已取消或已完成" in m.text)
    assert _filing(bot_app.storage)[1].status is SubmissionStatus.submitted
    assert not any("被退回修改" in m.text for m in user.messages)

    # /cancel while the comment is awaited cancels the return itself
    await _open(coordinator, "发现一起跨区域线索")
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    await says(coordinator, "/cancel", "")
    await coordinator.send("好的，收到")
    await coordinator.wait_for()
    assert _filing(bot_app.storage)[1].status is SubmissionStatus.submitted

    # typed and confirmed: returned, the liaison told
    await _open(coordinator, "发现一起跨区域线索")
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    await says(coordinator, "请补充线索来源。", "确认退回并通知本单位联络员吗")
    done = await presses(coordinator, "✅ 确认退回", "已退回")
    assert "已通知本单位联络员：张联络" in done.text
    told = await user.wait_for(lambda m: "被退回修改" in m.text)
    assert "请补充线索来源。" in told.text
    view, current = _filing(bot_app.storage)
    assert current.status is SubmissionStatus.returned and current.review_comment == "请补充线索来源。"
    assert view.obligation.status is ObligationStatus.returned


async def test_notices_go_to_the_units_current_liaisons_and_the_coordinator_hears_who_was_reached(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    storage = bot_app.storage
    liaison_of(storage, make_person, make_liaison, "pgs", LIAISON)
    old = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await _file(old, "发现一起跨区域线索。")

    # the filer is replaced by a new primary; the backup has blocked the bot
    unit = storage.units.get_unit_by_code(code="pgs")
    make_liaison(unit, make_person(NEW_LIAISON, name="王新任", mobile="13800000002"))
    make_liaison(unit, make_person(BACKUP, name="李备岗", mobile="13800000003"), role=Role.backup)
    new = bot_app.emulator.user(NEW_LIAISON, first_name="王", language_code="zh-hans")
    backup = bot_app.emulator.user(BACKUP, first_name="李", language_code="zh-hans")
    await says(new, "/due", "待报事项")
    await says(backup, "/due", "待报事项")
    backup.block()

    await _open(coordinator, "发现一起跨区域线索")
    await presses(coordinator, "↩️ 退回修改", "请输入退回意见")
    await says(coordinator, "请补充线索来源。", "确认退回")
    done = await presses(coordinator, "✅ 确认退回", "已退回")
    assert "已通知本单位联络员：王新任" in done.text
    assert "未能通知：李备岗" in done.text
    told = await new.wait_for(lambda m: "被退回修改" in m.text)
    assert "请补充线索来源。" in told.text and "报送人：张联络" in told.text
    assert not any("被退回修改" in m.text for m in old.messages)
    assert not any("出错" in m.text for m in coordinator.messages)
    blocked = storage.people.get_person_by_telegram_id(telegram_user_id=BACKUP)
    assert blocked is not None and blocked.reachable is False
    assert any("李备岗（平岗市场监管所）已屏蔽机器人" in m.text for m in coordinator.messages)  # notify's own alert

    # the new liaison's fix button works for them; the accept notice follows the same rule
    await presses(new, "修改并重新提交", "请补充线索来源")
    await new.wait_for(lambda m: "请核对" in m.text)
    await presses(new, "✅ 确认提交", "第 1 项（第 2 版）")
    new.block()
    await _open(coordinator, "第 1 项（第 2 版）")
    done = await presses(coordinator, "✅ 通过", "已通过")
    assert "未能通知：王新任、李备岗" in done.text and "已通知" not in done.text
    assert not any("出错" in m.text for m in coordinator.messages)
