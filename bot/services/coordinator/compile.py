"""/compile: a Word document of a period's typical cases (附件8 format) and stage summaries (附件9 sections).

A case reads "××所（队）报送××案", then 一、案情概述 and 二、查办结果 (with the decision date,
fine and police transfer when given). A summary has the five 附件9 sections; one filed as a
file says so and names it. Only current filings (not superseded, not returned) are compiled.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.services.deadlines import adhoc
from bot.storage import register as views_register
from bot.storage.register import FiledReport
from schedules import period_for_phrase
from schedules.rules import AnyTimeSchedule

SUMMARY_HEADINGS = (
    ("basic", "一、基本情况"),
    ("progress", "二、主要工作进展"),
    ("highlights", "三、工作亮点"),
    ("suggestions", "四、意见建议"),
    ("other", "五、其他"),
)


@dataclass(frozen=True)
class Compiled:
    """The document and what it holds."""

    data: bytes
    period: str
    cases: int
    summaries: int


def resolve(services: Services, phrase: str, *, now: datetime) -> list[tuple[ReportType, str, str]]:
    """(report, period key, period label) for each case or summary report type the phrase names a period of."""
    c = services.config.campaign
    out = []
    for report in adhoc.report_types(services):
        if report.template not in (TemplateKind.CASE, TemplateKind.SUMMARY) or isinstance(report.schedule, AnyTimeSchedule):
            continue
        item = period_for_phrase(phrase, report, now=now, tz=c.tz, start=c.start, end=c.end, calendar=services.calendar)
        if item is not None:
            out.append((report, item.period_key, item.label))
    return out


def case_heading(unit_name: str, title: str) -> str:
    """附件8's title line: ××所（队）报送××案 (no doubled 案)."""
    title = title.strip()
    return f"{unit_name}报送{title}" if title.endswith("案") else f"{unit_name}报送{title}案"


def _paragraphs(doc: Any, text: str) -> None:
    for line in str(text).splitlines() or [""]:
        if line.strip():
            doc.add_paragraph(line.strip())


def _case(doc: Any, filing: FiledReport) -> None:
    values = filing.data.get("values", filing.data)
    heading = doc.add_heading(case_heading(filing.unit_name, str(values.get("title", ""))), level=2)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"填报单位：{filing.unit_name}    填报日期：{_day(filing.submitted_at)}")
    doc.add_heading("一、案情概述", level=3)
    _paragraphs(doc, values.get("overview", ""))
    doc.add_heading("二、查办结果", level=3)
    _paragraphs(doc, values.get("result", ""))
    facts = []
    if values.get("decided_on"):
        facts.append(f"处罚决定日期：{_day(date.fromisoformat(str(values['decided_on'])))}")
    if values.get("fine") not in (None, ""):
        facts.append(f"罚没款：{values['fine']}元")
    if "police" in values:
        facts.append("移送公安机关：" + ("是" if values["police"] else "否"))
    if facts:
        doc.add_paragraph("；".join(facts))
    if filing.data.get("files", {}).get("decision_file"):
        doc.add_paragraph("附：《行政处罚决定书》（见报送附件）")


def _summary(doc: Any, filing: FiledReport, report: ReportType, label: str) -> None:
    values = filing.data.get("values", filing.data)
    heading = doc.add_heading(f"{filing.unit_name}{report.title}（{label}）", level=2)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if values.get("as_file"):
        doc.add_paragraph("（以文件形式报送，见报送附件。）")
        return
    for key, title in SUMMARY_HEADINGS:
        doc.add_heading(title, level=3)
        _paragraphs(doc, values.get(key, "") or "无")


def _day(value: date | datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def compile_period(services: Services, phrase: str, *, now: datetime) -> Compiled | None:
    """The period's cases and summaries as .docx bytes; None if the phrase names no period of such a report."""
    found = resolve(services, phrase, now=now)
    if not found:
        return None
    with services.storage.session() as s:
        filings = views_register.filings_for(s, pairs=[(r.key, p) for r, p, _ in found], kinds=["case", "summary"])
    by_report = {r.key: (r, label) for r, _, label in found}
    label = "、".join(dict.fromkeys(lbl for _, _, lbl in found))
    doc = Document()
    title = doc.add_heading(f"{services.config.campaign.name}报送材料汇编（{label}）", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cases = [f for f in filings if f.kind == "case"]
    summaries = [f for f in filings if f.kind == "summary"]
    if cases:
        doc.add_heading("典型案例", level=1)
        for filing in cases:
            _case(doc, filing)
    if summaries:
        doc.add_heading("工作总结", level=1)
        for filing in summaries:
            report, lbl = by_report[filing.report_key]
            _summary(doc, filing, report, lbl)
    out = io.BytesIO()
    doc.save(out)
    return Compiled(data=out.getvalue(), period=label, cases=len(cases), summaries=len(summaries))
