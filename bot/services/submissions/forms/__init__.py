"""The forms liaisons fill in by message, one step per answer, per template (the seeds' 附件).

- case (附件8/附件2): 案件名称, 案情概述, 查办结果, decision date, fine, police transfer, 行政处罚决定书.
- statistics (附件1): one row of seven numbers per category (`forms.statistics`), or the filled
  workbook uploaded at any of those steps (`forms.workbook`, which also makes the blank template).
- summary (附件9/附件3): the five sections, or one Word/PDF file as the whole summary.
- confirmation: one tap, an optional note or screenshot.
- free: text and/or files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.config import TemplateKind
from bot.services.submissions.forms.statistics import CATEGORIES


class Kind(StrEnum):
    """How a step's answer is read."""

    TEXT = "text"
    SECTION = "section"  # text, '无' allowed
    DATE = "date"
    AMOUNT = "amount"
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
    """One question of a form."""

    key: str
    kind: Kind
    optional: bool = False  # a "skip" button is offered
    files: FileGroup | None = None  # files accepted at this step (besides its own kind)


CASE_STEPS = (
    Step("title", Kind.TEXT),
    Step("overview", Kind.TEXT),
    Step("result", Kind.TEXT),
    Step("decided_on", Kind.DATE),
    Step("fine", Kind.AMOUNT, optional=True),
    Step("police", Kind.YES_NO),
    Step("decision_file", Kind.FILE, files=FileGroup.DECISION),
)
STATISTICS_STEPS = tuple(Step(f"row_{c.key}", Kind.STATS_ROW, files=FileGroup.SPREADSHEET) for c in CATEGORIES)
SUMMARY_SECTIONS = ("basic", "progress", "highlights", "suggestions", "other")
SUMMARY_STEPS = tuple(
    Step(key, Kind.SECTION, files=FileGroup.DOCUMENT if i == 0 else None) for i, key in enumerate(SUMMARY_SECTIONS)
)
CONFIRMATION_STEPS = (Step("note", Kind.NOTE, files=FileGroup.ANY),)
FREE_STEPS = (Step("content", Kind.NOTE, files=FileGroup.ANY),)

_STEPS = {
    TemplateKind.CASE: CASE_STEPS,
    TemplateKind.STATISTICS: STATISTICS_STEPS,
    TemplateKind.SUMMARY: SUMMARY_STEPS,
    TemplateKind.CONFIRMATION: CONFIRMATION_STEPS,
    TemplateKind.FREE: FREE_STEPS,
}


def steps_of(template: TemplateKind | str) -> tuple[Step, ...]:
    """The questions of a template, in order (none for templates not filed by message)."""
    return _STEPS.get(TemplateKind(template), ())


def step(template: TemplateKind | str, key: str) -> Step | None:
    """A template's step by key."""
    return next((s for s in steps_of(template) if s.key == key), None)


def fileable(template: TemplateKind | str) -> bool:
    """Whether reports of this template are filed by message (the liaison form is filed by registering)."""
    return bool(steps_of(template))
