"""Asking a form's questions step by step, and what a file does at a step.

A file sent before the report was chosen waits in the draft (`pending`) and is used when the flow
reaches a step that takes it (the 决定书 of a case, the whole summary, the 附件1 workbook).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import TemplateKind
from bot.context import Services
from bot.models import SubmissionKind
from bot.services.submissions import files
from bot.services.submissions.forms import Kind, Step, step, steps_of
from bot.services.submissions.forms import statistics as stats
from bot.services.submissions.forms import workbook
from bot.services.submissions.forms.render import field_label
from bot.services.submissions.common import save, view
from bot.replies import Btn, Reply
from bot.services.submissions.preview import show_preview
from bot.storage import submissions
from bot.texts.catalog import Markup, t


def buttons_for(data: dict[str, Any], st: Step, language: str) -> list[list[Btn]]:
    rows: list[list[Btn]] = []
    if st.kind is Kind.YES_NO:
        rows.append([Btn(t(language, "submissions.button.yes"), "sf", ("yes",)), Btn(t(language, "submissions.button.no"), "sf", ("no",))])
    if st.optional or (st.key == "decision_file" and data["values"].get("police")):
        rows.append([Btn(t(language, f"submissions.button.skip-{st.key}"), "sf", ("skip",))])
    if st.kind is Kind.NOTE:
        key = "confirm-entered" if data["template"] == TemplateKind.CONFIRMATION else "done"
        rows.append([Btn(t(language, f"submissions.button.{key}"), "sf", ("done",))])
    if st.kind is Kind.STATS_ROW:
        rows.append([Btn(t(language, "submissions.button.blank"), "sf", ("blank",))])
    if data.get("edit"):
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
    elif data.get("offer_zero") and st.key == steps_of(data["template"])[0].key and not data.get("values"):
        rows.append([Btn(t(language, "submissions.button.zero"), "zero", (data["obligation_id"],))])
    return rows


def prompt(data: dict[str, Any], st: Step, language: str) -> Reply:
    if st.kind is Kind.STATS_ROW:
        category = field_label(data["template"], st.key, language)
        columns = "\n".join(f"{i}. {c.name(language)}" for i, c in enumerate(stats.COLUMNS, 1))
        text = t(language, "submissions.ask.row", category=category, columns=columns)
        text += "\n" + t(language, "submissions.ask.row-excel")
    else:
        text = t(language, f"submissions.ask.{st.key if data['template'] != TemplateKind.FREE else 'content'}")
        if st.files is not None and st.kind is not Kind.FILE:
            text += "\n" + t(language, f"submissions.ask.or-file-{st.files}", allowed=files.allowed(st.files))
        elif st.kind is Kind.FILE and st.files is not None:
            text += "\n" + t(language, "submissions.ask.file-types", allowed=files.allowed(st.files))
    return Reply(text, buttons_for(data, st, language))


def go(services: Services, person_id: int, data: dict[str, Any], st: Step | None, language: str, now: datetime) -> list[Reply]:
    """Move to step `st` (or to the preview when None) and ask its question, or use a file kept for it."""
    if st is None:
        return after_steps(services, person_id, data, language, now)
    data["step"] = st.key
    waiting = _pending_for(services, data, st)  # taken out of the draft before it is saved
    save(services, person_id, st.key, data, now)
    if waiting is None:
        return [prompt(data, st, language)]
    used = Reply(t(language, "submissions.carry-file-used", name=waiting["name"], field=file_field(data, st, language)))
    out = [used, *use_file(services, person_id, data, st, int(waiting["attachment"]), str(waiting["name"]), language, now)]
    if data.get("step") == st.key:  # still at this step (a note, or a workbook with problems): ask as usual
        out.insert(0, prompt(data, st, language))
    return out


def following(data: dict[str, Any], key: str) -> Step | None:
    all_steps = steps_of(data["template"])
    index = next(i for i, s in enumerate(all_steps) if s.key == key)
    return all_steps[index + 1] if index + 1 < len(all_steps) else None


def advance(
    services: Services, person_id: int, data: dict[str, Any], key: str, language: str, now: datetime, ack: str | None = None
) -> list[Reply]:
    out = [Reply(ack)] if ack else []
    if data.get("edit"):
        data["edit"] = False
        return out + after_steps(services, person_id, data, language, now)
    if "fill" in data:  # a case pasted whole: only the steps it did not answer, in order (submissions.pasted)
        queue = data["fill"]
        if queue:
            return out + go(services, person_id, data, step(data["template"], queue.pop(0)), language, now)
        del data["fill"]
        return out + after_steps(services, person_id, data, language, now)
    return out + go(services, person_id, data, following(data, key), language, now)


def after_steps(services: Services, person_id: int, data: dict[str, Any], language: str, now: datetime) -> list[Reply]:
    """All steps answered: statistics are compared with the previous filing, then the preview."""
    if data["template"] == TemplateKind.STATISTICS and not data.get("lower_confirmed"):
        found = view(services, data["obligation_id"])
        assert found.unit.id is not None
        with services.storage.session() as s:
            before = submissions.previous_filing(
                s,
                unit_id=found.unit.id,
                report_key=found.due_item.report_key,
                kind=SubmissionKind.statistics,
                before_obligation_id=found.obligation.id or 0,
            )
        if before is not None:
            lower = stats.lower_than_before(table(data["values"]), table(before.data.get("values", {})))
            if lower:
                data["step"] = "lower"
                save(services, person_id, "lower", data, now)
                lines = [cell_text(p, language) for p in lower]
                return [Reply(
                    t(language, "submissions.stats.lower-intro", problems=Markup("\n".join(lines))),  # each line escaped already
                    [[Btn(t(language, "submissions.button.correction"), "sf", ("correction",))],
                     [Btn(t(language, "submissions.button.reenter"), "sf", ("reenter",))]],
                )]
    return show_preview(services, person_id, data, language, now)


def table(values: dict[str, Any]) -> dict[str, stats.Row]:
    return {k.removeprefix("row_"): v for k, v in values.items() if k.startswith("row_")}


def cell_text(problem: stats.CellProblem, language: str) -> str:
    params = dict(problem.params)
    if "other" in params:
        params["other"] = stats.column_name(params["other"], language)
    return t(language, f"submissions.stats.{problem.key}", cell=problem.cell(language), **params)


# --- files at a step ----------------------------------------------------------------------------


def file_field(data: dict[str, Any], st: Step, language: str) -> str:
    """What a file is at this step: the 统计表, the whole summary, or the step's own field."""
    if st.kind is Kind.STATS_ROW:
        return t(language, "submissions.field.workbook")
    if st.kind is Kind.SECTION:
        return t(language, "submissions.field.document")
    return field_label(data["template"], st.key, language)


def attachment_type(services: Services, attachment_id: int) -> str | None:
    """The type (PDF, XLSX …) of a stored attachment, by its name and MIME type."""
    found = services.storage.attachments.get_attachment(attachment_id=attachment_id)
    return files.type_of(found.file_name or "", found.mime_type) if found is not None else None


def takes(st: Step, kind: str | None) -> bool:
    """Whether step `st` takes a file of type `kind`."""
    return st.files is not None and kind in files.GROUPS[st.files]


def _pending_for(services: Services, data: dict[str, Any], st: Step) -> dict[str, Any] | None:
    pending = data.get("pending") or []
    for i, item in enumerate(pending):
        if takes(st, attachment_type(services, int(item["attachment"]))):
            data["pending"] = pending[:i] + pending[i + 1 :]
            return dict(item)
    return None


def use_file(
    services: Services, person_id: int, data: dict[str, Any], st: Step, attachment_id: int, name: str, language: str, now: datetime,
    ack: str | None = None,
) -> list[Reply]:
    """A kept file answers step `st`: the workbook is read, a summary file replaces the sections, a note collects it."""
    if st.kind is Kind.STATS_ROW:
        return _use_workbook(services, person_id, data, st, attachment_id, name, language, now)
    if st.kind is Kind.NOTE:
        data["files"].setdefault(st.key, []).append(attachment_id)
        save(services, person_id, st.key, data, now)
        text = t(language, "submissions.note-kept")
        return [Reply(f"{ack}\n{text}" if ack else text, buttons_for(data, st, language))]
    if st.kind is Kind.SECTION:  # the whole summary as one document
        data["values"] = {"as_file": True}
        data["files"] = {"document": [attachment_id]}
        data["edit"] = False
        return ([Reply(ack)] if ack else []) + after_steps(services, person_id, data, language, now)
    data["files"][st.key] = [attachment_id]
    return advance(services, person_id, data, st.key, language, now, ack=ack)


def _use_workbook(
    services: Services, person_id: int, data: dict[str, Any], st: Step, attachment_id: int, name: str, language: str, now: datetime
) -> list[Reply]:
    buttons = buttons_for(data, st, language)
    found = services.storage.attachments.get_attachment(attachment_id=attachment_id)
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
        data["values"][f"row_{category}"] = row
    data["files"] = {"workbook": [attachment_id]}
    data["edit"] = False
    return [Reply(t(language, "submissions.stats.workbook-read", name=name))] + after_steps(services, person_id, data, language, now)
