"""The dashboard in headless Chromium, in English (the coordinator's language): a filing accepted (the
liaison is told in chat), a form without its CSRF token refused and changing nothing, and nothing
loaded from another address."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.models import Person, SubmissionStatus
from bot.storage import due, submissions
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import COORDINATOR, RunningBot
from tests.web.conftest import Browser

LIAISON = 7103

pytestmark = pytest.mark.usefixtures("files_dir")


def _current(bot: RunningBot) -> Any:
    unit = bot.storage.units.get_unit_by_code(code="pgs")
    with bot.storage.session() as s:
        [view] = [v for v in due.obligations_of_unit(s, unit_id=unit.id) if v.due_item.report_key == "major_issue"]
        [current] = submissions.current_submissions(s, obligation_id=view.obligation.id)
    return current


async def test_in_english_accept_a_filing_and_a_form_without_its_token_is_refused(
    web_bot: RunningBot, browser: Browser, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(web_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    liaison = web_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(liaison, "/submit", "请选择要报送的事项")
    await presses(liaison, "重大问题、特色做法及典型经验", "请发送要报送的内容")
    await says(liaison, "一条跨区域线索。", "已记下")
    await presses(liaison, "完成", "请核对")
    await presses(liaison, "✅ 确认提交", "已提交")

    coordinator = web_bot.emulator.user(COORDINATOR, first_name="Su", language_code="en")
    reply = await coordinator.ask("/web")
    link = re.search(r"(http://\S+/login/[A-Za-z0-9_-]+)", reply.text)
    assert link, reply.text
    await browser.get(link.group(1))
    await browser.click("#login")
    page = await browser.wait_text("Filing dashboard")
    assert "未报" not in page  # English throughout (unit names stay as configured)
    outside = "return [...document.querySelectorAll('[src],[href],link,script')].map(e => e.src || e.href || '').filter(u => u && !u.startsWith(location.origin))"
    assert await browser._run(browser.driver.execute_script, outside) == []

    await browser.get(browser.url.split("?")[0] + "?report=major_issue")
    await browser.click_text("平岗市场监管所")
    await browser.wait_text("Liaison")
    await browser.click_text("v1")
    await browser.wait_text("跨区域线索", "#preview")

    # a form whose CSRF token was taken away (as a forged cross-site post would be) is refused
    await browser._run(browser.driver.execute_script, "document.querySelectorAll('input[name=csrf]').forEach(i => i.value = 'forged')")
    await browser.click("#accept")
    assert "The form has expired" in await browser.text("#message")
    assert _current(web_bot).status is SubmissionStatus.submitted

    await browser._run(browser.driver.back)
    await browser._run(browser.driver.refresh)
    await browser.click("#accept")
    await browser.wait_text("Accepted.", "#flash")
    told = await liaison.wait_for(lambda m: "已审核通过" in m.text)
    assert "重大问题" in told.text  # the report named in the liaison's language
    assert _current(web_bot).status is SubmissionStatus.accepted
