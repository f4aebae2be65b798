"""/outstanding and /status through the emulator: who has not filed, with names and phones, paged; counts and tap-through."""

from __future__ import annotations

from datetime import timedelta

from bot.models import SubmissionKind
from bot.storage import submissions
from tests.app.helpers_coordinator import case_data, file, liaison
from emulator.control import UserHandle
from emulator.state import BotMessage
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot


async def ask(user: UserHandle, text: str, marker: str) -> BotMessage:
    """Send a command and wait for the bot's answer containing `marker` (a digest may arrive meanwhile)."""
    user.skip_pending()
    await user.send(text)
    return await user.wait_for(lambda m: marker in m.text)


def _setup(bot: RunningBot) -> None:
    now = bot.clock.now()
    liaison(bot.storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    liaison(bot.storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now, reachable=False)


async def test_outstanding_lists_overdue_units_with_liaison_phone_and_pages(bot_app: RunningBot) -> None:
    _setup(bot_app)
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/outstanding", "未完成报送")
    text = reply.text
    # 2023-08-16: the liaison form (due 8月10日) is 6 days overdue for all 13 units, plus the working groups' weeklies
    assert "联络员信息表 · 联络员报送" in text
    assert "逾期 6 天" in text and "13 个单位未报" in text
    assert "平岗市场监管所 — 张三 13800000001" in text
    assert "史河市场监管所 — 李四 13800000002 ⚠️ 无法联系" in text
    assert "三元市场监管所 — 未登记联络员" in text
    assert "第 1/2 页" in text
    total = int(text.split("共 ")[1].split(" 项")[0])
    assert total > 20
    assert "\n1. " in text and "\n20. " in text and "\n21. " not in text
    assert reply.button_texts[-2:] == ["1/2", "▶"]
    await user.press("▶")
    page2 = await user.wait_for()
    assert page2.edited and "第 2/2 页" in page2.text
    assert f"\n{total}. " in page2.text and "\n20. " not in page2.text
    assert "工作组周报" in page2.text
    assert page2.button_texts[-2:] == ["◀", "2/2"]
    await user.press("◀")
    back = await user.wait_for()
    assert "第 1/2 页" in back.text


async def test_leader_reads_without_phone_numbers(bot_app: RunningBot) -> None:
    _setup(bot_app)
    leader = bot_app.emulator.user(LEADER, first_name="领导", language_code="zh-hans")
    reply = await ask(leader, "/outstanding", "未完成报送")
    assert "张三" in reply.text and "13800000001" not in reply.text


async def test_liaison_may_not_see_outstanding(bot_app: RunningBot) -> None:
    _setup(bot_app)
    liaison_user = bot_app.emulator.user(7001, first_name="张三", language_code="zh-hans")
    reply = await liaison_user.ask("/outstanding")
    assert reply.text == "您没有权限执行此操作。"


async def test_outstanding_for_a_report_and_period_phrase(bot_app: RunningBot) -> None:
    _setup(bot_app)
    person = liaison(bot_app.storage, "sys", telegram_user_id=7003, name="王五", mobile="13800000003", now=bot_app.clock.now())
    file(bot_app.storage, "sys", "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data("销售假药"), at=bot_app.clock.now())
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/outstanding 案例 本月", "未完成报送")
    assert "典型案例 · 2023年8月" in reply.text
    assert "还有 17 天" in reply.text and "6 个单位未报" in reply.text  # 7 所队, one filed
    assert "三元市场监管所" not in reply.text and "平岗市场监管所 — 张三 13800000001" in reply.text
    quarter = await ask(user, "/outstanding 案例 三季度", "未完成报送")  # a monthly report: the quarter's months
    assert "典型案例 · 2023年8月" in quarter.text and "典型案例 · 2023年9月" in quarter.text
    assert "典型案例 · 2023年10月" not in quarter.text and "统计" not in quarter.text
    unknown = await ask(user, "/outstanding 火星", "没有看懂")
    assert "没有看懂“火星”" in unknown.text


async def test_status_counts_and_tap_through(bot_app: RunningBot) -> None:
    _setup(bot_app)
    storage, now = bot_app.storage, bot_app.clock.now()
    zhang = liaison(storage, "sys", telegram_user_id=7003, name="王五", mobile="13800000003", now=now)
    file(storage, "sys", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("甲案"), at=now)
    file(storage, "sgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("乙案"), at=now + timedelta(days=20))
    sub = file(storage, "hjs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("丙案"), at=now)
    with storage.session() as s:
        submissions.return_submission(s, submission_id=sub, reviewer_person_id=zhang.id, comment="补充证据", now=now)  # type: ignore[arg-type]
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/status 案例 8月", "报送情况")
    assert "典型案例 · 2023年8月" in reply.text
    assert "按时 1 · 逾期补报 1 · 未报 4 · 退回 1（共 7）" in reply.text
    await user.press("典型案例 2023年8月 ›")
    units = await user.wait_for()
    lines = units.text.splitlines()
    assert any(line.startswith("❌ 平岗市场监管所 — 张三 13800000001") for line in lines)
    assert any(line.startswith("↩️ 洪集市场监管所（已退回修改）") for line in lines)
    assert any(line.startswith("🕒 孙岗市场监管所（逾期补报，2023年9月5日") for line in lines)
    assert any(line.startswith("✅ 三元市场监管所（2023年8月16日") for line in lines)
    # not yet first, on time last
    assert lines.index(next(line for line in lines if line.startswith("❌"))) < lines.index(next(line for line in lines if line.startswith("✅")))


async def test_status_default_lists_due_items_with_counts(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="Su", language_code="en")
    reply = await ask(user, "/status", "Filing status")
    assert "Filing status" in reply.text
    assert "Liaison officer form · Liaison form" in reply.text
    assert "on time 0 · late 0 · not yet 13 · returned 0 (of 13)" in reply.text


async def test_forged_page_button_is_refused(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/outstanding", "未完成报送")
    chat = bot_app.emulator.state.find_chat(user.id)
    assert chat is not None
    stored = chat.bot_messages[reply.message_id]
    button = next(b for row in stored.data["reply_markup"]["inline_keyboard"] for b in row if b["text"] == "▶")
    button["callback_data"] = button["callback_data"].replace("out|1", "out|0")
    await user.press(button["callback_data"])
    import asyncio

    for _ in range(100):
        if user.callback_answers:
            break
        await asyncio.sleep(0.02)
    assert user.callback_answers[-1]["text"] == "这个按钮已失效，请重新发送命令。"


def test_page_buttons_of_a_long_query_fit_telegrams_64_bytes() -> None:
    from types import SimpleNamespace

    from bot.buttons import Button, ButtonSigner
    from bot.services.coordinator import pages
    from handlers import coordinator

    signer = ButtonSigner(b"secret")
    context = SimpleNamespace(user_data={})
    spec = "“两品一械”案件查办统计数据（统计信息系统） 2023年第三季度"  # far over 64 bytes
    row = pages._pager("out", 0, 3, spec, coordinator._remembering(context), "zh-CN")  # type: ignore[arg-type]
    assert [b.label for b in row] == ["1/3", "▶"]
    next_button = row[-1]
    callback_data = signer.pack(1, next_button.action, *next_button.args)
    assert len(callback_data.encode()) <= 64
    pressed = signer.unpack(1, callback_data)
    assert isinstance(pressed, Button) and pressed.int_arg(0) == 1
    assert coordinator._recall(context, pressed) == spec  # type: ignore[arg-type]
    assert coordinator._recall(SimpleNamespace(user_data={}), pressed) is None  # forgotten after a restart: stale  # type: ignore[arg-type]
