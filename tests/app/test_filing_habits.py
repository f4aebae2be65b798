"""Filing as officials write: amounts in any Chinese form, text limits named, no filing for a period
not yet started, any filed case amended from /due (both languages)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from bot.models import Person, SubmissionKind
from tests.app.helpers_coordinator import case_data, file
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7401
pytestmark = pytest.mark.usefixtures("files_dir")


async def _to_the_fine(user: Any, title: str = "某药店销售假药案") -> None:
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    await says(user, title, "案情概述")
    await says(user, "该药店从非法渠道购进药品。", "查办结果")
    await says(user, "没收违法所得。", "处罚决定日期")
    await says(user, "8月10日", "罚没款金额")


async def test_amounts_in_chinese_forms_are_read_and_shown_back(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await _to_the_fine(user)
    await says(user, "伍仟元整", "移送公安机关")
    await presses(user, "否", "行政处罚决定书")
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "5000元" in preview.text  # shown back normalised
    await presses(user, "✅ 确认提交", "已提交")
    view = next(v for v in bot_app.storage.due.obligations_of_unit(unit_id=bot_app.storage.units.get_unit_by_code(code="pgs").id) if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.data["values"]["fine"] == "5000.00"


async def test_amount_forms_in_english(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    await says(user, "/submit", "Which report")
    await presses(user, "Typical cases · August 2023", "case name")
    await says(user, "Counterfeit drugs sold by a pharmacy", "overview")
    await says(user, "The pharmacy bought drugs from an illegal source.", "outcome")
    await says(user, "Illegal gains confiscated.", "date of the penalty decision")
    await says(user, "2023-08-10", "fine and confiscation amount")
    refused = await says(user, "lots of money", "5000元")
    assert "lots of money" in refused.text
    await says(user, "1万5千元", "referred to the police")
    await presses(user, "No", "administrative penalty decision")
    await user.send_document(PDF, "decision.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "15000元（1.5万元）" in m.text)
    assert "Counterfeit drugs sold by a pharmacy" in preview.text


async def test_a_long_case_name_is_refused_naming_the_field(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    zh = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(zh, "/submit", "请选择要报送的事项")
    await presses(zh, "典型案例 · 2023年8月", "案件名称")
    refused = await says(zh, "案" * 201, "太长")
    assert refused.text.startswith("“案件名称”太长（201 字），请控制在 200 字以内")
    await says(zh, "某药店销售假药案", "案情概述")  # the conversation goes on


async def test_a_long_case_name_in_english(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    en = bot_app.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    await says(en, "/submit", "Which report")
    await presses(en, "Typical cases · August 2023", "case name")
    refused = await says(en, "x" * 250, "too long")
    assert refused.text.startswith("“Case name” is too long (250 characters); keep it within 200")


async def test_no_zero_report_for_a_period_not_started(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    bot_app.clock.set(datetime(2023, 8, 30, 10, 0, tzinfo=bot_app.config.campaign.tz))
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    listing = await says(user, "/submit", "请选择要报送的事项")
    assert "典型案例 · 2023年8月" in listing.button_texts
    assert not [b for b in listing.button_texts if "2023年9月" in b]  # September has not started
    due = await says(user, "/due", "待报")
    assert "2023年9月1日（星期五）起可报送" in due.text and not [b for b in due.button_texts if "2023年9月" in b]
    # a button made before (or forged for) September's 零报告 is refused with the reason
    unit = bot_app.storage.units.get_unit_by_code(code="pgs")
    september = next(
        v for v in bot_app.storage.due.obligations_of_unit(unit_id=unit.id) if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-09"
    )
    services = bot_app.app.bot_data["services"]
    data = services.buttons.pack(user.id, "zero", september.obligation.id)
    await user._callback(user.id, due, {"text": "零报告", "callback_data": data})
    refused = await user.wait_for(lambda m: "尚未开始" in m.text)
    assert refused.text == "2023年9月尚未开始，2023年9月1日（星期五）起才能报送（包括零报告）。"
    assert bot_app.storage.submissions.current_submissions(obligation_id=september.obligation.id) == []


async def test_any_filed_case_can_be_amended_from_due(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    person = liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    now = bot_app.clock.now()
    file(bot_app.storage, "pgs", "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data("甲药店案"), at=now, item_no=1)
    file(bot_app.storage, "pgs", "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data("乙药店案"), at=now, item_no=2)
    zh = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    due = await says(zh, "/due", "待报")
    assert "修改已报 · 典型案例 · 2023年8月（第 1 项）" in due.button_texts
    assert "修改已报 · 典型案例 · 2023年8月（第 2 项）" in due.button_texts
    opened = await presses(zh, "修改已报 · 典型案例 · 2023年8月（第 1 项）", "请核对")
    assert "甲药店案" in opened.text and "乙药店案" not in opened.text
    await says(zh, "/cancel", "")
    en = bot_app.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    await zh.send("/lang")
    await en.wait_for(lambda m: "English" in m.button_texts)
    await en.press("English")
    await en.wait_for(lambda m: m.text.startswith("The interface language"))
    due = await says(en, "/due", "August 2023")
    first = next(b for b in due.button_texts if b.startswith("Amend filed") and "(item 1)" in b)
    opened = await presses(en, first, "甲药店案")
    assert "乙药店案" not in opened.text
