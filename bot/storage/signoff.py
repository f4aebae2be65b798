"""Sign-off by the unit head (单位负责人审核): a filing waits (pending), then is approved or returned."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select, update

from bot.models import Obligation, ObligationStatus, Person, Role, Submission, SubmissionStatus, Unit
from bot.storage import roles
from bot.storage.due import mark_obligation_returned
from bot.storage.submissions import AlreadyReviewed


def hold(session: Session, *, submission_id: int) -> Submission:
    """A filing of a report that needs sign-off waits for the head: 待审核, its obligation too (unless done)."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(submission_id)
    submission.status = SubmissionStatus.pending
    obligation = session.get(Obligation, submission.obligation_id)
    if obligation is not None and obligation.status is not ObligationStatus.done:
        obligation.status = ObligationStatus.awaiting
    session.flush()
    return submission


def _decide(session: Session, *, submission_id: int, values: dict[str, object]) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(submission_id)
    # Only a version still waiting, and only once: a conditional update (two heads, an old button).
    result = session.exec(
        update(Submission)
        .where(col(Submission.id) == submission_id, col(Submission.status) == SubmissionStatus.pending)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(submission)
    if result.rowcount != 1:
        session.expunge(submission)  # kept readable for the caller after the rollback
        raise AlreadyReviewed(submission)
    return submission


def approve(session: Session, *, submission_id: int, person_id: int, now: datetime) -> Submission:
    """The head approves: the filing counts (status submitted, for the coordinators' review)."""
    return _decide(session, submission_id=submission_id, values={
        "status": SubmissionStatus.submitted, "signed_off_by_person_id": person_id, "signed_off_at": now,
    })


def send_back(session: Session, *, submission_id: int, person_id: int, comment: str, now: datetime) -> Submission:
    """The head returns it with a comment: the obligation is open again (退回修改)."""
    submission = _decide(session, submission_id=submission_id, values={
        "status": SubmissionStatus.returned, "reviewed_by_person_id": person_id, "reviewed_at": now, "review_comment": comment,
    })
    mark_obligation_returned(session, obligation_id=submission.obligation_id)
    return submission


def reopen_if_nothing_waits(session: Session, *, obligation_id: int) -> None:
    """After an approval: an obligation still 待审核 with nothing pending goes back to open (more items needed)."""
    obligation = session.get(Obligation, obligation_id)
    waiting = session.exec(
        select(Submission.id).where(Submission.obligation_id == obligation_id, Submission.status == SubmissionStatus.pending)
    ).first()
    if obligation is not None and obligation.status is ObligationStatus.awaiting and waiting is None:
        obligation.status = ObligationStatus.open
        session.flush()


def heads_of(session: Session, *, unit_id: int) -> list[Person]:
    """The unit's heads (单位负责人), registered by invite."""
    return roles.people_with_role(session, role=Role.head, unit_id=unit_id)


def waiting(session: Session, *, due_item_id: int) -> list[tuple[Submission, int, str]]:
    """The filings of a due item waiting for sign-off, with their unit (id, name), by unit."""
    statement = (
        select(Submission, Unit.id, Unit.name)
        .join(Obligation, col(Obligation.id) == Submission.obligation_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(Obligation.due_item_id == due_item_id, Submission.status == SubmissionStatus.pending, col(Unit.active).is_(True))
        .order_by(col(Unit.id), col(Submission.item_no))
    )
    return [(sub, unit_id or 0, str(name)) for sub, unit_id, name in session.exec(statement)]
