"""Coordinators review submissions: accept, or return with a comment (退回修改), which reopens the item."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import Person, Submission
from bot.services import paging
from bot.services.labels import fit
from bot.services.people.access import Action, Roles
from bot.config import ReportType
from bot.services.submissions.forms import form_of
from bot.services.submissions.forms.render import body
from bot.services.deadlines.reports import report_of, report_title
from bot.services.submissions.common import period_of
from bot.replies import Btn, Reply
from bot.storage import attachments, drafts, people, submissions
from bot.texts.catalog import Markup, normalize_language, t, tn

FLOW = "review"


class NotAllowed(Exception):
    """Only coordinators review."""


@dataclass
class Notice:
    """A message for one of the unit's current liaisons: catalog text in their language, with buttons."""

    person: Person
    language: str
    key: str
    params: dict[str, object]
    buttons: list[tuple[str, str, tuple[str | int, ...]]]  # (text key, action, args)


@dataclass
class Done:
    """A review that went through: what happened ("accepted" or "returned") and whom to tell."""

    action: str
    notices: list[Notice]


def _check(roles: Roles) -> None:
    if not roles.may(Action.REVIEW):
        raise NotAllowed


def _check_submission(services: Services, roles: Roles, submission_id: int) -> None:
    """A coordinator of one level reviews their subtree's submissions only."""
    _check(roles)
    if roles.visible_units is None:
        return
    submission = services.storage.submissions.get_submission(submission_id=submission_id)
    if submission is not None and not roles.may(Action.REVIEW, unit_id=submission.unit_id):
        raise NotAllowed


def _describe(services: Services, submission: Submission, language: str) -> tuple[str, ReportType]:
    view = services.storage.due.get_obligation_view(obligation_id=submission.obligation_id)
    assert view is not None
    report = report_of(services, view.due_item.report_key)
    return _name(services, submission, language, view.unit.name, report, view.due_item)(report_title(report, language)), report


def _name(services: Services, submission: Submission, language: str, unit: str, report: ReportType, item: Any, late: str = "") -> Callable[[str], str]:
    """unit · report · period · item (version): the report title the part a button may shorten."""
    number = t(language, "buttons.item-version", item=submission.item_no, version=submission.version) if submission.version > 1 else t(language, "buttons.item", item=submission.item_no)
    period = period_of(services, item, language)
    return lambda title: f"{unit} · {title} · {period} · {number}{late}"


def waiting(services: Services, roles: Roles, *, language: str, page: int | None = None) -> list[Reply]:
    """/review: the submissions waiting, each with a button to open it, paged (`page`: another page, in place)."""
    _check(roles)
    found = [x for x in services.storage.submissions.submissions_to_review() if roles.visible_units is None or x.unit_id in roles.visible_units]
    if not found:
        return [Reply(t(language, "review.nothing"), edit=page is not None)]
    number, pages = paging.clamp(page or 0, len(found))
    shown = found[number * paging.PAGE_SIZE : (number + 1) * paging.PAGE_SIZE]  # only the page's rows are looked up
    rows = []
    for submission in shown:
        view = services.storage.due.get_obligation_view(obligation_id=submission.obligation_id)
        assert view is not None
        report = report_of(services, view.due_item.report_key)
        late = t(language, "review.late-mark") if submission.late else ""
        make = _name(services, submission, language, view.unit.name, report, view.due_item, late)
        rows.append([Btn(fit(make, report_title(report, language)), "rv", ("open", submission.id or 0))])
    return [Reply(tn(language, "review.list", len(found)), rows + paging.nav(number, pages, action="rv", args=("page",)), edit=page is not None)]


def open_one(services: Services, roles: Roles, *, submission_id: int, language: str) -> list[Reply]:
    """One submission as filed, with its files, and buttons to accept or return it."""
    _check_submission(services, roles, submission_id)
    submission = services.storage.submissions.get_submission(submission_id=submission_id)
    if submission is None:
        return [Reply(t(language, "review.gone"))]
    title, report = _describe(services, submission, language)
    with services.storage.session() as s:
        files = attachments.attachments_of(s, submission_id=submission_id)
        person = people.get_person(s, person_id=submission.person_id)
    names = {"files": [a.file_name or "file" for a in files]}
    who = (person.name or person.first_name or "") if person else ""
    text = "\n".join([
        f"<b>{_escape(title)}</b>",
        t(language, "review.filed-by", who=who, at=submission.submitted_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")),
        t(language, "review.late-line") if submission.late else "",
        "",
        body(str(report.template), str(submission.kind), dict(submission.data.get("values", {})), names, language, form_of(report)),
    ])
    buttons: list[list[Btn]] = []
    if submission.status.value == "submitted":
        buttons = [[Btn(t(language, "review.button.accept"), "rv", ("ok", submission_id)), Btn(t(language, "review.button.return"), "rv", ("ret", submission_id))]]
    else:
        text += "\n\n" + t(language, f"review.status.{submission.status.value}")
    return [Reply(text, buttons, [a.id for a in files if a.id is not None])]


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _submitter(services: Services, submission: Submission) -> Person | None:
    return services.storage.people.get_person(person_id=submission.person_id)


def accept(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> tuple[list[Reply], Done | None]:
    """Accept a submission; the unit's liaisons are to hear of it (`Done`), then the coordinator (`outcome`)."""
    _check_submission(services, roles, submission_id)
    assert roles.person_id is not None
    try:
        with services.storage.session() as s:
            submission = submissions.accept_submission(s, submission_id=submission_id, reviewer_person_id=roles.person_id, now=now)
    except submissions.AlreadyReviewed as e:
        return [_already(e, language)], None
    return [], Done("accepted", _notices(services, submission, "review.notice.accepted", {}, []))


def ask_comment(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> list[Reply]:
    """Returning: ask the coordinator for the comment (kept in a draft; any command drops it)."""
    _check_submission(services, roles, submission_id)
    assert roles.person_id is not None
    services.storage.drafts.save_draft(person_id=roles.person_id, flow=FLOW, state="comment", data={"submission_id": submission_id}, now=now)
    return [Reply(t(language, "review.ask-comment"))]


def preview_return(services: Services, roles: Roles, *, submission_id: int, comment: str, now: datetime, language: str) -> list[Reply]:
    """The comment typed: show it with 确认退回 / 取消; nothing is returned until confirmed."""
    _check(roles)
    assert roles.person_id is not None
    comment = comment.strip()
    if not comment:
        return [Reply(t(language, "review.ask-comment"))]
    submission = services.storage.submissions.get_submission(submission_id=submission_id)
    if submission is None:
        services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
        return [Reply(t(language, "review.gone"))]
    if submission.status.value != "submitted":
        services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
        return [_already(submissions.AlreadyReviewed(submission), language)]
    services.storage.drafts.save_draft(
        person_id=roles.person_id, flow=FLOW, state="confirm", data={"submission_id": submission_id, "comment": comment}, now=now
    )
    title, _ = _describe(services, submission, language)
    buttons = [[
        Btn(t(language, "review.button.confirm-return"), "rv", ("rc", submission_id)),
        Btn(t(language, "review.button.cancel-return"), "rv", ("rx", submission_id)),
    ]]
    return [Reply(t(language, "review.confirm-return", title=title, comment=comment), buttons)]


def cancel_return(services: Services, roles: Roles, *, submission_id: int, language: str) -> list[Reply]:
    """取消: the comment is dropped and the submission stays as it is."""
    _check(roles)
    assert roles.person_id is not None
    pending = _pending(services, roles.person_id, submission_id)
    if pending is None:
        return [Reply(t(language, "review.return-expired"))]
    services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
    return [Reply(t(language, "review.return-cancelled"))]


def confirm_return(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> tuple[list[Reply], Done | None]:
    """确认退回: return the submission with the comment shown in the preview."""
    _check(roles)
    assert roles.person_id is not None
    pending = _pending(services, roles.person_id, submission_id)
    if pending is None:
        return [Reply(t(language, "review.return-expired"))], None
    return return_with(services, roles, submission_id=submission_id, comment=pending, now=now, language=language)


def _pending(services: Services, person_id: int, submission_id: int) -> str | None:
    """The comment awaiting confirmation for this submission, if the draft still holds it."""
    with services.storage.session() as s:
        draft = drafts.get_draft(s, person_id=person_id, flow=FLOW)
        if draft is None or draft.state != "confirm" or draft.data.get("submission_id") != submission_id:
            return None
        comment = draft.data.get("comment")
    return str(comment) if comment else None


def drop_pending(services: Services, *, telegram_user_id: int, command: str) -> bool:
    """A command while a return comment is awaited (or awaits confirmation) drops that draft; True if it did.

    /cancel is left to cancel the conversation itself when the return is the current one.
    """
    with services.storage.session() as s:
        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if person is None or person.id is None:
            return False
        found = drafts.drafts_of(s, person_id=person.id)
        if not any(d.flow == FLOW for d in found):
            return False
        if command == "cancel" and found[0].flow == FLOW:
            return False
        return drafts.delete_draft(s, person_id=person.id, flow=FLOW)


def return_with(services: Services, roles: Roles, *, submission_id: int, comment: str, now: datetime, language: str) -> tuple[list[Reply], Done | None]:
    """Return a submission with a comment (退回修改): the obligation reopens and the unit's liaisons are to be told."""
    _check_submission(services, roles, submission_id)
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
    notices = _notices(services, submission, "review.notice.returned", {"comment": comment}, [("review.button.fix", "sub", (submission.obligation_id,))])
    return [], Done("returned", notices)


def outcome(language: str, done: Done, *, reached: list[Person], unreached: list[Person]) -> Reply:
    """What the coordinator reads once the liaisons were (or could not be) told."""
    lines = [t(language, f"review.outcome.{done.action}")]
    if reached:
        lines.append(t(language, "review.outcome.told", names=_names(reached)))
    if unreached:
        lines.append(t(language, "review.outcome.unreached", names=_names(unreached)))
    if not reached and not unreached:
        lines.append(t(language, "review.outcome.nobody"))
    return Reply("\n".join(lines))


def _names(found: list[Person]) -> str:
    return "、".join(p.name or p.first_name or str(p.telegram_user_id) for p in found)


def _already(e: submissions.AlreadyReviewed, language: str) -> Reply:
    return Reply(t(language, "review.already-reviewed", status=Markup(t(language, f"review.status.{e.submission.status.value}"))))


def _notices(services: Services, submission: Submission, key: str, params: dict[str, object], buttons: list[tuple[str, str, tuple[str | int, ...]]]) -> list[Notice]:
    """One notice per current liaison of the submission's unit (primary first, then backups)."""
    view = services.storage.due.get_obligation_view(obligation_id=submission.obligation_id)
    assert view is not None and view.unit.id is not None
    report = report_of(services, view.due_item.report_key)
    filer = _submitter(services, submission)
    who = (filer.name or filer.first_name or "") if filer else ""
    found = []
    for liaison in services.storage.roles.liaisons_of_unit(unit_id=view.unit.id):
        language = normalize_language(liaison.person.language or services.config.language, services.config.language)
        full = {"report": report_title(report, language), "period": period_of(services, view.due_item, language), "item": submission.item_no, "who": who, **params}
        found.append(Notice(person=liaison.person, language=language, key=key, params=full, buttons=buttons))
    return found


__all__ = [
    "FLOW", "Done", "Notice", "NotAllowed", "accept", "ask_comment", "cancel_return", "confirm_return", "drop_pending",
    "open_one", "outcome", "preview_return", "return_with", "waiting",
]
