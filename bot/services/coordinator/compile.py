"""/compile: a period's filings of every report whose form asks for prose (typical cases 附件8, work
summaries 附件9, a campaign's own forms) as one Word document in the layout of Chinese official
documents (`gbt9704`), in the reader's language, and optionally a .zip with every attached file.

The form's declaration drives each piece: a `section` field (or a text field labelled 一、…) is a
heading with its text, other text fields read "label：text", short answers (date, amount, number,
choice, yes/no, phone) are one line of facts, file fields are listed as attachments (附件：1.《行政处罚
决定书》…). A case-like form with a `title` field is headed "××所（队）报送××案"; other pieces "单位
+ report (period)". The document opens with its title and period, then a list of contents when more
than one unit filed (one part per report type). Only current filings (not superseded, not returned,
not awaiting sign-off), no 零报告. Forms that are only a table (附件1) are the Excel export's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.forms_config import Form, FormField
from bot.services.coordinator import gbt9704 as gb
from bot.services.coordinator.paper import Labels
from bot.services.deadlines import adhoc
from bot.services.deadlines.reports import period_label, report_title
from bot.services.submissions.forms import form_of
from bot.services.submissions.forms.validators import format_yuan
from bot.storage import paperwork, register
from bot.storage import units as unit_store
from bot.storage.paperwork import FileRef
from bot.storage.register import FiledReport as Filing
from schedules import period_for_phrase
from schedules.rules import AnyTimeSchedule

_NUMERALS = "一二三四五六七八九十"
_PROSE = ("text", "section")
_SHORT = ("date", "amount", "whole", "choice", "yes_no", "phone")


@dataclass(frozen=True)
class Piece:
    """One filing in the compilation, with its heading, its files and what each file is (by id)."""

    filing: Filing
    heading: str
    files: list[FileRef]
    kinds: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Compiled:
    """The document and what it holds (`cases`: pieces of case-like reports; `summaries`: the others)."""

    data: bytes
    period: str
    cases: int
    summaries: int
    pieces: tuple[Piece, ...] = ()
    parts: tuple[tuple[str, int], ...] = ()  # (report title in the reader's language, pieces), in the document's order

    @property
    def files(self) -> int:
        return sum(len(p.files) for p in self.pieces)

    def counts(self, L: Labels) -> str:
        """典型案例 2 篇，阶段性工作总结 1 篇 / Typical cases: 2, Stage summary: 1."""
        return L("compile.parts-sep").join(L("compile.part", report=title, count=n) for title, n in self.parts)


def compiled_form(report: ReportType) -> Form | None:
    """The report's form if its filings are compiled: it has prose to read (not a bare table, not the liaison form)."""
    if report.template == TemplateKind.LIAISON:
        return None
    form = form_of(report)
    if form is None or not any(f.kind in _PROSE for f in form.fields):
        return None
    return form


def resolve(services: Services, phrase: str, *, now: datetime) -> list[tuple[ReportType, str, str]]:
    """(report, period key, period label) for each compiled report type the phrase names a period of."""
    c = services.config.campaign
    out = []
    for report in adhoc.report_types(services):
        if compiled_form(report) is None or isinstance(report.schedule, AnyTimeSchedule):
            continue
        item = period_for_phrase(phrase, report, now=now, tz=c.tz, start=c.start, end=c.end, calendar=services.calendar)
        if item is not None:
            out.append((report, item.period_key, item.label))
    return out


def case_heading(unit_name: str, title: str, L: Labels | None = None) -> str:
    """附件8's title line: ××所（队）报送××案 (no doubled 案); "Unit: title" in English."""
    title = title.strip()
    if L is not None and not L.zh:
        return L("compile.case-heading", unit=unit_name, title=title)
    return f"{unit_name}报送{title}" if title.endswith("案") else f"{unit_name}报送{title}案"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (for （一） headings)."""
    if n <= 10:
        return _NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


def _numbered(n: int, L: Labels, *, level: int) -> str:
    """一、 / （一） in Chinese; 1. / (1) in English."""
    if L.zh:
        return f"{chinese_number(n)}、" if level == 1 else f"（{chinese_number(n)}）"
    return f"{n}. " if level == 1 else f"({n}) "


def _heading_label(f: FormField, L: Labels) -> bool:
    return f.kind == "section" or gb.is_heading(f.label)


def _fact(f: FormField, value: Any, L: Labels) -> str | None:
    """A short answer as "label：value" in the reader's language."""
    if value in (None, ""):
        return None
    name = f.name(L.language)
    if f.kind == "date":
        shown = L.day(date.fromisoformat(str(value)))
    elif f.kind == "amount" and f.unit == "元" and L.zh:
        shown = format_yuan(value)
    elif f.kind in ("amount", "whole"):
        unit = (f.unit or "") if L.zh or not f.unit_en else f" {f.unit_en}"
        shown = f"{value}{unit}"
    elif f.kind == "yes_no":
        shown = L("compile.yes" if value else "compile.no")
    elif f.kind == "choice":
        option = next((o for o in f.options if o.key == value), None)
        shown = option.name(L.language) if option is not None else str(value)
    else:
        shown = str(value)
    return L("compile.fact", label=name, value=shown)


def _files(doc: Any, piece: Piece, L: Labels) -> None:
    """附件：1.《行政处罚决定书》（name） …, as an official document lists its attachments."""
    if not piece.files:
        return
    gb.blank(doc)
    for n, f in enumerate(piece.files, start=1):
        kind = piece.kinds.get(f.id, "")
        name = f.file_name or f.sha256[:12]
        line = L("compile.file-kind", kind=kind, name=name) if kind else name
        lead = L("compile.attachments") if n == 1 else "　" * len(L("compile.attachments"))
        doc.add_paragraph(f"{lead}{n}.{line}", style=gb.PLAIN)


def _piece(doc: Any, piece: Piece, form: Form, L: Labels, *, with_unit: bool) -> None:
    """A filing on a page of its own, in its form's order."""
    filing = piece.filing
    values = filing.data.get("values", filing.data)
    gb.title(doc, piece.heading, new_page=True)
    gb.blank(doc)
    if with_unit:
        doc.add_paragraph(L("compile.unit-line", unit=filing.unit_name), style=gb.PLAIN)
        doc.add_paragraph(L("compile.date-line", date=L.day(filing.submitted_at)), style=gb.PLAIN)
    if values.get("as_file"):
        doc.add_paragraph(L("compile.as-file"), style=gb.BODY)
        _files(doc, piece, L)
        return
    facts: list[str] = []
    for f in form.fields:
        if f.kind == "file" or (f.key == "title" and filing.kind == "case"):
            continue
        value = values.get(f.key)
        if f.kind in _PROSE:
            if _heading_label(f, L):
                doc.add_paragraph(f.name(L.language), style=gb.HEADING1)
                gb.text(doc, str(value) if value not in (None, "") else L("compile.none"))
            elif value not in (None, ""):  # "label：" before its first line; the lines after as body text
                first, _, rest = str(value).strip().partition("\n")
                doc.add_paragraph(L("compile.fact", label=f.name(L.language), value=first.strip()), style=gb.BODY)
                gb.text(doc, rest)
        elif f.kind in _SHORT or (f.kind == "note" and value):
            found = _fact(f, value, L)
            if found:
                facts.append(found)
    if facts:
        doc.add_paragraph(L("compile.facts-sep").join(facts) + L("compile.facts-end"), style=gb.BODY)
    _files(doc, piece, L)


def _contents(doc: Any, parts: list[tuple[str, list[Piece]]], L: Labels) -> None:
    doc.add_paragraph(L("compile.contents"), style=gb.TITLE)
    gb.blank(doc)
    for n, (name, pieces) in enumerate(parts, start=1):
        doc.add_paragraph(f"{_numbered(n, L, level=1)}{name}", style=gb.HEADING1)
        for m, piece in enumerate(pieces, start=1):
            doc.add_paragraph(f"{_numbered(m, L, level=2)}{piece.heading}", style=gb.HEADING2)


def _kinds(filing: Filing, form: Form, L: Labels) -> dict[int, str]:
    """What each attached file is: its form field's label (行政处罚决定书), or a whole summary / a table."""
    out: dict[int, str] = {}
    for key, ids in filing.data.get("files", {}).items():
        f = form.field(key)
        name = f.name(L.language) if f is not None else L(f"compile.kind-{key}") if key in ("document", "workbook") else ""
        for i in ids if isinstance(ids, list) else [ids]:
            out[int(i)] = name
    return out


def compile_period(
    services: Services, phrase: str, *, now: datetime, language: str = "zh-CN", unit_ids: frozenset[int] | None = None
) -> Compiled | None:
    """The period's filings as .docx bytes in `language`; None if the phrase names no period of a compiled report.
    A coordinator of one level (`unit_ids`) gets their subtree's filings only."""
    found = resolve(services, phrase, now=now)
    if not found:
        return None
    L = Labels(language)
    with services.storage.read() as s:
        filings = [f for f in register.filings_for(s, pairs=[(r.key, p) for r, p, _ in found]) if f.kind != "zero"]
        if unit_ids is not None:
            codes = {u.code for u in unit_store.list_units(s, active_only=False) if u.id in unit_ids}
            filings = [f for f in filings if f.unit_code in codes]
        files = paperwork.attachments_for(s, submission_ids=[f.submission_id for f in filings])
    labels = {r.key: period_label(services, r, period_key=p, stored=lbl, language=language) for r, p, lbl in found}
    label = ("、" if L.zh else ", ").join(dict.fromkeys(labels.values()))
    parts: list[tuple[str, list[Piece]]] = []
    cases = 0
    for report, _, _ in found:
        form = compiled_form(report)
        assert form is not None
        pieces = []
        for f in (f for f in filings if f.report_key == report.key):
            values = f.data.get("values", f.data)
            if f.kind == "case" and form.field("title") is not None:
                heading = case_heading(f.unit_name, str(values.get("title", "")), L)
            else:
                heading = L("compile.piece-heading", unit=f.unit_name, report=report_title(report, language), period=labels[report.key])
            pieces.append(Piece(f, heading, files.get(f.submission_id, []), _kinds(f, form, L)))
        if pieces:
            parts.append((report_title(report, language), pieces))
            cases += len(pieces) if report.template == TemplateKind.CASE else 0
    doc = gb.new_document()
    c = services.config.campaign
    gb.title(doc, L("compile.title", campaign=(c.name_en or c.name) if not L.zh else c.name))
    doc.add_paragraph(L("compile.period-line", period=label), style=gb.CENTRED)
    doc.add_paragraph(L.as_of(now.astimezone(c.tz)), style=gb.CENTRED)
    if len({f.unit_code for f in filings}) > 1:
        gb.blank(doc)
        _contents(doc, parts, L)
    reports = {r.key: r for r, _, _ in found}
    for _, pieces in parts:
        for piece in pieces:
            report = reports[piece.filing.report_key]
            form = compiled_form(report)
            assert form is not None
            _piece(doc, piece, form, L, with_unit=report.template != TemplateKind.SUMMARY)
    out = io.BytesIO()
    doc.save(out)
    every = tuple(p for _, pieces in parts for p in pieces)
    return Compiled(data=out.getvalue(), period=label, cases=cases, summaries=len(every) - cases, pieces=every,
                    parts=tuple((title, len(pieces)) for title, pieces in parts))
