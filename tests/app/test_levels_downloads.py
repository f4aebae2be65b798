"""Units in levels: the compliance chart a 市 coordinator gets (/chart in chat, the dashboard's
download) shows their subtree only, the regional coordinator's every 市 and 县; a compilation
(/compile, the dashboard's download) holds only the filings of the coordinator's units."""

from __future__ import annotations

from bot.models import SubmissionKind
from bot.services.coordinator import chart
from bot.services.coordinator import compile as compiler
from bot.services.deadlines.reports import find_report
from bot.services.people.access import roles_of
from tests.app.helpers_coordinator import case_data, file, liaison
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


async def test_a_compilation_holds_the_coordinators_units_only(export_bot: RunningBot) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    services = export_bot.app.bot_data["services"]
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    li = liaison(storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("销售假药"), at=now)
    file(storage, "shs", "typical_case", "2023-08", person=li, kind=SubmissionKind.case, data=case_data("无证经营药品"), at=now)
    pgs = storage.units.get_unit_by_code(code="pgs")
    everyone = compiler.compile_period(services, "8月", now=now)
    theirs = compiler.compile_period(services, "8月", now=now, unit_ids=frozenset({pgs.id}))
    assert everyone is not None and theirs is not None
    assert {p.filing.unit_code for p in everyone.pieces} == {"pgs", "shs"}
    assert {p.filing.unit_code for p in theirs.pieces} == {"pgs"} and theirs.cases == 1
