"""The cumulative statistics check compares with the previous period's filing, not the most recently filed one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any


from bot.models import Person, SubmissionKind
from bot.storage import Storage, due, submissions
from tests.app.submit_helpers import liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7051
ZERO = {"inspected": "0", "violating": "0", "rectified": "0", "cases": "0", "fines": "0", "revoked": "0", "police": "0"}


def _file(storage: Storage, person: Person, *, period: str, label: str, due_at: datetime, inspected: str, at: datetime) -> int:
    unit_id = storage.units.get_unit_by_code(code="pgs").id
    with storage.session() as s:
        item = due.ensure_due_item(s, report_key="drug_stats", period_key=period, period_label=label, due_at=due_at, unit_codes=["pgs"], now=at)
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit_id)
        values = {"row_retail": {**ZERO, "inspected": inspected}}
        submissions.file_and_complete(s, obligation_id=obligation.id, person_id=person.id, kind=SubmissionKind.statistics, data={"values": values}, now=at)
        return obligation.id


async def test_filings_out_of_period_order_compare_with_the_period_before(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: datetime
) -> None:
    storage = stats_bot.storage
    person = liaison_of(storage, make_person, make_liaison, "pgs", LIAISON)
    # July (20 inspected) filed first, then September (100) filed before August
    _file(storage, person, period="2023-07", label="2023年7月", due_at=now - timedelta(days=10), inspected="20", at=now - timedelta(days=12))
    september = _file(storage, person, period="2023-09", label="2023年9月", due_at=now + timedelta(days=50), inspected="100", at=now - timedelta(hours=1))

    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    await says(user, "25 3 2 1 0.5 0 0", "药品使用单位")
    await says(user, "0 0 0 0 0 0 0", "药品网络销售单位")
    preview = await says(user, "0 0 0 0 0 0 0", "请核对")  # 25 ≥ July's 20: no question (September's 100 is later)
    assert "以下数字比本单位上次报送的少" not in preview.text
    await presses(user, "✅ 确认提交", "已提交")

    # September's previous period is now August (filed after it), not July
    unit_id = storage.units.get_unit_by_code(code="pgs").id
    with storage.session() as s:
        before = submissions.previous_filing(s, unit_id=unit_id, report_key="drug_stats", kind=SubmissionKind.statistics, before_obligation_id=september)
        assert before is not None and before.data["values"]["row_retail"]["inspected"] == "25"
        july = due.get_due_item(s, report_key="drug_stats", period_key="2023-07")
        july_obligation = due.get_obligation(s, due_item_id=july.id, unit_id=unit_id)
        first = submissions.previous_filing(s, unit_id=unit_id, report_key="drug_stats", kind=SubmissionKind.statistics, before_obligation_id=july_obligation.id)
        assert first is None  # nothing before the first period


async def test_a_lower_number_than_the_period_before_is_questioned(
    stats_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], now: datetime
) -> None:
    storage = stats_bot.storage
    person = liaison_of(storage, make_person, make_liaison, "pgs", LIAISON)
    _file(storage, person, period="2023-07", label="2023年7月", due_at=now - timedelta(days=10), inspected="20", at=now - timedelta(hours=2))
    _file(storage, person, period="2023-06", label="2023年6月", due_at=now - timedelta(days=40), inspected="5", at=now - timedelta(hours=1))
    user = stats_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "药品经营使用环节统计表 · 2023年8月", "请输入零售药店一行的七个数字")
    await says(user, "10 3 2 1 0.5 0 0", "药品使用单位")
    await says(user, "0 0 0 0 0 0 0", "药品网络销售单位")
    lower = await says(user, "0 0 0 0 0 0 0", "以下数字比本单位上次报送的少")  # July's 20, though June was filed last
    assert "零售药店 × 检查单位数量（家）：10，低于上次报送的 20" in lower.text
