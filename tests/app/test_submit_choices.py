"""零报告 where filing starts (/submit's list, /due's buttons, the first question), and 再报一个 / 修改已报
of items already filed, from /submit and /due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.models import ObligationStatus, Person, SubmissionKind
from bot.storage import Storage, due, submissions
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7021
CASES = "典型案例 · 2023年8月"
ZERO_BUTTON = "零报告（本期没有可报的内容）"
CASE = {"title": "某药店销售假药案", "overview": "从非法渠道购进药品。", "result": "没收违法所得。", "decided_on": "2023-08-10", "fine": None, "police": True}


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


def _cases(storage: Storage) -> Any:
    unit = storage.units.get_unit_by_code(code="pgs")
    with storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")


def _file_case(bot: RunningBot, person: Person, item_no: int, minutes: int) -> None:
    view = _cases(bot.storage)
    at = bot.clock.now() - timedelta(days=1) + timedelta(minutes=minutes)
    with bot.storage.session() as s:
        submissions.file_and_complete(
            s, obligation_id=view.obligation.id, person_id=person.id, kind=SubmissionKind.case, data={"values": {**CASE, "title": f"案件{item_no}"}},
            now=at, item_no=item_no,
        )


async def test_zero_report_from_the_first_question_and_the_submit_list(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    listing = await says(user, "/submit", "请选择要报送的事项")
    labels = listing.button_texts
    assert f"零报告 · {CASES}" in labels and labels.index(f"零报告 · {CASES}") == labels.index(CASES) + 1
    assert not any("零报告" in b and "案件查办统计" in b for b in labels)  # its report does not allow one
    assert not any(b.startswith(("再报一个", "修改已报")) for b in labels)  # nothing filed yet

    # the first question offers it; the second one no longer does
    ask = await presses(user, CASES, "案件名称")
    assert ZERO_BUTTON in ask.button_texts
    second = await says(user, "某药店销售假药案", "案情概述")
    assert ZERO_BUTTON not in second.button_texts
    # changed my mind: the name typed is asked about (kept or dropped), then the 零报告 preview
    await user.press(ZERO_BUTTON, ask)
    busy = await user.wait_for(lambda m: "放弃它，开始新的报送" in m.button_texts)
    preview = await presses(user, "放弃它，开始新的报送", "请核对")
    assert "零报告" in preview.text and "本期没有需要报送的内容" in preview.text
    assert busy is not None
    await presses(user, "✅ 确认提交", "已提交")
    view = _cases(bot_app.storage)
    assert view.obligation.status is ObligationStatus.done
    [zero] = bot_app.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert zero.kind is SubmissionKind.zero

    # done with a 零报告: no 零报告 nor 再报一个 any more, only a way to change it
    listing = await says(user, "/submit", "请选择要报送的事项")
    assert CASES not in listing.button_texts and f"零报告 · {CASES}" not in listing.button_texts
    assert f"再报一个 · {CASES}" not in listing.button_texts and f"修改已报 · {CASES}" in listing.button_texts


async def test_zero_report_from_the_submit_list_and_due_buttons(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    # from /due, the first question, untouched: straight to the preview
    listing = await says(user, "/due", "平岗市场监管所 待报事项")
    assert listing.button_texts.index(f"零报告 · {CASES}") == listing.button_texts.index(CASES) + 1
    await presses(user, f"零报告 · {CASES}", "请核对")
    await presses(user, "取消", "")
    # from /submit's list
    await says(user, "/submit", "请选择要报送的事项")
    preview = await presses(user, f"零报告 · {CASES}", "请核对")
    assert "本期没有需要报送的内容" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    assert _cases(bot_app.storage).obligation.status is ObligationStatus.done


async def test_zero_button_at_the_first_question_in_english(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    listing = await says(user, "/submit", "Which report")
    zero = next(b for b in listing.button_texts if b.startswith("Zero report · "))
    case = zero.removeprefix("Zero report · ")
    ask = await presses(user, case, "Filing:")
    ask = await user.wait_for(lambda m: "Zero report (nothing to report this period)" in m.button_texts)
    preview = await presses(user, "Zero report (nothing to report this period)", "Zero report")
    assert ask is not None and "nothing to report" in preview.text


async def test_done_items_offer_another_and_amend_from_submit_and_due(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    person = liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    _file_case(bot_app, person, 1, 0)  # min_items 1: done; max_items 2: one more may be filed
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    listing = await says(user, "/submit", "请选择要报送的事项")
    labels = listing.button_texts
    assert CASES not in labels and f"零报告 · {CASES}" not in labels
    assert f"再报一个 · {CASES}" in labels and f"修改已报 · {CASES}" in labels
    assert labels.index(f"再报一个 · {CASES}") < labels.index("重大问题、特色做法及典型经验")  # any-time reports last
    begin = await presses(user, f"再报一个 · {CASES}", "第 2 项")
    ask = await user.wait_for(lambda m: "案件名称" in m.text)
    assert begin is not None and ZERO_BUTTON not in ask.button_texts  # items are filed: no 零报告
    await says(user, "/cancel", "")

    # /due: the same, after the items still to file; 修改已报 opens the latest filing, prefilled
    listing = await says(user, "/due", "平岗市场监管所 待报事项")
    assert listing.button_texts[-2:] == [f"再报一个 · {CASES}", f"修改已报 · {CASES}"]
    preview = await presses(user, f"修改已报 · {CASES}", "请核对")
    assert "案件1" in preview.text

    # both items filed: no 再报一个; 修改已报 is for the latest one, with its number
    await says(user, "/cancel", "")
    _file_case(bot_app, person, 2, 5)
    listing = await says(user, "/submit", "请选择要报送的事项")
    assert not any(b.startswith("再报一个") for b in listing.button_texts)
    assert f"修改已报 · {CASES}（第 2 项）" in listing.button_texts
    await user.press(f"修改已报 · {CASES}（第 2 项）")
    preview = await user.wait_for(lambda m: "请核对" in m.text and "案件2" in m.text)
    await presses(user, "✏️ 修改某项", "要修改哪一项")


async def test_done_items_long_past_are_not_offered(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: Any
) -> None:
    person = liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    unit = bot_app.storage.units.get_unit_by_code(code="pgs")
    with bot_app.storage.session() as s:
        item = due.ensure_due_item(s, report_key="typical_case", period_key="2023-05", period_label="2023年5月", due_at=now - timedelta(days=70), unit_codes=["pgs"], now=now)
        old = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)
        submissions.file_and_complete(s, obligation_id=old.id, person_id=person.id, kind=SubmissionKind.case, data={"values": CASE}, now=now - timedelta(days=71))
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    listing = await says(user, "/submit", "请选择要报送的事项")
    assert not any("2023年5月" in b for b in listing.button_texts)
    listing = await says(user, "/due", "平岗市场监管所 待报事项")
    assert not any("2023年5月" in b for b in listing.button_texts)
