"""A case pasted whole at the case form's text steps: its fields filled, only what is missing asked.

The recognition itself is `bot.services.drafting.pasted` (pure). Here the draft's answers are filled,
the steps still unanswered are queued in the draft (`fill`, which `steps.advance` follows instead of
the form's order) and the first one is asked; with nothing missing the preview is shown. Nothing is
filed without the liaison's confirmation at the preview.
"""

from __future__ import annotations

from bot.config import TemplateKind
from bot.context import Services
from bot.replies import Reply
from bot.services.drafting.pasted import read_case
from bot.services.submissions.filing import Filing
from bot.services.submissions.forms import Kind, Step
from bot.services.submissions.steps import after_steps, go
from bot.texts.catalog import t


def _missing(f: Filing) -> list[Step]:
    """The case's steps without an answer (a file step: without its file)."""
    return [s for s in f.steps if (s.key not in f.files if s.kind is Kind.FILE else s.key not in f.values)]


def _fits(step: Step | None, value: object) -> bool:
    limit = step.field.max_length if step is not None and step.field is not None else None
    return limit is None or not isinstance(value, str) or len(value) <= limit


def _too_long(step: Step | None, value: object, language: str) -> str:
    """What to say of a pasted field over its length limit ('' if it fits)."""
    if step is None or step.field is None or _fits(step, value):
        return ""
    return t(language, "submissions.invalid.field-too-long", label=step.label(language), length=len(str(value)), limit=step.field.max_length)


def take_whole_case(services: Services, f: Filing, st: Step, text: str) -> list[Reply] | None:
    """The replies when `text` is a whole case, else None (the text is an ordinary answer to step `st`)."""
    if f.template != TemplateKind.CASE or st.kind is not Kind.TEXT or f.edit or not f.steps:
        return None
    language = f.language
    case = read_case(text, now=f.now, tz=services.config.campaign.tz, headings_only=st.key != f.steps[0].key)
    if case is None:
        return None
    found = case.values()
    known = {s.key for s in f.steps}
    too_long = [_too_long(f.step_at(k), v, language) for k, v in found.items() if k in known]
    found = {k: v for k, v in found.items() if k in known and _fits(f.step_at(k), v)}  # a field over its limit is asked again
    f.values.update(found)
    labels = "、" if language.startswith("zh") else ", "
    said = t(language, "pasted.case-read", fields=labels.join((f.step_at(k) or st).label(language) for k in found))
    said += "".join("\n" + line for line in too_long if line)
    if case.decision_number:
        said += "\n" + t(language, "pasted.case-number", number=case.decision_number)
    missing = _missing(f)
    if not missing:
        f.fill = None
        return [Reply(said + "\n" + t(language, "pasted.case-complete")), *after_steps(services, f)]
    said += "\n" + t(language, "pasted.case-missing", fields=labels.join(s.label(language) for s in missing))
    f.fill = [s.key for s in missing[1:]]
    return [Reply(said), *go(services, f, missing[0])]
