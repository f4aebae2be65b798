"""Coordinators review submissions: accept, or return with a comment (退回修改), which reopens the item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.models import Person, Submission
from bot.services.access import Action, Roles
from bot.services.forms.render import body
from bot.services.reports import report_of, report_title
from bot.services.submission_common import period_of
from bot.services.submissions import Btn, Reply
from bot.storage import people, submissions
from bot.texts.catalog import Markup, normalize_language, t

FLOW = "review"


class NotAllowed(Exception):
    """Only coordinators review."""


@dataclass
class Notice:
    """A message for the liaison who filed: to their chat, in their language."""

    chat_id: int
    language: str | None
    key: str
    params: dict[str, object]
    buttons: list[tuple[str, str, tuple[str | int, ...]]]  # (text key, action, args)
    telegram_user_id: int


def _check(roles: Roles) -> None:
    if not roles.may(Action.REVIEW):
        raise NotAllowed


def _describe(services: Services, submission: Submission, language: str) -> tuple[str, str]:
    view = services.storage.due.get_obligation_view(obligation_id=submission.obligation_id)
    assert view is not None
    report = report_of(services, view.due_item.report_key)
    title = f"{view.unit.name} · {report_title(report, language)} · {period_of(services, view.due_item, language)} · #{submission.item_no} v{submission.version}"
    return title, str(report.template)


def waiting(services: Services, roles: Roles, *, language: str) -> list[Reply]:
    """/review: the submissions waiting, each with a button to open it."""
    _check(roles)
    found = services.storage.submissions.submissions_to_review()
    if not found:
        return [Reply(t(language, "review.nothing"))]
    rows = []
    for submission in found[:30]:
        title, _ = _describe(services, submission, language)
        late = t(language, "review.late-mark") if submission.late else ""
        rows.append([Btn(f"{title}{late}"[:60], "rv", ("open", submission.id or 0))])
    return [Reply(t(language, "review.list", count=len(found)), rows)]


def open_one(services: Services, roles: Roles, *, submission_id: int, language: str) -> list[Reply]:
    """One submission as filed, with its files, and buttons to accept or return it."""
    _check(roles)
    submission = services.storage.submissions.get_submission(submission_id=submission_id)
    if submission is None:
        return [Reply(t(language, "review.gone"))]
    title, template = _describe(services, submission, language)
    with services.storage.session() as s:
        attachments = submissions.attachments_of(s, submission_id=submission_id)
        person = people.get_person(s, person_id=submission.person_id)
    names = {"files": [a.file_name or "file" for a in attachments]}
    who = (person.name or person.first_name or "") if person else ""
    text = "\n".join([
        f"<b>{_escape(title)}</b>",
        t(language, "review.filed-by", who=who, at=submission.submitted_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")),
        t(language, "review.late-line") if submission.late else "",
        "",
        body(template, str(submission.kind), dict(submission.data.get("values", {})), names, language),
    ])
    buttons: list[list[Btn]] = []
    if submission.status.value == "submitted":
        buttons = [[Btn(t(language, "review.button.accept"), "rv", ("ok", submission_id)), Btn(t(language, "review.button.return"), "rv", ("ret", submission_id))]]
    else:
        text += "\n\n" + t(language, f"review.status.{submission.status.value}")
    return [Reply(text, buttons, [a.id for a in attachments if a.id is not None])]


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _submitter(services: Services, submission: Submission) -> Person | None:
    return services.storage.people.get_person(person_id=submission.person_id)


def accept(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> tuple[list[Reply], Notice | None]:
    """Accept a submission; the liaison hears of it."""
    _check(roles)
    assert roles.person_id is not None
    try:
        with services.storage.session() as s:
            submission = submissions.accept_submission(s, submission_id=submission_id, reviewer_person_id=roles.person_id, now=now)
    except submissions.AlreadyReviewed as e:
        return [_already(e, language)], None
    return [Reply(t(language, "review.accepted"))], _notice(services, submission, "review.told-accepted", {}, [])


def ask_comment(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> list[Reply]:
    """Returning: ask the coordinator for the comment (kept in a draft)."""
    _check(roles)
    assert roles.person_id is not None
    services.storage.drafts.save_draft(person_id=roles.person_id, flow=FLOW, state="comment", data={"submission_id": submission_id}, now=now)
    return [Reply(t(language, "review.ask-comment"))]


def return_with(services: Services, roles: Roles, *, submission_id: int, comment: str, now: datetime, language: str) -> tuple[list[Reply], Notice | None]:
    """Return a submission with a comment (退回修改): the obligation reopens and the liaison is told."""
    _check(roles)
    assert roles.person_id is not None
    comment = comment.strip()
    if not comment:
        return [Reply(t(language, "review.ask-comment"))], None
    try:
        with services.storage.session() as s:
            submission = submissions.return_submission(s, submission_id=submission_id, reviewer_person_id=roles.person_id, comment=comment, now=now)
    except submissions.AlreadyReviewed as e:
        services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
        return [_already(e, language)], None
    services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
    notice = _notice(services, submission, "review.told-returned", {"comment": comment}, [("review.button.fix", "sub", (submission.obligation_id,))])
    return [Reply(t(language, "review.returned"))], notice


def _already(e: submissions.AlreadyReviewed, language: str) -> Reply:
    return Reply(t(language, "review.already-reviewed", status=Markup(t(language, f"review.status.{e.submission.status.value}"))))


def _notice(services: Services, submission: Submission, key: str, params: dict[str, object], buttons: list[tuple[str, str, tuple[str | int, ...]]]) -> Notice | None:
    person = _submitter(services, submission)
    if person is None or person.chat_id is None:
        return None
    view = services.storage.due.get_obligation_view(obligation_id=submission.obligation_id)
    assert view is not None
    report = report_of(services, view.due_item.report_key)
    language = normalize_language(person.language or services.config.language, services.config.language)
    full = {"report": report_title(report, language), "period": period_of(services, view.due_item, language), "item": submission.item_no, **params}
    return Notice(chat_id=person.chat_id, language=person.language, key=key, params=full, buttons=buttons, telegram_user_id=person.telegram_user_id)


__all__ = ["FLOW", "Notice", "NotAllowed", "accept", "ask_comment", "open_one", "return_with", "waiting"]
