"""A filing in progress is resumed or discarded only on purpose; amendments of the same item by two liaisons."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from emulator.control import UserHandle
from bot.models import Person, Role, SubmissionKind, SubmissionStatus
from bot.storage import Storage, due, submissions
from bot.texts.catalog import t
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7011
BACKUP = 7012

CASE = {
    "title": "某药店销售假药案",
    "overview": "该药店从非法渠道购进药品。",
    "result": "没收违法所得。",
    "decided_on": "2023-08-10",
    "fine": None,
    "police": True,
}


pytestmark = pytest.mark.usefixtures("files_dir")  # uploads go to a folder of the test's own


def _obligation(storage: Storage, code: str, report_key: str, period_key: str) -> Any:
    unit = storage.units.get_unit_by_code(code=code)
    with storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == report_key and v.due_item.period_key == period_key)


def _drafts(storage: Storage, telegram_user_id: int) -> list[Any]:
    person = storage.people.get_person_by_telegram_id(telegram_user_id=telegram_user_id)
    return [d for d in storage.drafts.drafts_of(person_id=person.id) if d.flow == "submission"]


async def _button_message(bot: RunningBot, user_id: int, text: str, label: str, action: str, *args: Any) -> None:
    """A message with one signed button for `user_id`, as a reminder or a receipt carries it."""
    services = bot.app.bot_data["services"]
    data = services.buttons.pack(user_id, action, *args)
    await bot.app.bot.send_message(user_id, text, reply_markup={"inline_keyboard": [[{"text": label, "callback_data": data}]]})


async def _case_started(user: UserHandle) -> None:
    """/submit, the August cases, the case name typed: the draft has an answer in it."""
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    await says(user, "未完成的案例", "案情概述")


async def test_starting_another_filing_asks_and_continuing_keeps_what_was_typed(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await _case_started(user)

    # another report picked from the list /submit showed: asked, nothing replaced
    busy = await presses(user, "阶段性工作总结 · 第一阶段", "您还有一份报送没有完成")
    assert busy.text == (
        "您还有一份报送没有完成：典型案例 · 2023年8月（平岗市场监管所），已填写的内容已保存。"
        "要继续填写它，还是放弃它、开始新的报送？"
    )
    assert "<b>典型案例</b>" in (busy.source or "")
    assert busy.button_texts == ["继续填写未完成的报送", "放弃它，开始新的报送"]
    cases = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    [draft] = _drafts(bot_app.storage, LIAISON)
    assert (draft.state, draft.data["obligation_id"], draft.data["values"]) == ("overview", cases.obligation.id, {"title": "未完成的案例"})

    # continue: the same step again, what was typed kept
    resumed = await presses(user, "继续填写未完成的报送", "继续填写：")
    assert resumed.text == "继续填写：典型案例 · 2023年8月（平岗市场监管所）"
    await user.wait_for(lambda m: "请输入案情概述" in m.text)

    # /submit itself asks too; continuing again, the flow goes on where it was
    busy = await says(user, "/submit", "您还有一份报送没有完成")
    assert "典型案例 · 2023年8月" in busy.text
    await presses(user, "继续填写未完成的报送", "继续填写：典型案例")
    await user.wait_for(lambda m: "请输入案情概述" in m.text)
    await says(user, "概述：跨区域销售。", "查办结果")
    await says(user, "结果：罚款。", "处罚决定日期")
    await says(user, "8月10日", "罚没款金额")
    await presses(user, "无罚款", "移送公安机关")
    await presses(user, "是", "行政处罚决定书")
    preview = await presses(user, "暂无决定书（已移送公安）", "请核对")
    assert "未完成的案例" in preview.text and "概述：跨区域销售。" in preview.text
    receipt = await presses(user, "✅ 确认提交", "已提交")
    assert "典型案例 · 2023年8月，第 1 项（第 1 版）" in receipt.text

    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=cases.obligation.id)
    assert filed.data["values"]["title"] == "未完成的案例" and filed.data["values"]["overview"] == "概述：跨区域销售。"
    summary = _obligation(bot_app.storage, "pgs", "stage_summary", "2023-09-15")
    assert bot_app.storage.submissions.submission_history(obligation_id=summary.obligation.id) == []
    assert _drafts(bot_app.storage, LIAISON) == []


async def test_discarding_starts_the_new_filing_and_the_old_draft_is_gone(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await _case_started(user)
    cases = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    summary = _obligation(bot_app.storage, "pgs", "stage_summary", "2023-09-15")

    await presses(user, "阶段性工作总结 · 第一阶段", "您还有一份报送没有完成")
    begin = await presses(user, "放弃它，开始新的报送", "开始报送")
    assert "开始报送：阶段性工作总结 · 第一阶段（平岗市场监管所，第 1 项）" in begin.text
    await user.wait_for(lambda m: "一、基本情况" in m.text)
    [draft] = _drafts(bot_app.storage, LIAISON)
    assert (draft.state, draft.data["obligation_id"], draft.data["values"]) == ("basic", summary.obligation.id, {})

    # the case typed before is gone: its flow starts afresh, nothing to ask about (the new draft is empty)
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    [draft] = _drafts(bot_app.storage, LIAISON)
    assert (draft.state, draft.data["obligation_id"], draft.data["values"]) == ("title", cases.obligation.id, {})
    assert bot_app.storage.submissions.submission_history(obligation_id=cases.obligation.id) == []


async def test_reminder_button_for_another_item_in_english(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    cases = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    statistics = _obligation(bot_app.storage, "pgs", "case_statistics", "2023-08")
    await user.ask("/start")  # the user has written to the bot: it may send them reminders
    await _button_message(bot_app, LIAISON, "Reminder: typical cases", "File now", "sub", cases.obligation.id)
    await presses(user, "File now", "Filing: Typical cases · August 2023")
    await says(user, "Unfinished case", "case overview")

    # the reminder's button for the same item: resumed without a question
    await presses(user, "File now", "Continuing: Typical cases · August 2023 (平岗市场监管所)")
    await user.wait_for(lambda m: "case overview" in m.text)

    # a reminder for another item: asked first
    await _button_message(bot_app, LIAISON, "Reminder: case statistics", "Submit statistics", "sub", statistics.obligation.id)
    busy = await presses(user, "Submit statistics", "You have a filing in progress")
    assert busy.text == (
        "You have a filing in progress: Typical cases · August 2023 (平岗市场监管所); what you entered is saved. "
        "Continue it, or discard it and start the new one?"
    )
    assert busy.button_texts == ["Continue the one in progress", "Discard it and start the new one"]
    [draft] = _drafts(bot_app.storage, LIAISON)
    assert draft.data["obligation_id"] == cases.obligation.id and draft.data["values"] == {"title": "Unfinished case"}

    # discard: the statistics confirmation starts, the case draft is gone
    await presses(user, "Discard it and start the new one", "Filing: Case statistics entered in the national statistics system")
    await user.wait_for(lambda m: "Confirm it is entered" in m.text)
    [draft] = _drafts(bot_app.storage, LIAISON)
    assert (draft.state, draft.data["obligation_id"], draft.data["values"]) == ("note", statistics.obligation.id, {})
    preview = await presses(user, "✅ Confirm it is entered", "Please check")
    assert "Unfinished case" not in preview.text
    await presses(user, "✅ Submit", "Submitted")
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=statistics.obligation.id)
    assert filed.kind is SubmissionKind.confirmation
    assert bot_app.storage.submissions.submission_history(obligation_id=cases.obligation.id) == []
    assert _drafts(bot_app.storage, LIAISON) == []


async def test_second_amendment_of_the_same_item_is_refused_and_shows_what_is_filed(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    primary = liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    backup = make_person(BACKUP, name="李备份", mobile="13800000002")
    make_liaison(bot_app.storage.units.get_unit_by_code(code="pgs"), backup, role=Role.backup)
    cases = _obligation(bot_app.storage, "pgs", "typical_case", "2023-08")
    oid = cases.obligation.id
    with bot_app.storage.session() as s:
        first = submissions.file_and_complete(
            s, obligation_id=oid, person_id=primary.id, kind=SubmissionKind.case, data={"values": dict(CASE), "files": {}},
            now=bot_app.clock.now(),
        )
    assert (first.item_no, first.version) == (1, 1)
    a = bot_app.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    b = bot_app.emulator.user(BACKUP, first_name="李", language_code="zh-hans")

    # both open "amend" on item 1 (version 1)
    for user, user_id in ((a, LIAISON), (b, BACKUP)):
        await user.ask("/start")
        await _button_message(bot_app, user_id, "回执", "修改本次报送", "amend", oid, 1)
        begin = await presses(user, "修改本次报送", "开始报送")
        assert "第 1 项" in begin.text
        await user.wait_for(lambda m: "请核对" in m.text and "某药店销售假药案" in m.text)
        await presses(user, "✏️ 修改某项", "要修改哪一项")
        await presses(user, "案件名称", "请输入案件名称")

    # the primary liaison confirms first: version 2
    await says(a, "张的更正", "请核对")
    await presses(a, "✅ 确认提交", "第 1 项（第 2 版）")

    # the backup confirms afterwards: told who changed it meanwhile, nothing of theirs filed
    await says(b, "李的更正", "请核对")
    await b.press("✅ 确认提交")
    told = await b.wait_for(lambda m: "您修改期间" in m.text)
    assert told.text == (
        "⚠️ 您修改期间，第 1 项已由 张联络 更新为第 2 版（2023-08-16 10:00），您的修改没有提交。"
        "下面是目前的内容；如需修改，请在此基础上重新修改。"
    )
    shown = await b.wait_for()
    assert shown.text.startswith("典型案例 · 2023年8月\n平岗市场监管所 · 第 1 项")
    assert "张的更正" in shown.text and "李的更正" not in shown.text and "该药店从非法渠道购进药品。" in shown.text
    assert shown.button_texts == ["在最新内容上修改"]
    assert not any("已提交" in m.text for m in b.messages)

    history = bot_app.storage.submissions.submission_history(obligation_id=oid)
    assert [(h.item_no, h.version, h.person_id, h.status) for h in history] == [
        (1, 1, primary.id, SubmissionStatus.superseded),
        (1, 2, primary.id, SubmissionStatus.submitted),
    ]
    assert history[1].data["values"]["title"] == "张的更正"
    assert _drafts(bot_app.storage, BACKUP) == []

    # changing what is filed now starts from version 2 and files version 3
    await presses(b, "在最新内容上修改", "开始报送")
    preview = await b.wait_for(lambda m: "请核对" in m.text)
    assert "张的更正" in preview.text
    await presses(b, "✏️ 修改某项", "要修改哪一项")
    await presses(b, "案件名称", "请输入案件名称")
    await says(b, "李在最新内容上的更正", "请核对")
    await presses(b, "✅ 确认提交", "第 1 项（第 3 版）")
    history = bot_app.storage.submissions.submission_history(obligation_id=oid)
    assert [(h.version, h.person_id, h.data["values"]["title"]) for h in history] == [
        (1, primary.id, "某药店销售假药案"),
        (2, primary.id, "张的更正"),
        (3, backup.id, "李在最新内容上的更正"),
    ]


async def test_a_button_of_an_earlier_filing_does_not_act_on_the_one_in_progress(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot_app.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    statistics = _obligation(bot_app.storage, "pgs", "case_statistics", "2023-08")
    await user.ask("/start")

    async def to_preview() -> Any:
        await _button_message(bot_app, LIAISON, "Reminder: case statistics", "Submit statistics", "sub", statistics.obligation.id)
        await presses(user, "Submit statistics", "Filing: Case statistics entered in the national statistics system")
        await user.wait_for(lambda m: "Confirm it is entered" in m.text)
        return await presses(user, "✅ Confirm it is entered", "Please check")

    first = await to_preview()
    await presses(user, "Cancel", "Filing cancelled")
    second = await to_preview()
    assert first.message_id != second.message_id

    # "Submit" on the first (cancelled) filing's preview: refused, nothing filed, the second goes on
    answers = len(user.callback_answers)
    await user.press("✅ Submit", first)
    for _ in range(100):
        if len(user.callback_answers) > answers:
            break
        await asyncio.sleep(0.05)
    assert user.callback_answers[-1].get("text") == t("en", "error.stale-button")
    assert bot_app.storage.submissions.submission_history(obligation_id=statistics.obligation.id) == []
    [draft] = _drafts(bot_app.storage, LIAISON)
    assert draft.data["obligation_id"] == statistics.obligation.id

    await user.press("✅ Submit", second)
    await user.wait_for(lambda m: "Submitted" in m.text)
    [filed] = bot_app.storage.submissions.current_submissions(obligation_id=statistics.obligation.id)
    assert filed.kind is SubmissionKind.confirmation
