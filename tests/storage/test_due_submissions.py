"""Due items, obligations, submissions with versions, review, attachments, drafts."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.models import (
    DueItem,
    Obligation,
    ObligationStatus,
    Person,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    Unit,
)
from bot.storage import Storage, attachments, drafts, due, submissions


def test_ensure_due_item_is_idempotent(
    storage: Storage, make_unit: Callable[..., Unit], now: datetime
) -> None:
    a, b, c = make_unit(code="a"), make_unit(code="b"), make_unit(code="c")
    due_at = now + timedelta(days=2)
    for codes in (["a", "b"], ["a", "b"], ["b", "c"]):
        with storage.session() as s:
            item = due.ensure_due_item(
                s, report_key="cases", period_key="2023-08", period_label="2023年8月",
                due_at=due_at, unit_codes=codes, now=now,
            )
    with storage.session() as s:
        assert len(list(s.exec(select(DueItem)))) == 1
        views = due.obligations_of_due_item(s, due_item_id=item.id)  # type: ignore[arg-type]
        assert [(v.unit.code, v.obligation.status) for v in views] == [
            ("a", ObligationStatus.open),
            ("b", ObligationStatus.open),
            ("c", ObligationStatus.open),
        ]
    moved = due_at + timedelta(days=3)  # the config now says 顺延
    with storage.session() as s:
        due.ensure_due_item(
            s, report_key="cases", period_key="2023-08", period_label="2023年8月", due_at=moved, unit_codes=["a"], now=now
        )
    with storage.session() as s:
        stored = due.get_due_item(s, report_key="cases", period_key="2023-08")
        assert stored is not None and stored.due_at == moved
    with pytest.raises(LookupError, match="unknown unit codes: zz"), storage.session() as s:
        due.ensure_due_item(s, report_key="x", period_key="p", period_label="", due_at=now, unit_codes=["zz"], now=now)
    del a, b, c


def test_due_item_and_obligation_uniqueness(
    storage: Storage, make_unit: Callable[..., Unit], make_due_item: Callable[..., DueItem], now: datetime
) -> None:
    unit = make_unit()
    item = make_due_item([unit], report_key="stats", period_key="2023-08")
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(DueItem(report_key="stats", period_key="2023-08", due_at=now, created_at=now))
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(Obligation(due_item_id=item.id, unit_id=unit.id))  # type: ignore[arg-type]


def test_open_obligations_done_late_and_returned(
    storage: Storage,
    make_unit: Callable[..., Unit],
    make_person: Callable[..., Person],
    make_due_item: Callable[..., DueItem],
    now: datetime,
) -> None:
    unit, other = make_unit(), make_unit()
    person, coordinator = make_person(), make_person()
    later_item = make_due_item([unit, other], report_key="summary", due_at=now + timedelta(days=10))
    early_item = make_due_item([unit], report_key="cases", due_at=now - timedelta(days=1))
    with storage.session() as s:
        open_ = due.open_obligations(s, unit_id=unit.id)  # type: ignore[arg-type]
        assert [v.due_item.id for v in open_] == [early_item.id, later_item.id]
        overdue = due.outstanding(s, due_before=now)
        assert [(v.unit.id, v.due_item.id) for v in overdue] == [(unit.id, early_item.id)]
        obligation = open_[0].obligation
        sub = submissions.file_and_complete(
            s, obligation_id=obligation.id, person_id=person.id, kind=SubmissionKind.case,  # type: ignore[arg-type]
            data={"title": "案例一"}, now=now,
        )
    assert sub.late is True
    with storage.session() as s:
        stored = s.get(Obligation, obligation.id)
        assert stored is not None
        assert (stored.status, stored.completed_at, stored.late) == (ObligationStatus.done, now, True)
        assert [v.due_item.id for v in due.open_obligations(s, unit_id=unit.id)] == [later_item.id]  # type: ignore[arg-type]
        submissions.return_submission(
            s, submission_id=sub.id, reviewer_person_id=coordinator.id, comment="请补充处罚决定书", now=now  # type: ignore[arg-type]
        )
    with storage.session() as s:
        stored = s.get(Obligation, obligation.id)
        assert stored is not None and stored.status is ObligationStatus.returned and stored.completed_at is None
        returned = s.get(Submission, sub.id)
        assert returned is not None
        assert (returned.status, returned.reviewed_by_person_id, returned.review_comment) == (
            SubmissionStatus.returned,
            coordinator.id,
            "请补充处罚决定书",
        )
        assert [v.due_item.id for v in due.open_obligations(s, unit_id=unit.id)] == [early_item.id, later_item.id]  # type: ignore[arg-type]


def test_submission_versions_are_kept(
    storage: Storage,
    make_unit: Callable[..., Unit],
    make_person: Callable[..., Person],
    make_due_item: Callable[..., DueItem],
    now: datetime,
) -> None:
    unit, person, coordinator = make_unit(), make_person(), make_person()
    item = make_due_item([unit], due_at=now + timedelta(days=1))
    with storage.session() as s:
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[arg-type]
        assert obligation is not None
        oid = obligation.id
        v1 = submissions.add_submission(s, obligation_id=oid, person_id=person.id, kind="case", data={"title": "一"}, now=now)  # type: ignore[arg-type]
        submissions.add_submission(s, obligation_id=oid, person_id=person.id, kind="case", data={"title": "二"}, item_no=2, now=now)  # type: ignore[arg-type]
    with storage.session() as s:
        v2 = submissions.add_submission(
            s, obligation_id=oid, person_id=person.id, kind=SubmissionKind.case,  # type: ignore[arg-type]
            data={"title": "一（修改）"}, now=now + timedelta(days=2),
        )
    assert (v1.version, v2.version, v2.late, v1.late) == (1, 2, True, False)
    with storage.session() as s:
        history = submissions.submission_history(s, obligation_id=oid)  # type: ignore[arg-type]
        assert [(x.item_no, x.version, x.status, x.data["title"]) for x in history] == [
            (1, 1, SubmissionStatus.superseded, "一"),
            (1, 2, SubmissionStatus.submitted, "一（修改）"),
            (2, 1, SubmissionStatus.submitted, "二"),
        ]
        current = submissions.current_submissions(s, obligation_id=oid)  # type: ignore[arg-type]
        assert [(x.item_no, x.version) for x in current] == [(1, 2), (2, 1)]
        assert [x.id for x in submissions.submissions_to_review(s, unit_id=unit.id)] == [history[2].id, v2.id]
        submissions.accept_submission(s, submission_id=v2.id, reviewer_person_id=coordinator.id, now=now)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="superseded"):
            submissions.accept_submission(s, submission_id=v1.id, reviewer_person_id=coordinator.id, now=now)  # type: ignore[arg-type]
    with storage.session() as s:
        accepted = s.get(Submission, v2.id)
        assert accepted is not None and accepted.status is SubmissionStatus.accepted and accepted.reviewed_at == now
    # reviewed once: an accepted version can neither be returned (reopening the item) nor accepted again
    with pytest.raises(submissions.AlreadyReviewed, match="accepted"), storage.session() as s:
        submissions.return_submission(s, submission_id=v2.id, reviewer_person_id=coordinator.id, comment="晚了", now=now)  # type: ignore[arg-type]
    with storage.session() as s:
        assert s.get(Obligation, oid).status is not ObligationStatus.returned  # type: ignore[union-attr]
        assert s.get(Submission, v2.id).review_comment is None  # type: ignore[union-attr]
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(Submission(obligation_id=oid, unit_id=unit.id, person_id=person.id, item_no=1, version=2,  # type: ignore[arg-type]
                         kind=SubmissionKind.case, submitted_at=now))


def test_attachments_by_checksum(
    storage: Storage,
    make_unit: Callable[..., Unit],
    make_person: Callable[..., Person],
    make_due_item: Callable[..., DueItem],
    now: datetime,
) -> None:
    unit, person = make_unit(), make_person()
    item = make_due_item([unit])
    digest = "AB" * 32
    with storage.session() as s:
        upload = attachments.add_attachment(
            s, sha256=digest, size=20 * 1024 * 1024, storage_path="ab/abab.pdf", mime_type="application/pdf",
            file_name="处罚决定书.pdf", telegram_file_id="file-1", now=now,
        )
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[arg-type]
        sub = submissions.add_submission(s, obligation_id=obligation.id, person_id=person.id, kind="case", data={}, now=now)  # type: ignore[arg-type, union-attr]
        assert attachments.link_attachments(s, attachment_ids=[upload.id], submission_id=sub.id) == 1  # type: ignore[list-item, arg-type]
    with storage.session() as s:
        files = attachments.attachments_of(s, submission_id=sub.id)  # type: ignore[arg-type]
        assert [(f.sha256, f.size, f.file_name) for f in files] == [("ab" * 32, 20 * 1024 * 1024, "处罚决定书.pdf")]
        found = attachments.find_attachment(s, sha256=digest)
        assert found is not None and found.storage_path == "ab/abab.pdf"


def test_drafts_one_per_person_and_flow(
    storage: Storage, make_person: Callable[..., Person], now: datetime
) -> None:
    person = make_person()
    with storage.session() as s:
        drafts.save_draft(s, person_id=person.id, flow="submit", state="title", data={"report": "cases"}, now=now)  # type: ignore[arg-type]
        drafts.save_draft(s, person_id=person.id, flow="register", state="name", data={}, now=now)  # type: ignore[arg-type]
    later = now + timedelta(minutes=5)
    with storage.session() as s:
        draft = drafts.save_draft(
            s, person_id=person.id, flow="submit", state="summary", data={"report": "cases", "title": "甲"}, now=later  # type: ignore[arg-type]
        )
    assert (draft.state, draft.data["title"], draft.updated_at) == ("summary", "甲", later)
    with storage.session() as s:
        assert [(d.flow, d.state) for d in drafts.drafts_of(s, person_id=person.id)] == [  # type: ignore[arg-type]
            ("submit", "summary"),
            ("register", "name"),
        ]
        assert drafts.delete_draft(s, person_id=person.id, flow="submit") is True  # type: ignore[arg-type]
        assert drafts.delete_draft(s, person_id=person.id, flow="submit") is False  # type: ignore[arg-type]
    with storage.session() as s:
        assert drafts.get_draft(s, person_id=person.id, flow="submit") is None  # type: ignore[arg-type]
        assert [d.flow for d in drafts.drafts_of(s, person_id=person.id)] == ["register"]  # type: ignore[arg-type]
