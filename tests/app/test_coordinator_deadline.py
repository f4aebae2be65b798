"""/deadline through the emulator: title, who, when (echoed with weekday), template, confirm → a due item like any other."""

from __future__ import annotations

from bot.models import DueItem, Obligation
from bot.services.deadlines import reports
from bot.storage import due
from sqlmodel import select
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot


async def test_deadline_conversation_creates_an_adhoc_report_for_a_tag(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(user, "/deadline", "请发送事项名称")
    who = await ask(user, "汛期药品安全专项检查情况", "谁需要报送")
    assert "汛期药品安全专项检查情况" in who.text
    await user.press("所队")
    marked = await user.wait_for()
    assert "✅ 所队" in marked.button_texts
    await user.press("下一步 »")
    await user.wait_for(lambda m: "截止时间？" in m.text)
    bad = await ask(user, "火星时间", "没有看懂")
    assert "火星时间" in bad.text
    past = await ask(user, "2023年8月1日", "已经过去")
    assert "2023年8月1日（星期二）" in past.text
    echoed = await ask(user, "9月15日前", "截止时间：")
    assert "2023年9月15日（星期五） 24:00" in echoed.text
    await user.press("文字或文件")
    confirm = await user.wait_for(lambda m: "请确认" in m.text)
    assert "报送单位：所队（7 个）" in confirm.text
    await user.press("✅ 确认新增")
    done = await user.wait_for(lambda m: "已新增" in m.text)
    assert "7 个单位须于 2023年9月15日（星期五） 24:00 前报送" in done.text

    services = bot_app.app.bot_data["services"]
    report = reports.find_report(services, "adhoc_1")
    assert report is not None and report.title == "汛期药品安全专项检查情况" and report.template == "free"
    with bot_app.storage.session() as s:
        item = due.get_due_item(s, report_key="adhoc_1", period_key="once")
        assert item is not None
        obligations = list(s.exec(select(Obligation).where(Obligation.due_item_id == item.id)))
        assert len(obligations) == 7
        assert s.exec(select(DueItem).where(DueItem.report_key == "adhoc_1")).one().due_at == item.due_at
    status = await ask(user, "/status 汛期", "报送情况")
    assert "汛期药品安全专项检查情况 · 临时报送" in status.text and "未报 7" in status.text


async def test_deadline_for_named_units_with_a_time(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(user, "/deadline", "请发送事项名称")
    await ask(user, "重大问题跟进", "谁需要报送")
    await user.press("指定单位…")
    await user.wait_for(lambda m: "请发送单位名称" in m.text)
    unknown = await ask(user, "平岗市场监管所、火星所", "没有找到")
    assert "火星所" in unknown.text
    await ask(user, "平岗市场监管所、shs", "截止时间？")
    echoed = await ask(user, "下周五下午5点", "截止时间：")
    assert "2023年8月25日（星期五） 17:00" in echoed.text
    await user.press("典型案例（附件8）")
    confirm = await user.wait_for(lambda m: "请确认" in m.text)
    assert "平岗市场监管所、史河市场监管所（2 个）" in confirm.text
    await user.press("✅ 确认新增")
    await user.wait_for(lambda m: "已新增" in m.text)
    out = await ask(user, "/outstanding 重大问题跟进", "未完成报送")
    assert "2 个单位未报" in out.text and "2023年8月25日（星期五） 17:00" in out.text


async def test_deadline_cancel_and_refusal(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await ask(user, "/deadline", "请发送事项名称")
    await ask(user, "临时事项", "谁需要报送")
    await user.press("全部单位")
    await user.wait_for(lambda m: "截止时间？" in m.text)
    await ask(user, "明天", "截止时间：")
    await user.press("确认已办")
    await user.wait_for(lambda m: "请确认" in m.text)
    await user.press("取消")
    await user.wait_for(lambda m: "已取消" in m.text)
    assert reports.find_report(bot_app.app.bot_data["services"], "adhoc_1") is None
    stranger = bot_app.emulator.user(7777, first_name="X", language_code="zh-hans")
    reply = await stranger.ask("/deadline")
    assert reply.text.startswith("您还没有登记") and "邀请链接" in reply.text  # a stranger is told how to register
