"""The dashboard's downloads for a coordinator of one level (the viewer's `visible_units`): the workbook's roster
holds their subtree's liaisons only (phone numbers are personal data), the on-time record their units, the chart too."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl

from bot.context import SERVICES_KEY, Services
from bot.services.dashboard import downloads
from bot.services.dashboard.login import Viewer
from bot.services.people.access import Roles
from bot.storage import units
from tests.app.helpers_coordinator import liaison
from tests.fixtures.app import RunningBot


def _viewer(unit_ids: frozenset[int] | None, language: str = "zh-CN") -> Viewer:
    """A coordinator at the dashboard who sees `unit_ids` (None: all)."""
    return Viewer(person_id=0, name="协调员", language=language, csrf="", visible_units=unit_ids, roles=Roles(is_coordinator=True, visible_units=unit_ids))


def _cells(data: bytes, *, but: str = "任务分工") -> set[str]:
    """Every value of the workbook but the task sheet's (a task names all its lead units, of every 市)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {str(v) for sheet in book.worksheets if sheet.title != but for row in sheet.iter_rows(values_only=True) for v in row if v is not None}


async def test_dashboard_downloads_of_a_city_coordinator_hold_their_subtree_only(ningxia_bot: RunningBot) -> None:
    now = ningxia_bot.clock.now()
    liaison(ningxia_bot.storage, "yc-xq", telegram_user_id=7321, name="兴庆联络员", mobile="13900000031", now=now)
    liaison(ningxia_bot.storage, "szs-dwk", telegram_user_id=7322, name="大武口联络员", mobile="13900000032", now=now)
    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    with ningxia_bot.storage.session() as s:
        yc = frozenset(units.subtree_ids(s, unit_ids=[units.get_unit_by_code(s, code="yc").id]))  # type: ignore[list-item, union-attr]

    data = downloads.workbook(services, _viewer(yc), now=now).data
    mine = _cells(data)
    assert "13900000031" in mine and "兴庆区市场监督管理局" in mine
    assert "13900000032" not in mine and "大武口区市场监督管理局" not in mine
    assert downloads.workbook(services, _viewer(yc), now=now).name.startswith("报送台账_")  # named as /export names it
    assert downloads.workbook(services, _viewer(yc, "en"), now=now).name.startswith("submission-register_")
    everyone = _cells(downloads.workbook(services, _viewer(None), now=now).data)
    assert {"13900000031", "13900000032"} <= everyone

    later = ningxia_bot.clock.advance(timedelta(days=21))
    drawn = downloads.compliance_chart(services, _viewer(yc), report_key="monthly_progress", now=later)
    assert drawn.problem is None and drawn.data.startswith(b"\x89PNG")
    none_owing = downloads.compliance_chart(services, _viewer(frozenset()), report_key="monthly_progress", now=later)
    assert none_owing.problem == "web.download.no-data"


async def test_compile_of_a_city_coordinator_holds_their_cases_only(emulator, storage, now, files_dir) -> None:  # type: ignore[no-untyped-def]
    import docx

    from bot.clock import FixedClock
    from bot.config import ReportType
    from bot.models import SubmissionKind
    from tests.app.helpers_coordinator import case_data, file
    from tests.app.levels_support import YC_COORDINATOR, ningxia_config
    from tests.fixtures.app import start_bot, stop_bot

    base = ningxia_config(emulator)
    cases = ReportType.model_validate({"key": "cases", "title": "典型案例", "template": "case", "owed_by": ["县"], "max_items": 5,
                                       "schedule": {"kind": "monthly", "day": 5, "covers": "previous_month"}})
    bot = await start_bot(ningxia_config(emulator, report_types=[*base.report_types, cases]), storage, FixedClock(now), emulator)
    try:
        xq = liaison(storage, "yc-xq", telegram_user_id=7341, name="兴庆联络员", mobile="13900000051", now=now)
        dwk = liaison(storage, "szs-dwk", telegram_user_id=7342, name="大武口联络员", mobile="13900000052", now=now)
        file(storage, "yc-xq", "cases", "2023-07", person=xq, kind=SubmissionKind.case, data=case_data("兴庆区某药店销售假药案"), at=now)
        file(storage, "szs-dwk", "cases", "2023-07", person=dwk, kind=SubmissionKind.case, data=case_data("大武口区某诊所使用过期药品案"), at=now)
        yc = emulator.user(YC_COORDINATOR, language_code="zh-hans")
        await yc.send("/compile 7月")
        doc = await yc.wait_for(lambda m: m.document is not None, timeout=30)
        assert doc.document is not None and "典型案例 1 篇" in doc.caption
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(emulator.state.files[doc.document["file_id"]].data)).paragraphs)
        assert "兴庆区某药店销售假药案" in text and "大武口" not in text
    finally:
        await stop_bot(bot)
