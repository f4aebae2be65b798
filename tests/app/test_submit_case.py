"""Typical cases (附件8) by message: wrong inputs corrected, a file checked and kept, preview, versions, restart."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.models import ObligationStatus, Person, SubmissionStatus
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.fixtures.app import RunningBot, start_bot, stop_bot

LIAISON = 7001


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


async def _fill_case(user: Any, bot: RunningBot) -> None:
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    await says(user, "某药店销售<假药>案", "案情概述")
    await says(user, "   ", "内容不能为空")  # empty text: said what was expected, same step
    await says(user, "该药店从非法渠道购进药品 & 销售。", "查办结果")
    await says(user, "依据《药品管理法》第一百一十六条，没收违法所得。", "处罚决定日期")
    await says(user, "下下个月", "没能识别")
    await says(user, "9月30日之后", "没能识别")
    await says(user, "8月10日", "2023年8月10日（星期四）")
    await user.wait_for(lambda m: "罚没款金额" in m.text)
    await says(user, "很多钱", "请输入数字，单位为元或万元")
    await says(user, "1.5万元", "移送公安机关")
    await presses(user, "否", "行政处罚决定书")


async def test_full_case_filing_with_corrections(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], files_dir: Path) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await _fill_case(user, bot_app)
    # a wrong type, then a fake PDF, are refused with the reason; the flow goes on
    await user.send_document(b"hello", "notes.txt", "text/plain")
    await user.wait_for(lambda m: "不接受文件“notes.txt”的格式" in m.text and "PDF" in m.text)
    await user.send_document(b"not a pdf", "决定书.pdf", "application/pdf")
    await user.wait_for(lambda m: "不是有效的 PDF 文件" in m.text)
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "某药店销售&lt;假药&gt;案" in (preview.source or "")  # escaped as the coordinator sees it
    assert "15000元（1.5万元）" in preview.text and "决定书.pdf" in preview.text
    receipt = await presses(user, "✅ 确认提交", "已提交")
    assert "第 1 项（第 1 版）" in receipt.text and "补报" not in receipt.text

    view = _case_obligation_after(bot_app)
    assert view.obligation.status is ObligationStatus.done and not view.obligation.late
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    values = filed.data["values"]
    assert values["title"] == "某药店销售<假药>案" and values["decided_on"] == "2023-08-10"
    assert values["fine"] == "15000.00" and values["police"] is False
    [attachment] = bot_app.storage.attachments.attachments_of(submission_id=filed.id)
    digest = hashlib.sha256(PDF).hexdigest()
    assert attachment.sha256 == digest and attachment.size == len(PDF) and attachment.mime_type == "application/pdf"
    assert (files_dir / attachment.storage_path).read_bytes() == PDF

    # amendment: a new version, the old one kept as superseded
    await presses(user, "修改本次报送", "请核对")
    await presses(user, "✏️ 修改某项", "要修改哪一项")
    await presses(user, "案件名称", "请输入")
    await says(user, "某药店销售假药案（更正）", "请核对")
    await presses(user, "✅ 确认提交", "第 1 项（第 2 版）")
    history = bot_app.storage.submissions.submission_history(obligation_id=view.obligation.id)
    assert [(h.version, h.status) for h in history] == [(1, SubmissionStatus.superseded), (2, SubmissionStatus.submitted)]
    assert history[0].data["values"]["title"] == "某药店销售<假药>案"
    assert history[1].data["values"]["title"] == "某药店销售假药案（更正）"
    assert len(bot_app.storage.attachments.attachments_of(submission_id=history[1].id)) == 1


def _case_obligation_after(bot: RunningBot) -> Any:
    unit = bot.storage.units.get_unit_by_code(code="pgs")
    with bot.storage.session() as s:
        from bot.storage import due

        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")


async def test_restart_mid_flow_resumes_where_it_was(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    await says(user, "重启测试案", "案情概述")
    await stop_bot(bot_app)
    again = await start_bot(bot_app.config, bot_app.storage, bot_app.clock, bot_app.emulator)
    try:
        await says(user, "案情：重启后继续。", "查办结果")
        draft = again.storage.drafts.drafts_of(person_id=again.storage.people.get_person_by_telegram_id(telegram_user_id=LIAISON).id)[0]
        assert draft.flow == "submission" and draft.state == "result"
        assert draft.data["values"] == {"title": "重启测试案", "overview": "案情：重启后继续。"}
    finally:
        await stop_bot(again)
        bot_app.app = again.app  # the fixture stops the bot it holds; this one is stopped already


async def test_late_filing_is_marked_and_a_fresh_text_starts_a_submission(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    bot_app.clock.advance(timedelta(days=18))  # 2023-09-03: the August cases were due 09-02
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    # plain text with no flow: a submission starts, and the text is kept for the first step
    await says(user, "某诊所超范围使用药品案", "请先选择它属于哪一项报送")
    begin = await presses(user, "典型案例 · 2023年8月", "补报")
    assert "截止：2023年9月2日（星期六）" in begin.text
    await user.wait_for(lambda m: "已把您先前发送的内容用作“案件名称”" in m.text)
    await user.wait_for(lambda m: "案情概述" in m.text)
    await says(user, "概述", "查办结果")
    await says(user, "结果", "处罚决定日期")
    await says(user, "2023-08-20", "罚没款金额")
    await presses(user, "无罚款", "移送公安机关")
    await presses(user, "是", "行政处罚决定书")
    preview = await presses(user, "暂无决定书（已移送公安）", "请核对")
    assert "补报" in preview.text and "某诊所超范围使用药品案" in preview.text
    await presses(user, "✅ 确认提交", "已提交（补报）")
    view = _case_obligation_after(bot_app)
    assert view.obligation.status is ObligationStatus.done and view.obligation.late
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    assert filed.late and filed.data["values"]["fine"] is None and filed.data["values"]["police"] is True
