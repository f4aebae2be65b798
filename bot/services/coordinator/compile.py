"""/compile: a period's typical cases (附件8) and work summaries (附件9) as one Word document in the
layout of Chinese official documents (`gbt9704`), and optionally a .zip with every attached file.

The document opens with its title and period, then a list of contents when more than one unit
filed (一、典型案例 / 二、工作总结, each piece as （一） …). Each piece starts on a page of its own:
a case reads "××所（队）报送××案", 填报单位, 填报日期, 一、案情概述, 二、查办结果 (with the decision
date, fine and police transfer when given) and lists its files (附件：1.《行政处罚决定书》…); a summary
has the five 附件9 sections, or says it was filed as a file and names it. Only current filings
(not superseded, not returned) are compiled.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.services.coordinator import gbt9704 as gb
from bot.services.deadlines import adhoc
from bot.storage import paperwork, register
from bot.storage import units as unit_store
from bot.storage.paperwork import FileRef
from bot.storage.register import FiledReport as Filing
from schedules import period_for_phrase
from schedules.rules import AnyTimeSchedule

SUMMARY_HEADINGS = (
    ("basic", "一、基本情况"),
    ("progress", "二、主要工作进展"),
    ("highlights", "三、工作亮点"),
    ("suggestions", "四、意见建议"),
    ("other", "五、其他"),
)
FILE_KINDS = {"decision_file": "行政处罚决定书", "document": "工作总结", "workbook": "统计表"}
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Piece:
    """One filing in the compilation, with its heading and its files."""

    filing: Filing
    heading: str
    files: list[FileRef]


@dataclass(frozen=True)
class Compiled:
    """The document and what it holds."""

    data: bytes
    period: str
    cases: int
    summaries: int
    pieces: tuple[Piece, ...] = ()

    @property
    def files(self) -> int:
        return sum(len(p.files) for p in self.pieces)


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


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (for （一） headings)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def _day(value: date | datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _files(doc: Any, piece: Piece) -> None:
    """附件：1.《行政处罚决定书》（name） …, as an official document lists its attachments."""
    if not piece.files:
        return
    gb.blank(doc)
    kinds = {i: k for k, ids in piece.filing.data.get("files", {}).items() for i in (ids if isinstance(ids, list) else [ids])}
    for n, f in enumerate(piece.files, start=1):
        kind = FILE_KINDS.get(kinds.get(f.id, ""), "")
        name = f.file_name or f.sha256[:12]
        line = f"《{kind}》（{name}）" if kind else name
        doc.add_paragraph(("附件：" if n == 1 else "　　　") + f"{n}.{line}", style=gb.PLAIN)


def _case(doc: Any, piece: Piece) -> None:
    filing = piece.filing
    values = filing.data.get("values", filing.data)
    gb.title(doc, piece.heading, new_page=True)
    gb.blank(doc)
    doc.add_paragraph(f"填报单位：{filing.unit_name}", style=gb.PLAIN)
    doc.add_paragraph(f"填报日期：{_day(filing.submitted_at)}", style=gb.PLAIN)
    doc.add_paragraph("一、案情概述", style=gb.HEADING1)
    gb.text(doc, values.get("overview", ""))
    doc.add_paragraph("二、查办结果", style=gb.HEADING1)
    gb.text(doc, values.get("result", ""))
    facts = []
    if values.get("decided_on"):
        facts.append(f"处罚决定日期：{_day(date.fromisoformat(str(values['decided_on'])))}")
    if values.get("fine") not in (None, ""):
        facts.append(f"罚没款：{values['fine']}元")
    if "police" in values:
        facts.append("移送公安机关：" + ("是" if values["police"] else "否"))
    if facts:
        doc.add_paragraph("；".join(facts) + "。", style=gb.BODY)
    _files(doc, piece)


def _summary(doc: Any, piece: Piece) -> None:
    values = piece.filing.data.get("values", piece.filing.data)
    gb.title(doc, piece.heading, new_page=True)
    gb.blank(doc)
    if values.get("as_file"):
        doc.add_paragraph("以文件形式报送，见附件。", style=gb.BODY)
    else:
        for key, heading in SUMMARY_HEADINGS:
            doc.add_paragraph(heading, style=gb.HEADING1)
            gb.text(doc, values.get(key, "") or "无")
    _files(doc, piece)


def _contents(doc: Any, parts: list[tuple[str, list[Piece]]]) -> None:
    doc.add_paragraph("目　录", style=gb.TITLE)
    gb.blank(doc)
    for n, (name, pieces) in enumerate(parts, start=1):
        doc.add_paragraph(f"{chinese_number(n)}、{name}", style=gb.HEADING1)
        for m, piece in enumerate(pieces, start=1):
            doc.add_paragraph(f"（{chinese_number(m)}）{piece.heading}", style=gb.HEADING2)


def compile_period(services: Services, phrase: str, *, now: datetime, unit_ids: frozenset[int] | None = None) -> Compiled | None:
    """The period's cases and summaries as .docx bytes; None if the phrase names no period of such a report.
    A coordinator of one level (`unit_ids`: their subtree) gets their units' filings only."""
    found = resolve(services, phrase, now=now)
    if not found:
        return None
    with services.storage.session() as s:
        filings = register.filings_for(s, pairs=[(r.key, p) for r, p, _ in found], kinds=["case", "summary"])
        if unit_ids is not None:
            codes = {u.code for u in unit_store.list_units(s, active_only=False) if u.id in unit_ids}
            filings = [f for f in filings if f.unit_code in codes]
        files = paperwork.attachments_for(s, submission_ids=[f.submission_id for f in filings])
    by_report = {r.key: (r, label) for r, _, label in found}
    label = "、".join(dict.fromkeys(lbl for _, _, lbl in found))
    cases, summaries = [], []
    for f in filings:
        if f.kind == "case":
            cases.append(Piece(f, case_heading(f.unit_name, str(f.data.get("values", f.data).get("title", ""))), files.get(f.submission_id, [])))
        else:
            report, lbl = by_report[f.report_key]
            summaries.append(Piece(f, f"{f.unit_name}{report.title}（{lbl}）", files.get(f.submission_id, [])))
    doc = gb.new_document()
    campaign = services.config.campaign.name
    gb.title(doc, f"{campaign}报送材料汇编")
    doc.add_paragraph(f"（{label}）", style=gb.CENTRED)
    doc.add_paragraph(f"截至{_day(now.astimezone(services.config.campaign.tz))}", style=gb.CENTRED)
    parts = [(name, pieces) for name, pieces in (("典型案例", cases), ("工作总结", summaries)) if pieces]
    if len({f.unit_code for f in filings}) > 1:
        gb.blank(doc)
        _contents(doc, parts)
    for piece in cases:
        _case(doc, piece)
    for piece in summaries:
        _summary(doc, piece)
    out = io.BytesIO()
    doc.save(out)
    return Compiled(data=out.getvalue(), period=label, cases=len(cases), summaries=len(summaries), pieces=(*cases, *summaries))
