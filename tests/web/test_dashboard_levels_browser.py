"""The dashboard with units in levels (campaigns/ningxia.toml), in headless Chromium: a 市 coordinator
sees and downloads only their subtree; the problem list with its filters, red for overdue and
yellow for due soon; the regional coordinator narrows the matrix to one 市 by the level filter."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.clock import FixedClock
from bot.config import WebSettings
from bot.storage import Storage, problems
from bot.storage.problems import NewProblem
from bot.web import server
from emulator import Emulator
from tests.app.levels_support import YC_COORDINATOR, ningxia_config
from tests.fixtures.app import COORDINATOR, RunningBot, start_bot, stop_bot
from tests.web.conftest import Browser, free_port

YC_SUBTREE = {"yc", "yc-xq", "yc-jf", "yc-xx"}


@pytest.fixture
async def levels_bot(emulator: Emulator, storage: Storage, now: datetime, files_dir: Path) -> AsyncIterator[RunningBot]:
    """The 宁夏 campaign with its dashboard on a free port, and four problems on the list."""
    bot = await start_bot(ningxia_config(emulator, web=WebSettings(port=free_port())), storage, FixedClock(now), emulator)
    ids = {u.code: u.id for u in storage.units.list_units()}
    day = timedelta(days=1)
    with storage.session() as s:
        problems.add_problems(s, items=[
            NewProblem(ids["yc-xq"], "兴庆区某药店未按规定储存冷链药品", "飞行检查", "一般", "马", now - 6 * day),  # overdue
            NewProblem(ids["yc-jf"], "金凤区某诊所进货查验记录不全", "日常检查", "一般", "杨", now + day),  # due within 3 days
            NewProblem(ids["yc-xx"], "西夏区某医疗器械经营企业<b>温湿度</b>记录缺失", "专项检查", "较重", "李", now + 40 * day),
            NewProblem(ids["szs-dwk"], "大武口区某药店销售过期药品", "投诉举报", "严重", "王", now - 10 * day),  # another 市's
        ], actor_person_id=None, now=now, how="test")
    try:
        yield bot
    finally:
        await server.stop(bot.app)
        await stop_bot(bot)


async def _log_in(browser: Browser, bot: RunningBot, user_id: int, name: str) -> None:
    user = bot.emulator.user(user_id, first_name=name, language_code="zh-hans")
    await user.send("/web")
    reply = await user.wait_for(lambda m: "/login/" in m.text)  # (the regional coordinator may get the daily digest first)
    found = re.search(r"(http://\S+/login/[A-Za-z0-9_-]+)", reply.text)
    assert found, reply.text
    await browser._run(browser.driver.delete_all_cookies)
    await browser.get(found.group(1))
    await browser.click("#login")
    await browser.wait_text("报送工作台")


async def _rows(browser: Browser, css: str, attribute: str) -> list[str]:
    script = f"return [...document.querySelectorAll('{css}')].map(r => r.getAttribute('{attribute}'))"
    return list(await browser._run(browser.driver.execute_script, script))


async def test_a_city_coordinator_sees_lists_and_downloads_only_their_subtree(levels_bot: RunningBot, browser: Browser) -> None:
    await _log_in(browser, levels_bot, YC_COORDINATOR, "银川协调员")
    shown = set(await _rows(browser, "#matrix tr[data-unit]", "data-unit"))
    assert "yc-xq" in shown and shown <= YC_SUBTREE
    szs = levels_bot.storage.units.get_unit_by_code(code="szs")
    base = browser.url.split("?")[0].rstrip("/")
    await browser.get(f"{base}/unit/{szs.id}")
    assert "没有找到该页面" in await browser.text("#message")  # another 市's unit page

    # the problem list: the subtree's problems only, red overdue, yellow due soon
    await browser.get(base + "/")
    await browser.click("#problems-link")
    await browser.wait_text("问题清单", "h2")
    assert await _rows(browser, "#problems tr[data-number]", "data-urgency") == ["overdue", "due_soon", ""]  # earliest deadline first
    page = await browser.text("#problems")
    assert "兴庆区某药店" in page and "大武口区" not in page
    assert "<b>温湿度</b>" in page  # shown as typed, not as markup
    assert "共 3 条，其中逾期 1 条" in await browser.text("#problem-counts")
    colour = await browser._run(browser.driver.execute_script, "return getComputedStyle(document.querySelector('tr.overdue td')).backgroundColor")
    assert colour == "rgb(239, 154, 154)"
    await browser.screenshot("dashboard-problems")
    await browser.click("#overdue")
    await browser.click("#show")
    await browser.wait_text("共 1 条", "#problem-counts")
    assert await _rows(browser, "#problems tr[data-number]", "data-urgency") == ["overdue"]
    await browser.get(base + "/problems?unit=" + str(szs.id))  # a unit not theirs is not a filter
    assert "大武口区" not in await browser.text("#problems")

    # the workbook holds their units only (but 任务分工, where a shared task names every unit taking part)
    await browser.get(base + "/")
    await browser.click("#export-workbook")
    book = openpyxl.load_workbook(io.BytesIO(Path(await browser.download(".xlsx")).read_bytes()))
    sheets = [sheet for sheet in book.worksheets if sheet.title != "任务分工"]
    every_cell = " ".join(str(c) for sheet in sheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "兴庆区某药店未按规定储存冷链药品" in every_cell and "兴庆区市场监督管理局" in every_cell
    assert "大武口区" not in every_cell and "石嘴山" not in every_cell


async def test_the_regional_coordinator_narrows_the_matrix_to_one_city(levels_bot: RunningBot, browser: Browser) -> None:
    from selenium.webdriver.support.ui import Select

    await _log_in(browser, levels_bot, COORDINATOR, "苏荣")
    every = set(await _rows(browser, "#matrix tr[data-unit]", "data-unit"))
    assert {"yc-xq", "szs-dwk", "wz-lt"} <= every
    select = Select(await browser.find("#level"))
    await browser._run(select.select_by_visible_text, "石嘴山市市场监督管理局")
    await browser.click("#show")
    await browser.wait_text("石嘴山市市场监督管理局", "#matrix")
    narrowed = set(await _rows(browser, "#matrix tr[data-unit]", "data-unit"))
    assert narrowed and narrowed <= {"szs", "szs-dwk", "szs-pl"} and "szs-dwk" in narrowed
