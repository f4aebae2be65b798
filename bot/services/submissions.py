"""Submissions by message (报送): choose what to file, answer the form step by step, preview, confirm.

The conversation is a draft (flow "submission") in the database, so a restart loses nothing.
Functions here return `Reply` objects (HTML text and buttons); handlers only send them.

This module starts a submission (`start`, `begin`) and is the one to import: the rest of the flow
lives in `submission_choose` (what can be filed), `submission_steps` (the form's questions),
`submission_answers` (answers, files, buttons) and `submission_preview` (preview, confirm, 零报告),
re-exported here.

For other flows (reminders): `begin(...)` starts a submission for an obligation,
`zero_preview(...)` shows a 零报告 to confirm, `file_zero_report(...)` files one directly.
Buttons: `sub|<obligation id>` starts a submission, `zero|<obligation id>` a zero report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import SubmissionKind, SubmissionStatus
from bot.services import files
from bot.services.access import Roles
from bot.services.forms import FileGroup, fileable, steps_of
from bot.services.forms.render import format_day
from bot.services.reports import report_title
from bot.services.submission_answers import answer_file, answer_text, file_group, press, take_carry
from bot.services.submission_choose import Choice, any_time_obligation, choices
from bot.services.submission_common import ANY_PERIOD, FLOW, WINDOW, Btn, Document, NotAllowed, Reply, check, report, save, view
from bot.services.submission_preview import confirm, file_zero_report, next_item, preview_text, show_preview, zero_preview
from bot.services.submission_steps import attachment_type, file_field, go, takes
from bot.texts.catalog import t

__all__ = [
    "ANY_PERIOD",
    "FLOW",
    "WINDOW",
    "Btn",
    "Choice",
    "Document",
    "FileGroup",
    "NotAllowed",
    "Reply",
    "answer_file",
    "answer_text",
    "any_time_obligation",
    "begin",
    "choices",
    "confirm",
    "file_group",
    "file_zero_report",
    "preview_text",
    "press",
    "start",
    "take_carry",
    "zero_preview",
]


def start(services: Services, roles: Roles, *, language: str, now: datetime, carry: list[dict[str, Any]] | None = None) -> list[Reply]:
    """/submit (or a message with no flow in progress): begin, or ask which report when several are open."""
    assert roles.person_id is not None
    found = choices(services, roles, language=language, now=now)
    if not found:
        return [Reply(t(language, "submissions.nothing-open"))]
    scheduled = [c for c in found if c.action == "sub"]
    if len(found) == 1 and scheduled:
        return begin(services, roles, obligation_id=int(scheduled[0].args[0]), language=language, now=now, carry=carry)
    save(services, roles.person_id, "choose", {"carry": carry or []}, now)
    key = "submissions.choose-kept" if carry else "submissions.choose"
    return [Reply(t(language, key), [[Btn(c.label, c.action, c.args)] for c in found])]


def begin(
    services: Services,
    roles: Roles,
    *,
    obligation_id: int,
    language: str,
    now: datetime,
    item_no: int | None = None,
    carry: list[dict[str, Any]] | None = None,
) -> list[Reply]:
    """Start filing for an obligation: a new item, or a new version of `item_no` (amendment), prefilled.

    What was sent before (`carry`): texts answer the first step; files wait for the step that takes them.
    """
    assert roles.person_id is not None
    obligation = view(services, obligation_id)
    check(roles, obligation)
    filed = report(services, obligation.due_item.report_key)
    if filed is None or not fileable(filed.template):
        return [Reply(t(language, "submissions.not-by-message"))]
    next_no, current = next_item(services, obligation_id)
    values: dict[str, Any] = {}
    step_files: dict[str, list[int]] = {}
    intro: list[str] = []
    returned = [c for c in current if c.status == SubmissionStatus.returned]
    if item_no is None and returned:
        item_no = returned[0].item_no
    if item_no is not None:
        source = next((c for c in current if c.item_no == item_no), None)
        if source is not None and source.kind != SubmissionKind.zero:
            values = dict(source.data.get("values", {}))
            for key, ids in source.data.get("files", {}).items():
                step_files[key] = files.copy_for(services, list(ids), now=now)
            if source.status == SubmissionStatus.returned and source.review_comment:
                intro.append(t(language, "submissions.returned-note", comment=source.review_comment))
    elif next_no > filed.max_items:
        return [Reply(t(language, "submissions.max-items", max=filed.max_items))]
    carry = carry or []
    data: dict[str, Any] = {
        "obligation_id": obligation_id,
        "template": str(filed.template),
        "item_no": item_no or next_no,
        "values": values,
        "files": step_files,
        "carry": [c for c in carry if "text" in c],
        "pending": [c for c in carry if "attachment" in c],
        "edit": False,
    }
    head = t(
        language,
        "submissions.begin",
        report=report_title(filed, language),
        period=obligation.due_item.period_label,
        unit=obligation.unit.name,
        item=data["item_no"],
        due=format_day(obligation.due_item.due_at.astimezone(services.config.campaign.tz).date(), language),
    )
    if now > obligation.due_item.due_at:
        intro.append(t(language, "submissions.late-note"))
    replies = [Reply("\n".join([head, *intro]))]
    if values:  # an amendment or a returned filing: show what is there, change what needs changing
        return replies + show_preview(services, roles.person_id, data, language, now)
    replies += _pending_notes(services, data, language)
    replies += go(services, roles.person_id, data, steps_of(filed.template)[0], language, now)
    return replies + take_carry(services, roles, data, language, now)


def _pending_notes(services: Services, data: dict[str, Any], language: str) -> list[Reply]:
    """Say what becomes of each file sent before: used later at its step, or not used (it fits no step)."""
    all_steps = steps_of(data["template"])
    out: list[Reply] = []
    kept: list[dict[str, Any]] = []
    for item in data["pending"]:
        kind = attachment_type(services, int(item["attachment"]))
        target = next((s for s in all_steps if takes(s, kind)), None)
        if target is None:
            out.append(Reply(t(language, "submissions.carry-file-unused", name=item.get("name", ""))))
            continue
        kept.append(item)
        if target is not all_steps[0]:
            out.append(Reply(t(language, "submissions.carry-file-later", name=item.get("name", ""), field=file_field(data, target, language))))
    data["pending"] = kept
    return out
