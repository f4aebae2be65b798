"""A file small enough for every size bound but slow to parse is stopped by the parse worker's time limit
(issue 14): its sender is told what to send instead and their conversation goes on; other users are
answered meanwhile; the next upload is read as usual; the workers stop with the bot."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from bot import parsing
from bot.config import FilesSettings
from bot.context import SERVICES_KEY, Services
from bot.models import Person
from bot.services.submissions.forms.workbook import blank_workbook
from bot.texts.catalog import t
from tests.app.documents import DOCX, XLSX, slow_docx, slow_workbook
from tests.app.helpers_coordinator import liaison
from tests.app.levels_support import YC_COORDINATOR
from tests.app.submit_helpers import liaison_of, presses, says
from tests.app.test_problems_import import workbook as problem_list
from tests.fixtures.app import RunningBot, stop_bot

pytestmark = pytest.mark.usefixtures("files_dir")


def quick_limit(bot: RunningBot, monkeypatch: pytest.MonkeyPatch, seconds: float = 1.0) -> None:
    """The running bot reads files within `seconds` (the hostile workbook takes about 20 s)."""
    services: Services = bot.app.bot_data[SERVICES_KEY]
    monkeypatch.setattr(services, "config", services.config.model_copy(update={"files": FilesSettings(parse_seconds=seconds)}))


def filled() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(blank_workbook()))
    sheet = book.active
    assert sheet is not None
    for r in (5, 6, 7):
        for c in range(2, 9):
            sheet.cell(row=r, column=c, value=0)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_workbook_too_slow_to_read_is_refused_while_another_user_is_answered(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_limit(stats_bot, monkeypatch)
    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", 7820)
    user = stats_bot.emulator.user(7820, language_code="zh-hans")
    other = stats_bot.emulator.user(7821, language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")

    await user.send_document(slow_workbook(), "统计表.xlsx", XLSX)
    assert (await other.ask("/help")).text  # another user is answered meanwhile
    refused = await user.wait_for(lambda m: m.text == t("zh-CN", "reliability.parse.too-slow"), timeout=15)
    assert "获取空白统计表" in refused.button_texts  # the step is still open, with its buttons

    await user.send_document(filled(), "统计表-简化.xlsx", XLSX)  # the next upload is read as usual
    await user.wait_for(lambda m: "已读取统计表：统计表-简化.xlsx" in m.text, timeout=15)
    await user.wait_for(lambda m: "请核对" in m.text)

    await stop_bot(stats_bot)  # (the fixture's stop after this one does nothing more)
    assert parsing.workers.pids() == []  # the bot's stop stopped its parse workers


async def test_a_case_document_too_slow_to_read_is_refused_and_the_case_goes_on(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_limit(bot_app, monkeypatch)
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", 7823)
    user = bot_app.emulator.user(7823, language_code="zh-hans")
    other = bot_app.emulator.user(7824, language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    await says(user, "某药店销售假药案", "案情概述")  # typed before the hostile file: kept

    await user.send_document(slow_docx(), "案例.docx", DOCX)
    assert (await other.ask("/help")).text
    refusals = {t("zh-CN", "reliability.parse.too-slow"), t("zh-CN", "reliability.parse.too-big")}  # (whichever limit it meets first)
    await user.wait_for(lambda m: m.text in refusals, timeout=15)
    await says(user, "2023年7月，执法人员在日常检查中发现某药店销售无批准文号的药品。", "查办结果")  # the same step goes on


async def test_a_problem_list_too_slow_to_read_is_refused_and_the_import_goes_on(ningxia_bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    quick_limit(ningxia_bot, monkeypatch)
    liaison(ningxia_bot.storage, "yc-jf", telegram_user_id=7822, name="金凤联络员", mobile="13900000002", now=ningxia_bot.clock.now())
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, language_code="zh-hans")
    jf = ningxia_bot.emulator.user(7822, language_code="zh-hans")
    await yc.send("/importproblems")
    await yc.wait_for(lambda m: "请发送问题清单" in m.text)
    await yc.send_document(slow_workbook(1_100_000), "问题清单.xlsx", XLSX)  # under the list's 20 MB inflated: about 9 s to open
    assert (await jf.ask("/start")).text  # another user is answered meanwhile
    await yc.wait_for(lambda m: m.text == t("zh-CN", "reliability.parse.too-slow"), timeout=15)

    good = problem_list([1, "药店未凭处方销售处方药", "yc-jf", "张三", "2023-10-31", "专项检查"])
    await yc.send_document(good, "问题清单-简化.xlsx", XLSX)  # still importing: the list sent next is read
    done = await yc.wait_for(lambda m: "已导入" in m.text, timeout=15)
    assert "已导入 1 个问题" in done.text


async def test_while_a_file_is_read_for_long_other_users_keep_being_answered(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The upload's update stays open while its file is read (here about 20 s, within the limit); another
    # user sends more than the 100 updates a getUpdates answer holds. Held at the open update, every
    # answer from Telegram was the same first 100, already handled: the bot heard nothing new until the
    # file was read. The offset now waits at an open update only so long (`updates.HOLD_MAX`).
    quick_limit(stats_bot, monkeypatch, seconds=60)
    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", 7830)
    user = stats_bot.emulator.user(7830, language_code="zh-hans")
    other = stats_bot.emulator.user(7831, language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    before = len(user.history)
    await user.send_document(slow_workbook(), "统计表.xlsx", XLSX)
    for _ in range(120):
        assert (await other.ask("/help", timeout=10)).text
    finished = (t("zh-CN", "reliability.parse.too-slow"), t("zh-CN", "reliability.parse.too-big"))
    assert not [m.text for m in user.history[before:] if "统计表.xlsx" in m.text or m.text in finished]  # all while the file was being read
