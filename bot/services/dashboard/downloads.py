"""The exports as downloads: the workbook (/export), a report's compliance chart (/chart) and a
period's compiled cases and summaries (/compile), built by `bot.services.coordinator`.

They are built off the event loop by the caller (`asyncio.to_thread`): each can take seconds.
Each holds only the viewer's units: a coordinator bound to a unit gets its subtree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.services.coordinator import chart, export
from bot.services.coordinator import compile as compiler
from bot.services.coordinator.paper import Labels, safe_name
from bot.services.dashboard.login import Viewer
from bot.services.deadlines import adhoc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Download:
    """A file to send to the browser, or why there is none (a catalog key)."""

    name: str = ""
    mime_type: str = ""
    data: bytes = b""
    problem: str | None = None


def _stamp(services: Services, now: datetime) -> str:
    return f"{now.astimezone(services.config.campaign.tz):%Y%m%d-%H%M}"


def workbook(services: Services, viewer: Viewer, *, now: datetime) -> Download:
    """The coordinators' Excel workbook: register, 附件1 statistics, 附件10 roster."""
    result = export.build_workbook(services, now=now, language=viewer.language, unit_ids=viewer.visible_units)
    name = Labels(viewer.language)("file-export", date=f"{now.astimezone(services.config.campaign.tz):%Y%m%d}")  # as /export names it
    return Download(name, XLSX, result.data)


def compliance_chart(services: Services, viewer: Viewer, *, report_key: str, now: datetime) -> Download:
    """A report's compliance picture (PNG)."""
    report = next((r for r in adhoc.report_types(services) if r.key == report_key), None)
    if report is None:
        return Download(problem="web.download.no-report")
    try:
        drawn = chart.render(services, report, now=now, language=viewer.language, unit_ids=viewer.visible_units)
    except chart.NoCJKFont:
        return Download(problem="web.download.no-font")
    if drawn is None:
        return Download(problem="web.download.no-data")
    return Download(f"chart-{report.key}-{_stamp(services, now)}.png", "image/png", drawn.png)


def compiled(services: Services, viewer: Viewer, *, phrase: str, now: datetime) -> Download:
    """A period's typical cases (附件8) and summaries (附件9) as one Word document."""
    result = compiler.compile_period(services, phrase.strip(), now=now, language=viewer.language, unit_ids=viewer.visible_units) if phrase.strip() else None
    if result is None:
        return Download(problem="web.download.unknown-period")
    if not result.cases and not result.summaries:
        return Download(problem="web.download.no-data")
    return Download(Labels(viewer.language)("file-compile", period=safe_name(result.period)), DOCX, result.data)  # as /compile names it
