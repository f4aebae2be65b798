"""A report given whole (pasted in chat, or its Word document uploaded): its fields filled, only what is missing asked.

Two kinds, each found by the report type's declared form (never a fixed table):

- a typical case (附件8/附件2): the form's fields are matched to what a case says by their kind and
  label (案件名称, 案情…, 查办结果…, a date of the 处罚决定, an amount of 罚没款, yes/no 移送公安, a
  text field for the 决定书文号); the recognition itself is `bot.services.drafting.pasted` (pure);
- a summary (附件9/附件3): the form's `section` fields, by their headings (`drafting.sections`).

The draft's answers are filled, the steps still unanswered are queued in the draft (`fill`, which
`steps.advance` follows instead of the form's order) and the first one is asked; with nothing missing
the preview is shown. Nothing is filed without the liaison's confirmation at the preview.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.context import Services
from bot.forms_config import Form, FormField
from bot.replies import Reply
from bot.services.drafting.pasted import MAX_CASE, PastedCase, read_case
from bot.services.drafting.sections import read_sections
from bot.services.submissions.filing import Filing
from bot.services.submissions.forms import Kind, Step, validators
from bot.services.submissions.steps import after_steps, go
from bot.texts.catalog import t

# what a case says -> (the field kinds that take it, the words of the field's label or key)
_ROLES: dict[str, tuple[tuple[str, ...], str]] = {
    "number": (("text",), r"文号|决定书编号|决定书号|number"),
    "title": (("text",), r"案件名称|案名|标题|案由|title"),
    "overview": (("text", "section"), r"案情|案件概述|违法事实|overview|facts"),
    "result": (("text", "section"), r"查办结果|查处结果|处理结果|处罚结果|处理情况|处理决定|处罚决定|result|outcome"),
    "decided_on": (("date",), r"决定|处罚|decided|decision"),
    "fine": (("amount",), r"罚没|罚款|fine"),
    "police": (("yes_no",), r"移送|公安|司法|police"),
}


def case_fields(form: Form | None) -> dict[str, FormField]:
    """The form's field for each part of a case; {} when the form has no 案情 and 结果 fields (not a case form)."""
    if form is None:
        return {}
    out: dict[str, FormField] = {}
    taken: set[str] = set()
    for role, (kinds, words) in _ROLES.items():
        found = next((f for f in form.fields if f.key not in taken and f.kind in kinds
                      and (f.key == role or re.search(words, f.label + " " + f.key))), None)
        if found is not None:
            out[role] = found
            taken.add(found.key)
    return out if "overview" in out and "result" in out else {}


def _fits(field: FormField, value: object) -> object | None:
    """The value as the field's step keeps it, or None when it does not fit (then the form asks)."""
    try:
        if field.kind in ("text", "section") and isinstance(value, str):
            return validators.text(value, max_len=field.max_length, min_len=field.min_length)
        if field.kind == "amount" and isinstance(value, Decimal):
            if field.unit == "元":
                return str(value.quantize(Decimal("0.01")))
            if field.unit == "万元":
                return validators.amount(f"{value / 10000:f}", unit="万元", decimals=field.decimals)
            return None
    except validators.Invalid:
        return None
    return value


def _case_values(case: PastedCase, fields: dict[str, FormField]) -> dict[str, object]:
    said: dict[str, object] = {"number": case.decision_number, "title": case.title, "overview": case.overview,
                               "result": case.result, "decided_on": case.decided_on.isoformat() if case.decided_on else None,
                               "fine": case.fine, "police": case.police}
    out: dict[str, object] = {}
    for role, field in fields.items():
        value = said.get(role)
        if value is not None and (kept := _fits(field, value)) is not None:
            out[field.key] = kept
    return out


def _missing(f: Filing) -> list[Step]:
    """The steps without an answer (a file step: without its file)."""
    return [s for s in f.steps if (s.key not in f.files if s.kind is Kind.FILE else s.key not in f.values)]


def _fill(services: Services, f: Filing, st: Step, found: dict[str, object], said: str, document: int | None) -> list[Reply]:
    language = f.language
    f.values.update(found)
    f.values.pop("as_file", None)
    if document is not None:  # the uploaded document is kept with the filing, as sent
        f.files["document"] = [document]
    missing = _missing(f)
    sep = "、" if language.startswith("zh") else ", "
    if not missing:
        f.fill = None
        return [Reply(said + "\n" + t(language, "pasted.case-complete")), *after_steps(services, f)]
    said += "\n" + t(language, "pasted.case-missing", fields=sep.join(s.label(language) for s in missing))
    f.fill = [s.key for s in missing[1:]]
    return [Reply(said), *go(services, f, missing[0])]


def _labels(f: Filing, keys: list[str], st: Step) -> str:
    sep = "、" if f.language.startswith("zh") else ", "
    return sep.join((f.step_at(k) or st).label(f.language) for k in keys)


def take_whole_case(services: Services, f: Filing, st: Step, text: str, *, limit: int = MAX_CASE,
                    document: int | None = None) -> list[Reply] | None:
    """The replies when `text` is a whole case, else None (the text is an ordinary answer to step `st`)."""
    fields = case_fields(f.form)
    if not fields or st.kind not in (Kind.TEXT, Kind.SECTION) or f.edit or not f.steps:
        return None
    first = document is not None or st.key == f.steps[0].key
    own = {part: fields[part].label for part in ("overview", "result")}
    case = read_case(text, now=f.now, tz=services.config.campaign.tz, headings_only=not first, limit=limit, headings=own)
    if case is None:
        return None
    found = _case_values(case, fields)
    said = t(f.language, "pasted.case-read", fields=_labels(f, list(found), st))
    if case.decision_number:
        said += "\n" + t(f.language, "pasted.case-number", number=case.decision_number)
    return _fill(services, f, st, found, said, document)


def take_whole_summary(services: Services, f: Filing, st: Step, text: str, *, limit: int = MAX_CASE,
                       document: int | None = None) -> list[Reply] | None:
    """The replies when `text` holds the form's section headings, else None (an ordinary answer to `st`)."""
    if st.kind is not Kind.SECTION or f.edit or f.form is None or case_fields(f.form):
        return None
    sections = [(field.key, field.label) for field in f.form.fields if field.kind == "section"]
    read = read_sections(text, sections, limit=limit)
    if not read:
        return None
    found: dict[str, object] = {}
    for key, value in read.items():
        field = f.form.field(key)
        if field is not None:
            try:
                found[key] = validators.section(validators.text(value, max_len=field.max_length, min_len=field.min_length))
            except validators.Invalid:
                continue  # too long for the field: asked, the liaison shortens it
    if not found:
        return None
    said = t(f.language, "pasted.summary-read", fields=_labels(f, list(found), st))
    return _fill(services, f, st, found, said, document)
