"""Units in levels: the compliance chart a 市 coordinator gets (/chart in chat, the dashboard's
download) shows their subtree only; the regional coordinator's shows every 市 and 县."""

from __future__ import annotations

from bot.services.coordinator import chart
from bot.services.deadlines.reports import find_report
from bot.services.people.access import roles_of
from tests.app.levels_support import YC_COORDINATOR, ningxia_bot  # noqa: F401
from tests.fixtures.app import COORDINATOR, RunningBot


async def test_a_city_coordinators_chart_holds_their_subtree_only(ningxia_bot: RunningBot) -> None:  # noqa: F811
    services = ningxia_bot.app.bot_data["services"]
    report = find_report(services, "monthly_progress")
    assert report is not None
    now = ningxia_bot.clock.now()
    everyone = chart.render(services, report, now=now, unit_ids=roles_of(services, COORDINATOR).visible_units)
    theirs = chart.render(services, report, now=now, unit_ids=roles_of(services, YC_COORDINATOR).visible_units)
    assert everyone is not None and theirs is not None
    assert "兴庆区市场监督管理局" in theirs.texts and "银川市市场监督管理局" in theirs.texts
    assert not any("石嘴山" in text or "大武口" in text for text in theirs.texts)
    assert "大武口区市场监督管理局" in everyone.texts and theirs.units == 4 < everyone.units
