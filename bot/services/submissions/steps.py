"""Asking a form's questions step by step, and what a file does at a step.

A file sent before the report was chosen waits in the draft (`pending`) and is used when the flow
reaches a step that takes it (the 决定书 of a case, the whole summary, the 附件1 workbook).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import parsing
from bot.config import TemplateKind
from bot.context import Services
from bot.models import SubmissionKind
from bot.services.submissions import files, prefill
from bot.services.submissions.forms import Kind, Step
from bot.services.submissions.forms import statistics as stats
from bot.services.submissions.forms import workbook
from bot.services.submissions.forms.render import plain_day
from bot.services.submissions.common import keep, view
from bot.services.submissions.filing import Filing
from bot.replies import Btn, Reply
from bot.services.submissions.preview import show_preview
from bot.storage import submissions
from bot.texts.catalog import Markup, t, texts

_ZH_COUNTS = "零一二三四五六七八九十"


def _catalog(language: str, key: str, fallback: str, /, **params: object) -> str:
    """A shipped field's own text (submissions.ask.title …) if the catalog has one, else the generic one."""
    return t(language, key if key in texts(language) else fallback, **params)


def skippable(f: Filing, st: Step) -> bool:
    """A skip button: the field is optional, or its `optional_if` yes/no field was answered yes."""
    return st.optional or (st.optional_if is not None and bool(f.values.get(st.optional_if)))


def buttons_for(f: Filing, st: Step) -> list[list[Btn]]:
    language = f.language
    rows: list[list[Btn]] = []
    if st.kind is Kind.YES_NO:
        rows.append([Btn(t(language, "submissions.button.yes"), "sf", ("yes",)), Btn(t(language, "submissions.button.no"), "sf", ("no",))])
    if st.kind is Kind.CHOICE and st.field is not None:
        rows += [[Btn(o.name(language), "sf", ("pick", o.key))] for o in st.field.options]
    if skippable(f, st):
        rows.append([Btn(_catalog(language, f"submissions.button.skip-{st.key}", "submissions.button.skip"), "sf", ("skip",))])
    if st.kind is Kind.NOTE:
        key = "confirm-entered" if f.template == TemplateKind.CONFIRMATION else "done"
        rows.append([Btn(t(language, f"submissions.button.{key}"), "sf", ("done",))])
    if st.kind is Kind.STATS_ROW:
        if f.previous.get(st.key):
            rows.append([Btn(t(language, "prefill.same"), "sf", ("same",))])
        rows.append([Btn(t(language, "submissions.button.blank"), "sf", ("blank",))])
    if f.edit:
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
    elif f.offer_zero and st.key == f.steps[0].key and not f.values:
        rows.append([Btn(t(language, "submissions.button.zero"), "zero", (f.obligation_id,))])
    return rows


def _row_prompt(f: Filing, st: Step) -> str:
    language = f.language
    table = f.form.table if f.form is not None else None
    assert table is not None
    n = len(table.columns)
    count = _ZH_COUNTS[n] if language == "zh-CN" and n <= 10 else str(n)
    columns = "\n".join(f"{i}. {c.name(language)}" for i, c in enumerate(table.columns, 1))
    hints = []
    if table.cumulative:
        hints.append(t(language, "submissions.ask.row-cumulative", since=plain_day(table.since, language) if table.since else ""))
    hints += [t(language, "submissions.ask.row-decimals", column=c.name(language), decimals=c.decimals) for c in table.columns if c.kind == "amount"]
    note = "\n" + ("（" + "；".join(hints) + "）" if language == "zh-CN" else "(" + "; ".join(hints) + ")") if hints else ""
    text = t(language, "submissions.ask.row", category=st.label(language), columns=columns, count=count, note=note)
    return text + "\n" + t(language, "submissions.ask.row-excel") + prefill.note(f, st.key)


def _field_prompt(f: Filing, st: Step) -> str:
    """A declared field's question: its own `ask`, else the catalog's for a shipped field, else one from its label."""
    language = f.language
    field = st.field
    own = (field.ask if language == "zh-CN" else field.ask_en or field.ask) if field is not None else None
    if own:
        return own
    key = "content" if f.template == TemplateKind.FREE else st.key
    return _catalog(language, f"submissions.ask.{key}", f"submissions.ask.kind-{st.kind.value}", label=st.label(language), **_limits(st))


def _limits(st: Step) -> dict[str, object]:
    field = st.field
    if field is None:
        return {}
    low = "" if field.min is None else str(field.min)
    high = "" if field.max is None else str(field.max)
    return {"max": field.max_length, "unit": field.unit or "", "decimals": field.decimals, "range": f"{low}–{high}" if low or high else "≥ 0"}


def prompt(f: Filing, st: Step) -> Reply:
    language = f.language
    if st.kind is Kind.STATS_ROW:
        text = _row_prompt(f, st)
    else:
        text = _field_prompt(f, st)
        if st.files is not None and st.kind is Kind.SECTION:
            text += "\n" + t(language, "submissions.ask.or-file-document", allowed=files.allowed(st.files))
        elif st.files is not None and st.kind is Kind.NOTE:
            text += "\n" + t(language, "submissions.ask.or-file-any", allowed=files.allowed(st.files))
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
    if f.fill is not None:  # a case pasted whole: only the steps it did not answer, in order (submissions.pasted)
        if f.fill:
            return out + go(services, f, f.step_at(f.fill.pop(0)))
        f.fill = None
        return out + after_steps(services, f)
    return out + go(services, f, f.following(key))


def after_steps(services: Services, f: Filing) -> list[Reply]:
    """All steps answered: statistics are compared with the previous filing, then the preview."""
    language = f.language
    table = f.form.table if f.form is not None else None
    if table is not None and table.cumulative and not f.lower_confirmed:
        found = view(services, f.obligation_id)
        with services.storage.session() as s:
            before = submissions.previous_filing(
                s,
                unit_id=found.unit.id or 0,
                report_key=found.due_item.report_key,
                kind=SubmissionKind.statistics,
                before_obligation_id=found.obligation.id or 0,
            )
        if before is not None:
            lower = stats.lower_than_before(figures(f.values), figures(before.data.get("values", {})), table)
            if lower:
                f.step = "lower"
                keep(services, f, "lower")
                lines = [cell_text(p, language, table) for p in lower]
                return [Reply(
                    t(language, "submissions.stats.lower-intro", problems=Markup("\n".join(lines))),  # each line escaped already
                    [[Btn(t(language, "submissions.button.correction"), "sf", ("correction",))],
                     [Btn(t(language, "submissions.button.reenter"), "sf", ("reenter",))]],
                )]
    return show_preview(services, f)


def figures(values: dict[str, Any]) -> dict[str, stats.Row]:
    """The table's rows among a filing's values (`row_<key>`)."""
    return {k.removeprefix("row_"): v for k, v in values.items() if k.startswith("row_")}


def cell_text(problem: stats.CellProblem, language: str, table: stats.TableForm | None = None) -> str:
    params = dict(problem.params)
    if "decimals" in params:  # 两位小数 / two decimals
        words = ("零", "一", "两", "三", "四") if language == "zh-CN" else ("no", "one", "two", "three", "four")
        params["decimals"] = words[int(params["decimals"])]
        english = params.pop("unit_en", "")
        params["unit"] = params.get("unit", "") if language == "zh-CN" else english
    if "other" in params:
        params["other"] = stats.column_name(params["other"], language, table)
    return t(language, f"submissions.stats.{problem.key}", cell=problem.cell(language), **params)


# --- files at a step ----------------------------------------------------------------------------


def file_field(f: Filing, st: Step) -> str:
    """What a file is at this step: the 统计表, the whole summary, or the step's own field."""
    language = f.language
    if st.kind is Kind.STATS_ROW:
        return t(language, "submissions.field.workbook")
    if st.kind is Kind.SECTION:
        return t(language, "submissions.field.document")
    return st.label(language)


def attachment_type(services: Services, attachment_id: int) -> str | None:
    """The type (PDF, XLSX …) of a stored attachment, by its name and MIME type."""
    found = services.storage.attachments.get_attachment(attachment_id=attachment_id)
    return files.type_of(found.file_name or "", found.mime_type) if found is not None else None


def takes(st: Step, kind: str | None) -> bool:
    """Whether step `st` takes a file of type `kind`."""
    return st.files is not None and kind in st.files


def _pending_for(services: Services, f: Filing, st: Step) -> dict[str, Any] | None:
    pending = f.pending
    for i, item in enumerate(pending):
        if takes(st, attachment_type(services, int(item["attachment"]))):
            f.pending = pending[:i] + pending[i + 1 :]
            return dict(item)
    return None


@dataclass(frozen=True)
class TableRead:
    """An uploaded table's figures, or its problems by cell; `readable` False: not a workbook that opens;
    `refused`: it took too long or too much memory to read (`bot.parsing`'s reason)."""

    figures: dict[str, stats.Row] | None
    problems: list[stats.CellProblem]
    readable: bool = True
    refused: str | None = None


def read_table(services: Services, f: Filing, attachment_id: int) -> TableRead:
    """The figures of an uploaded table (blocking, bounded: `asyncio.to_thread` it where it can be).

    The file is read from storage here; only its parse goes to a worker process."""
    found = services.storage.attachments.get_attachment(attachment_id=attachment_id)
    if found is None:
        return TableRead(None, [], readable=False)
    try:
        data = files.read(services, found)
        table = f.form.table if f.form is not None else None
        return TableRead(*workbook.read_workbook(data, table, limits=services.config.files.parse_limits))
    except (workbook.Unreadable, OSError):
        return TableRead(None, [], readable=False)
    except parsing.ParseRefused as e:
        return TableRead(None, [], readable=False, refused=e.reason)


def use_file(services: Services, f: Filing, st: Step, attachment_id: int, name: str, ack: str | None = None,
             read: TableRead | None = None) -> list[Reply]:
    """A kept file answers step `st`: the workbook is read (`read`: already read off the event loop),
    a summary file replaces the sections, a note collects it."""
    if st.kind is Kind.STATS_ROW:
        return _use_workbook(services, f, st, attachment_id, name, read)
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


def _use_workbook(services: Services, f: Filing, st: Step, attachment_id: int, name: str, read: TableRead | None) -> list[Reply]:
    language = f.language
    buttons = buttons_for(f, st)
    if attachment_type(services, attachment_id) != "XLSX":
        return [Reply(t(language, "submissions.file.xls-old", name=name), buttons)]
    result = read or read_table(services, f, attachment_id)  # a file kept before choosing the report: read here
    if result.refused is not None:
        return [Reply(t(language, f"reliability.parse.{result.refused}"), buttons)]
    if not result.readable:
        return [Reply(t(language, "submissions.file.unreadable", name=name), buttons)]
    figures_read, problems = result.figures, result.problems
    table = f.form.table if f.form is not None else None
    if figures_read is None:
        lines = Markup("\n".join(cell_text(p, language, table) for p in problems))  # each line escaped already
        return [Reply(t(language, "submissions.stats.workbook-problems", name=name, problems=lines), buttons)]
    for category, row in figures_read.items():
        f.values[f"row_{category}"] = row
    f.files = {"workbook": [attachment_id]}
    f.edit = False
    return [Reply(t(language, "submissions.stats.workbook-read", name=name))] + after_steps(services, f)
