"""The forms liaisons fill in by message, one step per answer: read from the report type's declaration.

A report type's form is declared in the config (`[report_types.form]`, `bot.forms_config`) or, when
it declares none, is the shipped form of its template (`shipped.toml`):

- case (附件8/附件2): 案件名称, 案情概述, 查办结果, decision date, fine, police transfer, 行政处罚决定书.
- statistics (附件1): one row of figures per table row (`forms.statistics`), or the filled
  workbook uploaded at any of those steps (`forms.workbook`, which also makes the blank template).
- summary (附件9/附件3): the five sections, or one Word/PDF file as the whole summary.
- confirmation: one tap, an optional note or screenshot.
- free: text and/or files.

`steps_of(form)` turns a declaration into the questions asked, in order.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from bot.config import ReportType, TemplateKind
from bot.forms_config import Form, FormField, Labelled


class Kind(StrEnum):
    """How a step's answer is read."""

    TEXT = "text"
    SECTION = "section"  # text, '无' allowed
    DATE = "date"
    AMOUNT = "amount"
    WHOLE = "whole"
    CHOICE = "choice"
    PHONE = "phone"
    YES_NO = "yes_no"
    FILE = "file"
    STATS_ROW = "stats_row"
    NOTE = "note"  # optional text and/or files, ended by a button


class FileGroup(StrEnum):
    """Which file types a step accepts."""

    DECISION = "decision"  # 行政处罚决定书: PDF, image, Word
    DOCUMENT = "document"  # a summary as a whole: Word or PDF
    SPREADSHEET = "spreadsheet"  # the 附件1 workbook
    ANY = "any"  # PDF, image, Word, Excel


@dataclass(frozen=True)
class Step:
    """One question of a form: a declared field, or one row of the form's table."""

    key: str
    kind: Kind
    optional: bool = False  # a "skip" button is offered
    files: tuple[str, ...] | None = None  # file types accepted at this step (besides its own kind)
    field: FormField | None = None
    row: Labelled | None = None  # a table's row (kind STATS_ROW)
    optional_if: str | None = None  # skippable when this yes/no field is yes

    def label(self, language: str) -> str:
        named = self.field or self.row
        return named.name(language) if named is not None else self.key


SHIPPED = Path(__file__).with_name("shipped.toml")
SUMMARY_SECTIONS = ("basic", "progress", "highlights", "suggestions", "other")


@lru_cache(maxsize=1)
def shipped() -> dict[str, Form]:
    """The shipped forms by template (case, statistics, summary, confirmation, free)."""
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    return {key: Form.model_validate(value) for key, value in data.items()}


def form_of(report: ReportType) -> Form | None:
    """The form of a report type: its own declaration, else its template's shipped one (None: not filed by message)."""
    if report.form is not None:
        return report.form
    return shipped().get(str(report.template))


def default_form(template: TemplateKind | str) -> Form | None:
    return shipped().get(str(template))


def steps_of(form: Form | None) -> tuple[Step, ...]:
    """The questions of a form, in order: its fields, then a step per row of its table."""
    if form is None:
        return ()
    out: list[Step] = []
    for i, f in enumerate(form.fields):
        files: tuple[str, ...] | None = tuple(f.types) or None
        if i == 0 and form.whole_file:
            files = tuple(form.whole_file)
        out.append(Step(f.key, Kind(f.kind), optional=f.optional, files=files, field=f, optional_if=f.optional_if))
    if form.table is not None:
        out += [Step(f"row_{r.key}", Kind.STATS_ROW, files=("XLSX",), row=r) for r in form.table.rows]
    return tuple(out)


def fileable(template: TemplateKind | str) -> bool:
    """Whether reports of this template are filed by message (the liaison form is filed by registering)."""
    return str(template) in _FILED_BY_MESSAGE


_FILED_BY_MESSAGE = frozenset(t.value for t in TemplateKind if t is not TemplateKind.LIAISON)
