"""The dashboard in a real (headless) Chromium: log in with /web's link, the matrix, a unit, a filing
returned (the liaison is told in chat), the workbook downloaded; links refused when expired, reused
or not a coordinator's; pages refused without a session."""

from __future__ import annotations

import io
import re
from pathlib import Path
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import openpyxl
import pytest

from bot.models import Person, SubmissionStatus
from bot.storage import due, submissions, web
from bot.texts.catalog import t
from emulator.control import UserHandle
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import COORDINATOR, RunningBot
from tests.web.conftest import Browser

LIAISON = 7102

pytestmark = pytest.mark.usefixtures("files_dir")


async def _file(user: UserHandle, text: str) -> None:
    """The liaison files the any-time report 重大问题 with a text."""
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "重大问题、特色做法及典型经验", "请发送要报送的内容")
    await says(user, text, "已记下")
    await presses(user, "完成", "请核对")
    await presses(user, "✅ 确认提交", "已提交")


async def _link(user: UserHandle) -> str:
    reply = await says(user, "/web", "http")
    found = re.search(r"(http://\S+/login/[A-Za-z0-9_-]+)", reply.text)
    assert found, reply.text
    return found.group(1)


async def _log_in(browser: Browser, link: str) -> None:
    await browser.get(link)
    await browser.click("#login")


async def test_log_in_see_the_matrix_return_a_filing_and_download_the_workbook(
    web_bot: RunningBot, browser: Browser, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(web_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    liaison = web_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    coordinator = web_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await _file(liaison, "发现一起跨区域线索<script>alert(1)</script>。")

    await _log_in(browser, await _link(coordinator))
    page = await browser.wait_text("报送工作台")
    assert "平岗市场监管所" in page and "未报" in page  # Chinese by default; units × periods of the first report
    await browser.screenshot("dashboard-matrix")

    # the any-time report 重大问题: 平岗所's cell waits for review, and is counted
    await browser.get(browser.url.split("?")[0] + "?report=major_issue")
    row = await browser.text('tr[data-unit="pgs"]')
    assert "待审核" in row
    assert await browser.text("#total-waiting") == "1"

    await browser.click_text("平岗市场监管所")
    unit_page = await browser.wait_text("联络员")
    assert "张联络" in unit_page and "13800000001" in unit_page  # the liaison with the phone
    await browser.screenshot("dashboard-unit")

    await browser.click_text("第 1 项 v1")
    preview = await browser.wait_text("跨区域线索", "#preview")
    assert "<script>alert(1)</script>" in preview  # shown as text, escaped, not run
    await browser.screenshot("dashboard-filing")
    await browser.fill("#comment", "请补充线索来源。")
    await browser.click("#return")
    flash = await browser.wait_text("已退回", "#flash")
    assert "已通知本单位联络员" in flash

    told = await liaison.wait_for(lambda m: "被退回修改" in m.text)
    assert "请补充线索来源。" in told.text and told.button_texts  # with the button to fix it
    unit = web_bot.storage.units.get_unit_by_code(code="pgs")
    with web_bot.storage.session() as s:
        [view] = [v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "major_issue"]
        [current] = submissions.current_submissions(s, obligation_id=view.obligation.id)
    assert current.status is SubmissionStatus.returned and current.review_comment == "请补充线索来源。"

    await browser.click_text("返回矩阵")
    await browser.click("#export-workbook")
    workbook = await browser.download(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(workbook).read_bytes()))  # (read whole: a read-only workbook keeps its file open)
    sheet = book["报送台账"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and len(r) > 9 and r[1] == "平岗市场监管所"]  # (序号, 单位, 报送事项, 期次, 截止时间, 案件名称, 版本, 报送时间, 报送人, 状态 …)
    assert any(r[9] == "退回修改" for r in rows)


async def test_an_expired_a_reused_and_a_liaisons_link_are_refused(
    web_bot: RunningBot, browser: Browser, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    coordinator = web_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    base = f"http://127.0.0.1:{web_bot.config.web.port}"

    # no session: nothing is shown
    await browser.get(base + "/")
    assert "无权访问" in await browser.text()

    # reused: the first use logs in, the second is refused
    link = await _link(coordinator)
    await _log_in(browser, link)
    await browser.wait_text("报送工作台")
    await browser._run(browser.driver.delete_all_cookies)
    await _log_in(browser, link)
    assert "已经使用过" in await browser.text("#message")
    await browser.get(base + "/")
    assert "无权访问" in await browser.text()

    # expired: 10 minutes later
    link = await _link(coordinator)
    web_bot.clock.set(web_bot.clock.now() + timedelta(minutes=10, seconds=1))
    await _log_in(browser, link)
    assert "已过期" in await browser.text("#message")
    await browser.screenshot("dashboard-expired-link")

    # a liaison gets no link; a link made for a liaison (or a coordinator who has since lost the role) does not log in
    person = liaison_of(web_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    liaison = web_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    refused = await liaison.ask("/web")
    assert refused.text == t("zh-CN", "error.not-allowed")
    with web_bot.storage.session() as s:
        web.create_token(s, token="liaisons-own-link", kind=web.LINK, person_id=person.id, language="zh-CN",
                         now=web_bot.clock.now(), expires_at=web_bot.clock.now() + timedelta(minutes=10))
    await _log_in(browser, f"{base}/login/liaisons-own-link")
    assert "不是协调员" in await browser.text("#message")
    await browser.get(base + "/")
    assert "无权访问" in await browser.text()
