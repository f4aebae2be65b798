"""Asking a form's questions step by step, and what a file does at a step.

A file sent before the report was chosen waits in the draft (`pending`) and is used when the flow
reaches a step that takes it (the 决定书 of a case, the whole summary, the 附件1 workbook).
"""

from __future__ import annotations

from typing import Any

from bot.config import TemplateKind
from bot.context import Services
from bot.models import SubmissionKind
from bot.services.submissions import files
from bot.services.submissions.forms import Kind, Step
from bot.services.submissions.forms import statistics as stats
from bot.services.submissions.forms import workbook
from bot.services.submissions.forms.render import field_label
from bot.services.submissions.common import keep, view
from bot.services.submissions.filing import Filing
from bot.replies import Btn, Reply
from bot.services.submissions.preview import show_preview
from bot.storage import submissions
from bot.texts.catalog import Markup, t


def buttons_for(f: Filing, st: Step) -> list[list[Btn]]:
    language = f.language
    rows: list[list[Btn]] = []
    if st.kind is Kind.YES_NO:
        rows.append([Btn(t(language, "submissions.button.yes"), "sf", ("yes",)), Btn(t(language, "submissions.button.no"), "sf", ("no",))])
    if st.optional or (st.key == "decision_file" and f.values.get("police")):
        rows.append([Btn(t(language, f"submissions.button.skip-{st.key}"), "sf", ("skip",))])
    if st.kind is Kind.NOTE:
        key = "confirm-entered" if f.template == TemplateKind.CONFIRMATION else "done"
        rows.append([Btn(t(language, f"submissions.button.{key}"), "sf", ("done",))])
    if st.kind is Kind.STATS_ROW:
        rows.append([Btn(t(language, "submissions.button.blank"), "sf", ("blank",))])
    if f.edit:
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
    elif f.offer_zero and st.key == f.steps[0].key and not f.values:
        rows.append([Btn(t(language, "submissions.button.zero"), "zero", (f.obligation_id,))])
    return rows


def prompt(f: Filing, st: Step) -> Reply:
    language = f.language
    if st.kind is Kind.STATS_ROW:
        category = field_label(f.template, st.key, language)
        columns = "\n".join(f"{i}. {c.name(language)}" for i, c in enumerate(stats.COLUMNS, 1))
        text = t(language, "submissions.ask.row", category=category, columns=columns)
        text += "\n" + t(language, "submissions.ask.row-excel")
    else:
        text = t(language, f"submissions.ask.{st.key if f.template != TemplateKind.FREE else 'content'}")
        if st.files is not None and st.kind is not Kind.FILE:
            text += "\n" + t(language, f"submissions.ask.or-file-{st.files}", allowed=files.allowed(st.files))
        elif st.kind is Kind.FILE and st.files is not None:
            text += "\n" + t(language, "submissions.ask.file-types", allowed=files.allowed(st.files))
    return Reply(text, buttons_for(f, st))


def go(services: Services, f: Filing, st: Step | None) -> list[Reply]:
    """Move to step `st` (or to the preview when None) and ask its question, or use a file kept for it."""
    if st is None:
        return after_steps(services, f)
    f.step = st.key
    waiting = _pending_for(services, f, st)  # taken out of the draft before it is saved
    keep(services, f, st.key)
    if waiting is None:
        return [prompt(f, st)]
    used = Reply(t(f.language, "submissions.carry-file-used", name=waiting["name"], field=file_field(f, st)))
    out = [used, *use_file(services, f, st, int(waiting["attachment"]), str(waiting["name"]))]
    if f.step == st.key:  # still at this step (a note, or a workbook with problems): ask as usual
        out.insert(0, prompt(f, st))
    return out


def advance(services: Services, f: Filing, key: str, ack: str | None = None) -> list[Reply]:
    out = [Reply(ack)] if ack else []
    if f.edit:
        f.edit = False
        return out + after_steps(services, f)
    return out + go(services, f, f.following(key))


def after_steps(services: Services, f: Filing) -> list[Reply]:
    """All steps answered: statistics are compared with the previous filing, then the preview."""
    language = f.language
    if f.template == TemplateKind.STATISTICS and not f.lower_confirmed:
        found = view(services, f.obligation_id)
        with services.storage.session() as s:
            before = submissions.previous_filing(
                s,
                unit_id=found.unit.id,
                report_key=found.due_item.report_key,
                kind=SubmissionKind.statistics,
                before_obligation_id=found.obligation.id or 0,
            )
        if before is not None:
            lower = stats.lower_than_before(table(f.values), table(before.data.get("values", {})))
            if lower:
                f.step = "lower"
                keep(services, f, "lower")
                lines = [cell_text(p, language) for p in lower]
                return [Reply(
                    t(language, "submissions.stats.lower-intro", problems=Markup("\n".join(lines))),  # each line escaped already
                    [[Btn(t(language, "submissions.button.correction"), "sf", ("correction",))],
                     [Btn(t(language, "submissions.button.reenter"), "sf", ("reenter",))]],
                )]
    return show_preview(services, f)


def table(values: dict[str, Any]) -> dict[str, stats.Row]:
    return {k.removeprefix("row_"): v for k, v in values.items() if k.startswith("row_")}


def cell_text(problem: stats.CellProblem, language: str) -> str:
    params = dict(problem.params)
    if "other" in params:
        params["other"] = stats.column_name(params["other"], language)
    return t(language, f"submissions.stats.{problem.key}", cell=problem.cell(language), **params)


# --- files at a step ----------------------------------------------------------------------------


def file_field(f: Filing, st: Step) -> str:
    """What a file is at this step: the 统计表, the whole summary, or the step's own field."""
    language = f.language
    if st.kind is Kind.STATS_ROW:
        return t(language, "submissions.field.workbook")
    if st.kind is Kind.SECTION:
        return t(language, "submissions.field.document")
    return field_label(f.template, st.key, language)


def attachment_type(services: Services, attachment_id: int) -> str | None:
    """The type (PDF, XLSX …) of a stored attachment, by its name and MIME type."""
    found = services.storage.submissions.get_attachment(attachment_id=attachment_id)
    return files.type_of(found.file_name or "", found.mime_type) if found is not None else None


def takes(st: Step, kind: str | None) -> bool:
    """Whether step `st` takes a file of type `kind`."""
    return st.files is not None and kind in files.GROUPS[st.files]


def _pending_for(services: Services, f: Filing, st: Step) -> dict[str, Any] | None:
    pending = f.pending
    for i, item in enumerate(pending):
        if takes(st, attachment_type(services, int(item["attachment"]))):
            f.pending = pending[:i] + pending[i + 1 :]
            return dict(item)
    return None


def use_file(services: Services, f: Filing, st: Step, attachment_id: int, name: str, ack: str | None = None) -> list[Reply]:
    """A kept file answers step `st`: the workbook is read, a summary file replaces the sections, a note collects it."""
    if st.kind is Kind.STATS_ROW:
        return _use_workbook(services, f, st, attachment_id, name)
    if st.kind is Kind.NOTE:
        f.files.setdefault(st.key, []).append(attachment_id)
        keep(services, f, st.key)
        text = t(f.language, "submissions.note-kept")
        return [Reply(f"{ack}\n{text}" if ack else text, buttons_for(f, st))]
    if st.kind is Kind.SECTION:  # the whole summary as one document
        f.values = {"as_file": True}
        f.files = {"document": [attachment_id]}
        f.edit = False
        return ([Reply(ack)] if ack else []) + after_steps(services, f)
    f.files[st.key] = [attachment_id]
    return advance(services, f, st.key, ack=ack)


def _use_workbook(services: Services, f: Filing, st: Step, attachment_id: int, name: str) -> list[Reply]:
    language = f.language
    buttons = buttons_for(f, st)
    found = services.storage.submissions.get_attachment(attachment_id=attachment_id)
    if found is None:
        return [Reply(t(language, "submissions.file.unreadable", name=name), buttons)]
    if files.type_of(found.file_name or "", found.mime_type) != "XLSX":
        return [Reply(t(language, "submissions.file.xls-old", name=name), buttons)]
    try:
        figures, problems = workbook.read_workbook(files.read(services, found))
    except (workbook.Unreadable, OSError):
        return [Reply(t(language, "submissions.file.unreadable", name=name), buttons)]
    if figures is None:
        lines = Markup("\n".join(cell_text(p, language) for p in problems))  # each line escaped already
        return [Reply(t(language, "submissions.stats.workbook-problems", name=name, problems=lines), buttons)]
    for category, row in figures.items():
        f.values[f"row_{category}"] = row
    f.files = {"workbook": [attachment_id]}
    f.edit = False
    return [Reply(t(language, "submissions.stats.workbook-read", name=name))] + after_steps(services, f)
