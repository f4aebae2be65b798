"""The preview (as the coordinator will see it), confirming it as a new version, and 零报告."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import TemplateKind
from bot.context import Services
from bot.models import ObligationStatus, Submission, SubmissionKind
from bot.services.access import Roles
from bot.services.forms.render import body, summary_complete
from bot.services.reports import report_of, report_title
from bot.services.submission_common import FLOW, Btn, Reply, check, report, save, view
from bot.storage import due, submissions
from bot.texts.catalog import t


def next_item(services: Services, obligation_id: int) -> tuple[int, list[Submission]]:
    """The number of a new item of the obligation, and its current submissions."""
    current = services.storage.submissions.current_submissions(obligation_id=obligation_id)
    real = [c for c in current if c.kind != SubmissionKind.zero]
    return (max((c.item_no for c in real), default=0) + 1 if real else 1), current


def _file_names(services: Services, data: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with services.storage.session() as s:
        for key, ids in data.get("files", {}).items():
            out[key] = [a.file_name or "file" for a in submissions.attachments_by_ids(s, attachment_ids=ids)]
    return out


def preview_text(services: Services, data: dict[str, Any], language: str, now: datetime) -> str:
    found = view(services, data["obligation_id"])
    filed = report_of(services, found.due_item.report_key)
    head = t(
        language,
        "submissions.preview.head",
        report=report_title(filed, language),
        period=found.due_item.period_label,
        unit=found.unit.name,
        item=data["item_no"],
    )
    if now > found.due_item.due_at:
        head += "\n" + t(language, "submissions.preview.late")
    return head + "\n\n" + body(data["template"], data.get("kind", data["template"]), data["values"], _file_names(services, data), language)


def show_preview(services: Services, person_id: int, data: dict[str, Any], language: str, now: datetime) -> list[Reply]:
    """Keep the draft at the preview and show it with confirm / change / cancel."""
    data["step"] = "preview"
    save(services, person_id, "preview", data, now)
    text = t(language, "submissions.preview.intro") + "\n\n" + preview_text(services, data, language, now)
    rows = [[Btn(t(language, "submissions.button.confirm"), "sf", ("ok",))]]
    if data.get("kind") != "zero":
        rows.append([Btn(t(language, "submissions.button.change"), "sf", ("change",))])
    rows.append([Btn(t(language, "submissions.button.cancel"), "sf", ("cancel",))])
    return [Reply(text, rows)]


def zero_preview(services: Services, roles: Roles, *, obligation_id: int, language: str, now: datetime) -> list[Reply]:
    """零报告: show it to confirm (the obligation's report must allow it)."""
    assert roles.person_id is not None
    found = view(services, obligation_id)
    check(roles, found)
    filed = report(services, found.due_item.report_key)
    if filed is None or not filed.zero_report:
        return [Reply(t(language, "submissions.zero-not-allowed"))]
    _, current = next_item(services, obligation_id)
    if any(c.kind != SubmissionKind.zero for c in current):
        return [Reply(t(language, "submissions.zero-has-items"))]
    data = {"obligation_id": obligation_id, "template": str(filed.template), "item_no": 1, "values": {}, "files": {}, "kind": "zero"}
    return show_preview(services, roles.person_id, data, language, now)


def file_zero_report(services: Services, roles: Roles, *, obligation_id: int, now: datetime) -> Submission:
    """File a 零报告 for an obligation directly (the report type must allow it)."""
    assert roles.person_id is not None
    found = view(services, obligation_id)
    check(roles, found)
    filed = report(services, found.due_item.report_key)
    if filed is None or not filed.zero_report:
        raise ValueError(f"report {found.due_item.report_key!r} does not allow a zero report")
    with services.storage.session() as s:
        return submissions.file_and_complete(
            s, obligation_id=obligation_id, person_id=roles.person_id, kind=SubmissionKind.zero, data={"values": {}}, now=now, item_no=1
        )


def confirm(services: Services, roles: Roles, data: dict[str, Any], *, language: str, now: datetime) -> list[Reply]:
    """File the previewed submission as a new version; the obligation is done once enough items are in."""
    assert roles.person_id is not None
    found = view(services, data["obligation_id"])
    check(roles, found)
    filed = report_of(services, found.due_item.report_key)
    if data["template"] == TemplateKind.SUMMARY and data.get("kind") != "zero" and not summary_complete(data["values"]):
        return [Reply(t(language, "submissions.lost"))]
    kind = SubmissionKind(data.get("kind") or data["template"])
    all_ids = [i for ids in data.get("files", {}).values() for i in ids]
    with services.storage.session() as s:
        submission = submissions.add_submission(
            s,
            obligation_id=data["obligation_id"],
            person_id=roles.person_id,
            kind=kind,
            data={"values": data["values"], "files": data.get("files", {})},
            now=now,
            item_no=data["item_no"],
        )
        assert submission.id is not None
        submissions.link_attachments(s, attachment_ids=all_ids, submission_id=submission.id)
        current = submissions.current_submissions(s, obligation_id=data["obligation_id"])
        if kind is SubmissionKind.zero or len(current) >= filed.min_items:
            due.mark_obligation_done(s, obligation_id=data["obligation_id"], now=now)
        elif found.obligation.status is ObligationStatus.returned:
            pass  # still short of min_items: stays open for more
        count = len([c for c in current if c.kind != SubmissionKind.zero])
    services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
    key = "submissions.filed-late" if submission.late else "submissions.filed"
    text = t(
        language, key, report=report_title(filed, language), period=found.due_item.period_label, item=submission.item_no, version=submission.version
    )
    if count < filed.min_items and kind is not SubmissionKind.zero:
        text += "\n" + t(language, "submissions.need-more", have=count, need=filed.min_items)
    rows = [[Btn(t(language, "submissions.button.amend"), "amend", (data["obligation_id"], submission.item_no))]]
    if kind is not SubmissionKind.zero and filed.template == TemplateKind.CASE and count < filed.max_items:
        rows.append([Btn(t(language, "submissions.button.another"), "sub", (data["obligation_id"],))])
    return [Reply(text, rows)]
