"""A case pasted whole at the case form's text steps: its fields filled, only what is missing asked.

The recognition itself is `bot.services.drafting.pasted` (pure). Here the draft's answers are filled,
the steps still unanswered are queued in the draft (`fill`, which `steps.advance` follows instead of
the form's order) and the first one is asked; with nothing missing the preview is shown. Nothing is
filed without the liaison's confirmation at the preview.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import TemplateKind
from bot.context import Services
from bot.services.drafting.pasted import read_case
from bot.replies import Reply
from bot.services.submissions.forms import Kind, Step, step, steps_of
from bot.services.submissions.forms.render import field_label
from bot.services.submissions.steps import after_steps, go
from bot.texts.catalog import t


def _missing(data: dict[str, Any]) -> list[Step]:
    """The case's steps without an answer (a file step: without its file)."""
    values, kept = data["values"], data.get("files") or {}
    return [s for s in steps_of(data["template"]) if (s.key not in kept if s.kind is Kind.FILE else s.key not in values)]


def take_whole_case(
    services: Services, person_id: int, data: dict[str, Any], st: Step, text: str, *, language: str, now: datetime
) -> list[Reply] | None:
    """The replies when `text` is a whole case, else None (the text is an ordinary answer to step `st`)."""
    if data.get("template") != TemplateKind.CASE or st.kind is not Kind.TEXT or data.get("edit"):
        return None
    first = steps_of(TemplateKind.CASE)[0]
    case = read_case(text, now=now, tz=services.config.campaign.tz, headings_only=st.key != first.key)
    if case is None:
        return None
    found = case.values()
    data["values"].update(found)
    labels = "、" if language.startswith("zh") else ", "
    said = t(language, "pasted.case-read", fields=labels.join(field_label(data["template"], k, language) for k in found))
    if case.decision_number:
        said += "\n" + t(language, "pasted.case-number", number=case.decision_number)
    missing = _missing(data)
    if not missing:
        data.pop("fill", None)
        return [Reply(said + "\n" + t(language, "pasted.case-complete")), *after_steps(services, person_id, data, language, now)]
    said += "\n" + t(language, "pasted.case-missing", fields=labels.join(field_label(data["template"], s.key, language) for s in missing))
    data["fill"] = [s.key for s in missing[1:]]
    return [Reply(said), *go(services, person_id, data, step(data["template"], missing[0].key), language, now)]
