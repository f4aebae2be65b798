"""Statistics prefilled from the last filing: keep a row as it was, or type only the cells that changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.models import Person
from tests.app.submit_helpers import liaison_of, presses, says
from tests.app.test_submit_cumulative import LIAISON, _file
from tests.fixtures.app import RunningBot


def _august(stats_bot: RunningBot) -> Any:
    unit = stats_bot.storage.units.get_unit_by_code(code="pgs")
    view = next(v for v in stats_bot.storage.due.obligations_of_unit(unit_id=unit.id) if v.due_item.report_key == "drug_stats" and v.due_item.period_key == "2023-08")
    [filed] = stats_bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    return filed.data["values"]


async def test_only_the_changed_cells_are_typed(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: datetime
) -> None:
    person = liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    _file(stats_bot.storage, person, period="2023-07", label="2023年7月", due_at=now - timedelta(days=10), inspected="20", at=now - timedelta(hours=2))
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    row = await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    assert "上次报送：20 0 0 0 0 0 0" in row.text and "✅ 与上次相同" in row.button_texts
    using = await says(user, "1=25 5=0.8", "药品使用单位")  # two cells changed, the rest as July
    assert "✅ 与上次相同" not in using.button_texts  # July had no row for it: nothing is assumed
    await says(user, "0 0 0 0 0 0 0", "药品网络销售单位")
    preview = await says(user, "0 0 0 0 0 0 0", "请核对")
    assert "以下数字比本单位上次报送的少" not in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    values = _august(stats_bot)
    assert values["row_retail"] == {"inspected": "25", "violating": "0", "rectified": "0", "cases": "0", "fines": "0.8", "revoked": "0", "police": "0"}


async def test_a_wrong_change_is_refused_and_the_row_asked_again_in_english(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: datetime
) -> None:
    person = liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    _file(stats_bot.storage, person, period="2023-07", label="2023年7月", due_at=now - timedelta(days=10), inspected="20", at=now - timedelta(hours=2))
    user = stats_bot.emulator.user(LIAISON, first_name="Zhang", language_code="en")
    await says(user, "/submit", "Which report")
    row = await presses(user, "Drug retail and use statistics · August 2023", "Last filed: 20 0 0 0 0 0 0")
    assert "✅ Same as last time" in row.button_texts
    await says(user, "5=abc", "abc")  # not a number: said, same row asked again
    await says(user, "9=1", "7")  # no ninth figure
    await presses(user, "✅ Same as last time", "Drug-using institutions")


async def test_no_prefill_without_an_earlier_filing(stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: datetime) -> None:
    liaison_of(stats_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    row = await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    assert "上次报送" not in row.text and "✅ 与上次相同" not in row.button_texts
    assert isinstance(now, datetime)
