"""The head's side of a filing that needs sign-off: asked, approve, return with a comment.

Replies addressed to someone else (`Reply.to`) are sent to that person privately by the handler.
Buttons: `so|ok|<submission id>` approves, `so|ret|<submission id>` asks for the comment (a
"signoff" draft); the comment typed returns it to the liaison with a button to fix it.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import ReportType
from bot.context import Services
from bot.models import Person, Submission, SubmissionKind, SubmissionStatus
from bot.replies import Btn, Reply
from bot.services import notify
from bot.services.deadlines.reports import report_of, report_title
from bot.services.people.access import Action, Roles
from bot.services.submissions.common import period_of
from bot.services.submissions.forms import form_of
from bot.services.submissions.forms.render import body
from bot.storage import attachments, due, signoff, submissions
from bot.storage.due import ObligationView
from bot.texts.catalog import normalize_language, t

FLOW = "signoff"
ACTION = "so"


class NotAllowed(Exception):
    """Only the unit's head (or a coordinator) signs off."""


def _language(services: Services, person: Person) -> str:
    return normalize_language(person.language or services.config.language, services.config.language)


def _view(services: Services, submission: Submission) -> ObligationView:
    found = services.storage.due.get_obligation_view(obligation_id=submission.obligation_id)
    if found is None:
        raise LookupError(submission.obligation_id)
    return found


def approvers(services: Services, unit_id: int) -> list[Person]:
    """Who signs off for a unit: its heads, or the coordinators when it has none."""
    with services.storage.session() as s:
        heads = signoff.heads_of(s, unit_id=unit_id)
    return heads or notify.coordinators(services)


def _request(services: Services, submission: Submission, person: Person) -> Reply:
    """The preview sent to an approver, in their language, with approve / return buttons."""
    language = _language(services, person)
    view = _view(services, submission)
    report = report_of(services, view.due_item.report_key)
    with services.storage.session() as s:
        names = {"files": [a.file_name or "file" for a in attachments.attachments_of(s, submission_id=submission.id or 0)]}
    head = t(language, "signoff.request", unit=view.unit.name, report=report_title(report, language),
             period=period_of(services, view.due_item, language), item=submission.item_no)
    shown = body(str(report.template), str(submission.kind), dict(submission.data.get("values", {})), names, language, form_of(report))
    buttons = [[Btn(t(language, "signoff.button.approve"), ACTION, ("ok", submission.id or 0)),
                Btn(t(language, "signoff.button.return"), ACTION, ("ret", submission.id or 0))]]
    return Reply(f"{head}\n\n{shown}", buttons, to=person)


def hold(services: Services, report: ReportType, submission: Submission, *, language: str) -> list[Reply]:
    """A filing just confirmed waits for sign-off: what the liaison reads, and the request to each approver."""
    assert submission.id is not None
    with services.storage.session() as s:
        signoff.hold(s, submission_id=submission.id)
    view = _view(services, submission)
    assert view.unit.id is not None
    with services.storage.session() as s:
        has_head = bool(signoff.heads_of(s, unit_id=view.unit.id))
    waiting = t(language, "signoff.waiting-head" if has_head else "signoff.waiting-coordinator")
    return [Reply(waiting), *(_request(services, submission, p) for p in approvers(services, view.unit.id))]


def _check(services: Services, roles: Roles, submission: Submission) -> ObligationView:
    view = _view(services, submission)
    if not roles.may(Action.SIGN_OFF, unit_id=view.unit.id):
        raise NotAllowed
    return view


def _get(services: Services, submission_id: int) -> Submission:
    found = services.storage.submissions.get_submission(submission_id=submission_id)
    if found is None:
        raise LookupError(submission_id)
    return found


def _to_liaisons(services: Services, view: ObligationView, key: str, buttons: list[list[Btn]] | None = None, **params: object) -> list[Reply]:
    assert view.unit.id is not None
    report = report_of(services, view.due_item.report_key)
    out = []
    for liaison in services.storage.roles.liaisons_of_unit(unit_id=view.unit.id):
        language = _language(services, liaison.person)
        text = t(language, key, report=report_title(report, language), period=period_of(services, view.due_item, language), **params)
        rows = [[Btn(t(language, b.label), b.action, b.args) for b in row] for row in buttons or []]
        out.append(Reply(text, rows, to=liaison.person))
    return out


def _done(services: Services, report: ReportType, submission: Submission, now: datetime) -> bool:
    """After an approval: the obligation is done once enough approved items are in."""
    with services.storage.session() as s:
        current = submissions.current_submissions(s, obligation_id=submission.obligation_id)
        counted = [c for c in current if c.status in (SubmissionStatus.submitted, SubmissionStatus.accepted)]
        if any(c.kind == SubmissionKind.zero for c in counted) or len(counted) >= report.min_items:
            due.mark_obligation_done(s, obligation_id=submission.obligation_id, now=now)
            return True
        signoff.reopen_if_nothing_waits(s, obligation_id=submission.obligation_id)
        return False


def approve(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> list[Reply]:
    """批准: the filing counts; the liaisons are told."""
    assert roles.person_id is not None
    submission = _get(services, submission_id)
    view = _check(services, roles, submission)
    report = report_of(services, view.due_item.report_key)
    try:
        with services.storage.session() as s:
            submission = signoff.approve(s, submission_id=submission_id, person_id=roles.person_id, now=now)
    except submissions.AlreadyReviewed as e:
        return [Reply(t(language, "signoff.already", status=t(language, f"signoff.status.{e.submission.status.value}")))]
    _done(services, report, submission, now)
    return [Reply(t(language, "signoff.approved", unit=view.unit.name)), *_to_liaisons(services, view, "signoff.notice.approved")]


def ask_comment(services: Services, roles: Roles, *, submission_id: int, now: datetime, language: str) -> list[Reply]:
    """退回: ask for the comment (kept in a draft)."""
    assert roles.person_id is not None
    submission = _get(services, submission_id)
    _check(services, roles, submission)
    if submission.status is not SubmissionStatus.pending:
        return [Reply(t(language, "signoff.already", status=t(language, f"signoff.status.{submission.status.value}")))]
    services.storage.drafts.save_draft(person_id=roles.person_id, flow=FLOW, state="comment", data={"submission_id": submission_id}, now=now)
    return [Reply(t(language, "signoff.ask-comment"))]


def return_with(services: Services, roles: Roles, *, data: dict[str, object], comment: str, now: datetime, language: str) -> list[Reply]:
    """The comment typed: the filing goes back to the liaisons with it and a button to fix it."""
    assert roles.person_id is not None
    comment = comment.strip()
    if not comment:
        return [Reply(t(language, "signoff.ask-comment"))]
    submission_id = int(str(data["submission_id"]))
    submission = _get(services, submission_id)
    view = _check(services, roles, submission)
    services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
    try:
        with services.storage.session() as s:
            signoff.send_back(s, submission_id=submission_id, person_id=roles.person_id, comment=comment, now=now)
    except submissions.AlreadyReviewed as e:
        return [Reply(t(language, "signoff.already", status=t(language, f"signoff.status.{e.submission.status.value}")))]
    fix = [[Btn("signoff.button.fix", "sub", (submission.obligation_id,))]]
    return [Reply(t(language, "signoff.returned", unit=view.unit.name)), *_to_liaisons(services, view, "signoff.notice.returned", fix, comment=comment)]
