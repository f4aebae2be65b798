"""/chart as of a day, in the viewer's language, with counts, defaulting to the report due next:
through the emulator for what is sent, and the texts read back from the drawn figure."""

from __future__ import annotations

from datetime import timedelta

from bot.context import SERVICES_KEY, Services
from bot.services.coordinator import chart
from bot.services.deadlines import adhoc
from emulator.control import UserHandle
from emulator.state import BotMessage
from tests.fixtures.app import COORDINATOR, RunningBot


async def _chart(user: UserHandle, text: str) -> BotMessage:
    """Send /chart and wait for the picture (drawing it the first time in a process loads matplotlib and a CJK font: slow on a busy machine)."""
    user.skip_pending()
    await user.send(text)
    return await user.wait_for(lambda m: "各单位按期报送情况" in m.text, timeout=60)


def _services(bot: RunningBot) -> Services:
    return bot.app.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def test_chart_defaults_to_the_report_due_next(export_bot: RunningBot) -> None:
    # 16 August: the liaison form (10 August) and the first weekly report (11 August) are past;
    # the weekly report is the one due next (18 August), so it is drawn, not the liaison form.
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await _chart(user, "/chart")
    assert reply.photo and reply.caption.startswith("工作组周报")


async def test_chart_names_the_day_and_counts_in_the_viewers_language(export_bot: RunningBot) -> None:
    services = _services(export_bot)
    now = export_bot.clock.advance(timedelta(days=7))  # 23 August: two weekly periods due
    weekly = next(r for r in adhoc.report_types(services) if r.key == "group_weekly")
    zh = chart.render(services, weekly, now=now, language="zh-CN")
    assert zh is not None and zh.periods == 2
    assert "工作组周报报送情况（截至2023年8月23日）" in zh.texts
    assert {"按时", "逾期补报", "未报", "未到期"} <= set(zh.texts)
    assert "8月7日—8月13日" in zh.texts and "8月14日—8月20日" in zh.texts
    assert f"0/{zh.units}" in zh.texts  # filed / owed above each column
    en = chart.render(services, weekly, now=now, language="en")
    assert en is not None
    assert "Working group weekly report: filing by unit (as of 2023-8-23)" in en.texts
    assert {"On time", "Late", "Missing", "Not yet due"} <= set(en.texts) and "按时" not in en.texts
    assert "7 Aug – 13 Aug 2023" in en.texts


def test_bars_carry_their_counts() -> None:
    font = chart.cjk_font()
    units = {i: f"第{i}市场监管所" for i in range(50)}
    states = {(u, 1): "on_time" if u < 30 else "late" if u < 42 else "missing" for u in units}
    states |= {(u, 2): "pending" for u in units}
    legend = {"on_time": "按时", "late": "逾期补报", "missing": "未报", "pending": "未到期"}
    png, texts = chart._draw(font, "标题", ["8月", "9月"], [1, 2], units, states, legend=legend, counts_note="")
    assert png.startswith(b"\x89PNG")
    assert {"30", "12", "8", "50"} <= set(texts)
