"""The browser sandbox in headless Chromium: the coordinator invites, a liaison registers and files a
typical case with its PDF, the unit head signs it off, all by typing and clicking in the panes; the
clock jumps to the next reminder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
import asyncio
import json
import re

import pytest
from aiohttp import web
from sqlmodel import select

from bot.clock import FixedClock
from bot.config import WebSettings, load_config
from bot.sandbox import DEMO_START, Sandbox
from bot.models import Obligation, ObligationStatus, Person, Submission, SubmissionStatus
from bot.web import sandbox as web_sandbox
from bot.web import server
from tests.web.conftest import Browser, free_port


@dataclass
class Served:
    sandbox: Sandbox
    url: str


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    config = web_sandbox.with_signoff(load_config().model_copy(update={"web": WebSettings(port=free_port())}))
    sandbox = Sandbox(config=config, clock=FixedClock(DEMO_START), fast=True)
    await sandbox.start()
    await web_sandbox.prepare(sandbox)
    port = free_port()
    runner: web.AppRunner = await web_sandbox.serve(sandbox, host="127.0.0.1", port=port)
    try:
        yield Served(sandbox, f"http://127.0.0.1:{port}/")
    finally:
        await runner.cleanup()
        await server.stop(sandbox.app)
        await sandbox.stop()


async def _say(browser: Browser, pane: str, text: str, expect: str) -> str:
    await browser.fill(f"#pane-{pane} input[type=text]", text + "\n")
    return await browser.wait_text(expect, f"#pane-{pane} .log")


async def _press(browser: Browser, pane: str, button: str, expect: str) -> str:
    xpath = f"(//div[@id='pane-{pane}']//button[contains(@class,'ib')][normalize-space(.)='{button}'])[last()]"
    element = await browser._run(browser.driver.find_element, "xpath", xpath)
    await browser._run(element.click)
    return await browser.wait_text(expect, f"#pane-{pane} .log")


async def test_register_a_liaison_and_file_a_case_by_clicking(served: Served, browser: Browser, tmp_path: Path) -> None:
    await browser.get(served.url)
    await browser.wait_text("浏览器沙盒")
    await _say(browser, "coordinator", "/invite", "请选择要邀请联络员的单位")
    await _press(browser, "coordinator", "平岗市场监管所", "为 平岗市场监管所 邀请")
    log = await _press(browser, "coordinator", "联络员", "邀请链接已生成")
    link = re.findall(r"https://t\.me/\S+\?start=[A-Za-z0-9_-]+", log)[-1]

    await _say(browser, "liaison", link, "请输入您的姓名")
    for answer, expect in (("张伟", "所在部门"), ("平岗市场监管所", "职务"), ("副所长", "办公电话"), ("0564-6012345", "移动电话"),
                           ("138 0564 1234", "电子邮箱"), ("zhangwei@example.gov.cn", "请核对您的登记信息")):
        await _say(browser, "liaison", answer, expect)
    await _press(browser, "liaison", "✅ 确认登记", "登记完成")
    await browser.wait_text("新登记：张伟", "#pane-coordinator .log")
    await browser.screenshot("sandbox-registered")

    await _say(browser, "liaison", "/submit", "请选择要报送的事项")
    await _press(browser, "liaison", "典型案例 · 2023年8月", "请输入案件名称")
    for answer, expect in (("某药店从非法渠道购进药品案", "案情概述"), ("经查，该药店从无资质个人处购进药品并销售。", "查办结果"),
                           ("没收违法所得并处罚款。", "处罚决定日期"), ("8月10日", "罚没款金额"), ("1.5万元", "是否已移送公安机关")):
        await _say(browser, "liaison", answer, expect)
    await _press(browser, "liaison", "否", "请发送行政处罚决定书")
    pdf = tmp_path / "行政处罚决定书.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% sandbox test\n" + b"0" * 256 + b"\n%%EOF\n")
    upload = await browser.find("#pane-liaison input[type=file]")
    await browser._run(upload.send_keys, str(pdf))
    await browser.wait_text("✅ 确认提交", "#pane-liaison .log")
    await _press(browser, "liaison", "✅ 确认提交", "已提交单位负责人审核")
    with served.sandbox.storage.session() as s:
        [filed] = list(s.exec(select(Submission)))
    assert filed.status is SubmissionStatus.pending  # 待审核: it counts once the head approves

    # the unit head (role head of 平岗所, not the leader) is asked, and approves by clicking
    assert "王建国" in await browser.text("#pane-head")
    assert "单位负责人" in await browser.text("#pane-head .log")  # his greeting names the role
    await browser.wait_text("请审核", "#pane-head .log")
    await browser.wait_text("某药店从非法渠道购进药品案", "#pane-head .log")
    await _press(browser, "head", "✅ 审核通过", "已审核通过")
    await browser.wait_text("单位负责人已审核通过", "#pane-liaison .log")
    await browser.screenshot("sandbox-filed")

    with served.sandbox.storage.session() as s:
        [filed] = list(s.exec(select(Submission)))
        head = s.exec(select(Person).where(Person.telegram_user_id == web_sandbox.HEAD.user_id)).one()
        obligation = s.get(Obligation, filed.obligation_id)
    assert filed.signed_off_by_person_id == head.id and filed.status is not SubmissionStatus.pending
    assert obligation is not None and obligation.status is ObligationStatus.done
    assert "某药店从非法渠道购进药品案" in json.dumps(filed.data, ensure_ascii=False)
    assert filed.data.get("files")  # the PDF uploaded from the browser is kept with the filing

    # the clock jumps to the next reminder moment, and 张伟 is reminded of what is still open (the statistics)
    before = await browser.text("#now")
    count = "return document.querySelectorAll('#pane-liaison .m.bot').length"
    messages = await browser._run(browser.driver.execute_script, count)
    await browser.click("#next-reminder")
    await browser.wait_text("时间已跳到", "#said")
    assert await browser.text("#now") != before
    for _ in range(100):
        if await browser._run(browser.driver.execute_script, count) > messages:
            break
        await asyncio.sleep(0.1)
    last = await browser._run(browser.driver.execute_script, "return [...document.querySelectorAll('#pane-liaison .m.bot')].pop().textContent")
    assert "统计" in last and "典型案例" not in last  # the case is filed: only the statistics are reminded

    # a picture the bot sends is shown in the pane: the coordinator's compliance chart
    await _say(browser, "coordinator", "/chart", "按期报送情况")
    drawn = await browser.find("#pane-coordinator .log img")
    width = await browser._run(browser.driver.execute_script, "return arguments[0].naturalWidth", drawn)
    assert width > 100  # the PNG was fetched from the sandbox and decoded by the browser
