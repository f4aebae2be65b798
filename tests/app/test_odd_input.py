"""Odd input never crashes the bot: every update gets an answer or a deliberate silence."""

from __future__ import annotations

from typing import Any

import pytest

from bot.texts.catalog import t
from tests.app.submit_helpers import PDF, liaison_of, says
from tests.app.test_reminders import MINUS_3D, liaison, process
from tests.fixtures.app import RunningBot

pytestmark = pytest.mark.usefixtures("files_dir")


def errors_logged(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


async def test_a_file_when_the_bot_asks_which_report(bot_app: RunningBot, make_person: Any, make_liaison: Any, caplog: Any) -> None:
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", 7801)
    user = bot_app.emulator.user(7801)
    await says(user, "/submit", "请选择要报送的事项")
    user.skip_pending()
    await user.send_document(PDF, "report.pdf")
    reply = await user.wait_for()
    assert "请选择" in reply.text or "按钮" in reply.text, reply.text
    assert errors_logged(caplog) == []


async def test_a_very_long_text_in_the_snooze_step_is_answered(bot_app: RunningBot, make_person: Any, make_liaison: Any, caplog: Any) -> None:
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7802)
    await process(bot_app, MINUS_3D)
    await user.wait_for(lambda m: "典型案例" in m.text)
    await user.press("其他时间…")
    await user.wait_for()
    reply = await user.ask("明天<b>" * 900)  # 5,400 characters, echoed back in the answer
    assert reply.text and len(reply.text) <= 4096
    assert errors_logged(caplog) == []


async def test_lang_twice_with_the_same_choice(bot_app: RunningBot, caplog: Any) -> None:
    user = bot_app.emulator.user(7803, language_code="zh-hans")
    await user.ask("/lang")
    await user.press("English")
    await user.wait_for()
    await user.ask("/lang")
    answers = len(user.callback_answers)
    await user.press("English")
    for _ in range(100):
        if len(user.callback_answers) > answers:
            break
        import asyncio

        await asyncio.sleep(0.05)
    assert len(user.callback_answers) > answers, "the press is answered"
    assert errors_logged(caplog) == []


async def test_an_edited_answer_is_taken_as_the_corrected_answer(bot_app: RunningBot, make_person: Any, make_liaison: Any, caplog: Any) -> None:
    user = await liaison(bot_app, make_person, make_liaison, "pgs", 7804)
    await process(bot_app, MINUS_3D)
    await user.wait_for(lambda m: "典型案例" in m.text)
    await user.press("其他时间…")
    await user.wait_for()
    sent = await user.send("随便")  # not a time: the question stays open
    await user.wait_for(lambda m: "随便" in m.text)
    user.skip_pending()
    await user.edit(sent, "明天下午3点")
    corrected = await user.wait_for()
    assert "15:00" in corrected.text, corrected.text
    assert errors_logged(caplog) == []


async def test_an_edited_message_with_no_question_open_gets_a_short_hint(bot_app: RunningBot, caplog: Any) -> None:
    user = bot_app.emulator.user(7805, language_code="zh-hans")
    sent = await user.send("/help")
    await user.wait_for()
    user.skip_pending()
    await user.edit(sent, "/hlep")
    hint = await user.wait_for()
    assert hint.text == t("zh-CN", "reliability.edited")
    assert errors_logged(caplog) == []


def _bomb() -> bytes:
    """An .xlsx-looking zip of about 120 KB that inflates to 120 MB."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (120 * 1024 * 1024))
    return out.getvalue()


async def test_a_zip_bomb_workbook_is_refused_before_opening_and_others_are_answered(
    stats_bot: RunningBot, make_person: Any, make_liaison: Any
) -> None:
    import resource

    from tests.app.submit_helpers import presses

    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", 7810)
    user = stats_bot.emulator.user(7810, language_code="zh-hans")
    other = stats_bot.emulator.user(7811, language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    bomb = _bomb()
    assert len(bomb) < 400_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    await user.send_document(bomb, "统计表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    help_reply = await other.ask("/help")  # another user is answered meanwhile
    assert help_reply.text
    await user.wait_for(lambda m: "无法打开文件“统计表.xlsx”" in m.text, timeout=10)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, grown_mb


async def test_a_reply_lost_to_a_gateway_error_is_followed_by_an_apology(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(7812, language_code="zh-hans")
    bot_app.emulator.faults.fail_next(1, 504, method="sendMessage", html=True, chat_id=7812)
    await user.send("0")
    apology = await user.wait_for(timeout=20)
    assert apology.text == t("zh-CN", "error.generic")


async def test_a_reply_lost_in_a_burst_of_gateway_errors_is_still_followed_by_an_apology(bot_app: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    # The torture run's burst: the reply and the next seven tries of the apology meet a 5xx (a notice
    # gives up after six); the user must still get an answer once Telegram is back.
    from bot.services import notify

    monkeypatch.setattr(notify, "PAUSE_S", 0.01)  # (the pauses between tries, shortened for the test)
    monkeypatch.setattr(notify, "PAUSE_MAX_S", 0.05)
    user = bot_app.emulator.user(7813, language_code="zh-hans")
    bot_app.emulator.faults.fail_next(8, 502, method="sendMessage", html=True, chat_id=7813)
    await user.send("0")
    apology = await user.wait_for(timeout=20)
    assert apology.text == t("zh-CN", "error.generic")


async def test_a_press_answered_after_its_time_is_skipped_not_an_error(bot_app: RunningBot) -> None:
    # A press sent again after a restart (its first taker answered it, then died) or kept through an
    # outage comes too late to be answered: Telegram says the query is too old. The replies still go.
    from telegram.error import BadRequest

    bot = bot_app.app.bot
    assert await bot.answer_callback_query("4242") is True  # no such query (any more): skipped
    with pytest.raises(BadRequest):
        await bot.send_message(chat_id=1, text="")  # other refusals still raise
