"""Submissions (every version kept) and their review."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select, update

from bot.models import (
    DueItem,
    Obligation,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from bot.storage.due import mark_obligation_done, mark_obligation_returned


def _obligation(session: Session, obligation_id: int) -> Obligation:
    obligation = session.get(Obligation, obligation_id)
    if obligation is None:
        raise LookupError(f"no obligation with id {obligation_id}")
    return obligation


def add_submission(
    session: Session,
    *,
    obligation_id: int,
    person_id: int,
    kind: SubmissionKind,
    data: Mapping[str, Any],
    now: datetime,
    item_no: int = 1,
) -> Submission:
    """File a new version of item `item_no`; earlier versions of it become superseded.

    Nothing is overwritten. The submission is late if filed after the deadline (补报).
    Marking the obligation done is the caller's decision (see `mark_obligation_done`).
    """
    if item_no < 1:
        raise ValueError("item_no starts at 1")
    obligation = _obligation(session, obligation_id)
    due_item = session.get(DueItem, obligation.due_item_id)
    assert due_item is not None
    latest = session.exec(
        select(func.max(Submission.version)).where(
            Submission.obligation_id == obligation_id, Submission.item_no == item_no
        )
    ).one()
    session.exec(
        update(Submission)
        .where(
            col(Submission.obligation_id) == obligation_id,
            col(Submission.item_no) == item_no,
            col(Submission.status) != SubmissionStatus.superseded,
        )
        .values(status=SubmissionStatus.superseded)
        .execution_options(synchronize_session="fetch")
    )
    submission = Submission(
        obligation_id=obligation_id,
        unit_id=obligation.unit_id,
        person_id=person_id,
        item_no=item_no,
        version=(latest or 0) + 1,
        kind=SubmissionKind(kind),
        data=dict(data),
        submitted_at=now,
        late=now > due_item.due_at,
        status=SubmissionStatus.submitted,
    )
    session.add(submission)
    session.flush()
    return submission


_ATTEMPTS = 5  # a unique (obligation, item, version) clash means someone filed at the same moment: look again


class PeriodFull(ValueError):
    """A new item would be more than the report allows for the period (`max_items`)."""

    def __init__(self, max_items: int) -> None:
        super().__init__(f"at most {max_items} items per period")
        self.max_items = max_items


class ChangedMeanwhile(ValueError):
    """An amendment started from a version that is no longer the item's current one."""

    def __init__(self, current: Submission | None) -> None:
        super().__init__("the item was changed meanwhile")
        self.current = current


class HasItems(ValueError):
    """A 零报告 for an obligation that has items filed."""


def next_item_no(session: Session, *, obligation_id: int) -> int:
    """The number a new item gets: one past the highest item filed (a 零报告 alone is replaced by item 1)."""
    highest = session.exec(
        select(func.max(Submission.item_no)).where(
            Submission.obligation_id == obligation_id, col(Submission.kind) != SubmissionKind.zero
        )
    ).one()
    return (highest or 0) + 1


def current_version(session: Session, *, obligation_id: int, item_no: int) -> Submission | None:
    """The current (not superseded) version of one item."""
    statement = select(Submission).where(
        Submission.obligation_id == obligation_id,
        Submission.item_no == item_no,
        col(Submission.status) != SubmissionStatus.superseded,
    )
    return session.exec(statement.order_by(col(Submission.version).desc())).first()


def _add_retrying(session: Session, attempt: Any) -> Submission:
    """Run `attempt()` (checks, then `add_submission`) in a savepoint; on a unique clash (someone
    filed the same item and version at the same moment) roll it back and run it again: it then
    sees the other filing (committed: PostgreSQL waits for it; SQLite serialises writers)."""
    for n in range(_ATTEMPTS):
        try:
            with session.begin_nested():
                submission: Submission = attempt()
                return submission
        except IntegrityError:
            if n == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def file_new_item(
    session: Session,
    *,
    obligation_id: int,
    person_id: int,
    kind: SubmissionKind,
    data: Mapping[str, Any],
    now: datetime,
    max_items: int,
) -> Submission:
    """File a new item under the next free item number, allocated now (two people filing new items
    of the same period get different numbers); PeriodFull if that would exceed `max_items`."""

    def attempt() -> Submission:
        item_no = next_item_no(session, obligation_id=obligation_id)
        if item_no > max_items:
            raise PeriodFull(max_items)
        return add_submission(session, obligation_id=obligation_id, person_id=person_id, kind=kind, data=data, now=now, item_no=item_no)

    return _add_retrying(session, attempt)


def file_new_version(
    session: Session,
    *,
    obligation_id: int,
    item_no: int,
    base_version: int | None,
    person_id: int,
    kind: SubmissionKind,
    data: Mapping[str, Any],
    now: datetime,
) -> Submission:
    """File a new version of item `item_no` (an amendment) if `base_version`, the version it was
    started from, is still the item's current one; ChangedMeanwhile (with the current one) if not."""

    def attempt() -> Submission:
        current = current_version(session, obligation_id=obligation_id, item_no=item_no)
        if (current.version if current is not None else None) != base_version:
            if current is not None:  # kept readable for the caller: the rollback that follows would expire it
                session.expunge(current)
            raise ChangedMeanwhile(current)
        return add_submission(session, obligation_id=obligation_id, person_id=person_id, kind=kind, data=data, now=now, item_no=item_no)

    return _add_retrying(session, attempt)


def file_zero(
    session: Session, *, obligation_id: int, person_id: int, now: datetime, data: Mapping[str, Any] | None = None
) -> Submission:
    """File a 零报告 (item 1) unless items have been filed for the obligation (HasItems)."""

    def attempt() -> Submission:
        if next_item_no(session, obligation_id=obligation_id) > 1:
            raise HasItems(obligation_id)
        return add_submission(
            session, obligation_id=obligation_id, person_id=person_id, kind=SubmissionKind.zero,
            data=data if data is not None else {"values": {}}, now=now, item_no=1,
        )

    return _add_retrying(session, attempt)


def get_submission(session: Session, *, submission_id: int) -> Submission | None:
    """The submission version with this id."""
    return session.get(Submission, submission_id)


def current_submissions(session: Session, *, obligation_id: int) -> list[Submission]:
    """The latest version of each item of an obligation, by item number."""
    statement = (
        select(Submission)
        .where(
            Submission.obligation_id == obligation_id,
            col(Submission.status) != SubmissionStatus.superseded,
        )
        .order_by(col(Submission.item_no))
    )
    return list(session.exec(statement))


def submission_history(
    session: Session, *, obligation_id: int, item_no: int | None = None
) -> list[Submission]:
    """Every version filed for an obligation (or one item of it), oldest first."""
    statement = (
        select(Submission)
        .where(Submission.obligation_id == obligation_id)
        .order_by(col(Submission.item_no), col(Submission.version))
    )
    if item_no is not None:
        statement = statement.where(Submission.item_no == item_no)
    return list(session.exec(statement))


def submissions_to_review(session: Session, *, unit_id: int | None = None) -> list[Submission]:
    """Current versions waiting for a coordinator, oldest first."""
    statement = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.submitted)
        .order_by(col(Submission.submitted_at), col(Submission.id))
    )
    if unit_id is not None:
        statement = statement.where(Submission.unit_id == unit_id)
    return list(session.exec(statement))


class AlreadyReviewed(ValueError):
    """The version was reviewed already, or superseded by a newer one."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(f"submission {submission.id} is {submission.status.value}, not waiting for review")
        self.submission = submission


def _review(
    session: Session,
    *,
    submission_id: int,
    reviewer_person_id: int,
    status: SubmissionStatus,
    comment: str | None,
    now: datetime,
) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise LookupError(f"no submission with id {submission_id}")
    # Only a version still waiting may be reviewed, and only once: a conditional update, so two
    # coordinators (or an old button) cannot accept and return the same version.
    result = session.exec(
        update(Submission)
        .where(col(Submission.id) == submission_id, col(Submission.status) == SubmissionStatus.submitted)
        .values(status=status, reviewed_by_person_id=reviewer_person_id, reviewed_at=now, review_comment=comment)
        .execution_options(synchronize_session=False)
    )
    session.refresh(submission)
    if result.rowcount != 1:
        raise AlreadyReviewed(submission)
    return submission


def accept_submission(
    session: Session,
    *,
    submission_id: int,
    reviewer_person_id: int,
    now: datetime,
    comment: str | None = None,
) -> Submission:
    """A coordinator accepts a submission version."""
    return _review(
        session,
        submission_id=submission_id,
        reviewer_person_id=reviewer_person_id,
        status=SubmissionStatus.accepted,
        comment=comment,
        now=now,
    )


def return_submission(
    session: Session, *, submission_id: int, reviewer_person_id: int, comment: str, now: datetime
) -> Submission:
    """A coordinator returns a submission (退回修改): its obligation is reopened."""
    submission = _review(
        session,
        submission_id=submission_id,
        reviewer_person_id=reviewer_person_id,
        status=SubmissionStatus.returned,
        comment=comment,
        now=now,
    )
    mark_obligation_returned(session, obligation_id=submission.obligation_id)
    return submission


def file_and_complete(
    session: Session,
    *,
    obligation_id: int,
    person_id: int,
    kind: SubmissionKind,
    data: Mapping[str, Any],
    now: datetime,
    item_no: int = 1,
) -> Submission:
    """Add a submission version and mark the obligation done, in one step."""
    submission = add_submission(
        session,
        obligation_id=obligation_id,
        person_id=person_id,
        kind=kind,
        data=data,
        now=now,
        item_no=item_no,
    )
    mark_obligation_done(session, obligation_id=obligation_id, now=now)
    return submission


def previous_filing(
    session: Session, *, unit_id: int, report_key: str, kind: SubmissionKind, before_obligation_id: int
) -> Submission | None:
    """The unit's current filing of `kind` for the same report in the period before (for cumulative checks).

    That is the filing of the latest due item due before this obligation's, whatever order they
    were filed in (a late August filed after September is still September's previous period).
    """
    this = session.get(Obligation, before_obligation_id)
    this_item = session.get(DueItem, this.due_item_id) if this is not None else None
    if this_item is None:
        return None
    statement = (
        select(Submission)
        .join(Obligation, col(Obligation.id) == Submission.obligation_id)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .where(
            Submission.unit_id == unit_id,
            DueItem.report_key == report_key,
            Submission.kind == kind,
            Submission.obligation_id != before_obligation_id,
            col(DueItem.due_at) < this_item.due_at,
            col(Submission.status).in_([SubmissionStatus.submitted, SubmissionStatus.accepted]),
        )
        .order_by(col(DueItem.due_at).desc(), col(Submission.submitted_at).desc(), col(Submission.id).desc())
    )
    return session.exec(statement).first()
