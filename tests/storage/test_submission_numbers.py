"""Item numbers allocated at filing, amendments only from the current version, 零报告 and items."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from bot.models import DueItem, Person, Submission, SubmissionKind, SubmissionStatus, Unit
from bot.storage import Storage, due, submissions


@pytest.fixture
def obligation_id(
    storage: Storage, make_unit: Callable[..., Unit], make_due_item: Callable[..., DueItem], now: datetime
) -> int:
    unit = make_unit()
    item = make_due_item([unit], report_key="typical_case", due_at=now + timedelta(days=3))
    with storage.session() as s:
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[arg-type]
        assert obligation is not None and obligation.id is not None
        return obligation.id


def _new_item(s: Session, oid: int, person_id: int, title: str, now: datetime, max_items: int = 2) -> Submission:
    return submissions.file_new_item(
        s, obligation_id=oid, person_id=person_id, kind=SubmissionKind.case, data={"values": {"title": title}}, now=now, max_items=max_items
    )


def _rows(storage: Storage, oid: int) -> list[tuple[int, int, str, SubmissionStatus, int]]:
    with storage.session() as s:
        return [(h.item_no, h.version, h.kind.value, h.status, h.person_id) for h in submissions.submission_history(s, obligation_id=oid)]


def test_new_items_are_numbered_in_turn_until_the_period_is_full(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, now: datetime
) -> None:
    a, b = make_person(), make_person()
    with storage.session() as s:
        assert submissions.next_item_no(s, obligation_id=obligation_id) == 1
        first = _new_item(s, obligation_id, a.id, "甲", now)  # type: ignore[arg-type]
    with storage.session() as s:
        second = _new_item(s, obligation_id, b.id, "乙", now)  # type: ignore[arg-type]
    assert [(x.item_no, x.version, x.status) for x in (first, second)] == [(1, 1, SubmissionStatus.submitted), (2, 1, SubmissionStatus.submitted)]
    with pytest.raises(submissions.PeriodFull) as full, storage.session() as s:
        _new_item(s, obligation_id, a.id, "丙", now)  # type: ignore[arg-type]
    assert full.value.max_items == 2
    assert _rows(storage, obligation_id) == [
        (1, 1, "case", SubmissionStatus.submitted, a.id),
        (2, 1, "case", SubmissionStatus.submitted, b.id),
    ]


def test_two_simultaneous_filers_get_distinct_item_numbers(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, race_on: Callable[..., list[Any]], now: datetime
) -> None:
    people = iter([make_person().id, make_person().id])

    def file(s: Session) -> tuple[int, int, int]:
        person_id = next(people)
        filed = _new_item(s, obligation_id, person_id, f"by {person_id}", now)
        return person_id, filed.item_no, filed.version

    results = race_on(file, workers=2)
    assert sorted((item, version) for _, item, version in results) == [(1, 1), (2, 1)]
    rows = _rows(storage, obligation_id)
    assert sorted(rows) == sorted((item, 1, "case", SubmissionStatus.submitted, pid) for pid, item, _ in results)
    with storage.session() as s:  # each filer's text is in the item they were told about
        current = submissions.current_submissions(s, obligation_id=obligation_id)
    assert {(c.item_no, c.data["values"]["title"]) for c in current} == {(item, f"by {pid}") for pid, item, _ in results}


def test_simultaneous_filers_of_the_last_free_item_one_is_refused(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, race_on: Callable[..., list[Any]], now: datetime
) -> None:
    people = iter([make_person().id, make_person().id])

    def file(s: Session) -> tuple[int, int | None]:
        person_id = next(people)
        try:
            return person_id, _new_item(s, obligation_id, person_id, "x", now, max_items=1).item_no
        except submissions.PeriodFull:
            return person_id, None

    results = race_on(file, workers=2)
    assert sorted((item or 0) for _, item in results) == [0, 1]
    [(winner, _)] = [r for r in results if r[1] == 1]
    assert _rows(storage, obligation_id) == [(1, 1, "case", SubmissionStatus.submitted, winner)]


def test_an_amendment_from_a_version_no_longer_current_is_refused(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, now: datetime
) -> None:
    a, b = make_person(), make_person()
    with storage.session() as s:
        _new_item(s, obligation_id, a.id, "原稿", now)  # type: ignore[arg-type]

    def amend(person: Person, base: int | None, title: str) -> Submission:
        with storage.session() as s:
            return submissions.file_new_version(
                s, obligation_id=obligation_id, item_no=1, base_version=base, person_id=person.id,  # type: ignore[arg-type]
                kind=SubmissionKind.case, data={"values": {"title": title}}, now=now + timedelta(minutes=5),
            )

    second = amend(a, 1, "甲的修改")
    assert (second.item_no, second.version) == (1, 2)
    with pytest.raises(submissions.ChangedMeanwhile) as stale:
        amend(b, 1, "乙的修改")
    # the current version comes with the refusal, readable after the transaction ended
    current = stale.value.current
    assert current is not None
    assert (current.id, current.item_no, current.version, current.person_id) == (second.id, 1, 2, a.id)
    assert current.data["values"]["title"] == "甲的修改" and current.submitted_at == now + timedelta(minutes=5)
    with pytest.raises(submissions.ChangedMeanwhile):
        amend(b, None, "乙以为是新的")  # started as if the item did not exist
    assert _rows(storage, obligation_id) == [
        (1, 1, "case", SubmissionStatus.superseded, a.id),
        (1, 2, "case", SubmissionStatus.submitted, a.id),
    ]
    third = amend(b, 2, "乙在第 2 版上的修改")
    assert (third.version, third.person_id) == (3, b.id)


def test_two_simultaneous_amendments_of_the_same_version_one_is_refused(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, race_on: Callable[..., list[Any]], now: datetime
) -> None:
    a, b = make_person(), make_person()
    with storage.session() as s:
        _new_item(s, obligation_id, a.id, "原稿", now)  # type: ignore[arg-type]
    people = iter([a.id, b.id])

    def amend(s: Session) -> tuple[int, int | None, int | None]:
        person_id = next(people)
        try:
            filed = submissions.file_new_version(
                s, obligation_id=obligation_id, item_no=1, base_version=1, person_id=person_id,
                kind=SubmissionKind.case, data={"values": {"title": f"by {person_id}"}}, now=now,
            )
            return person_id, filed.version, None
        except submissions.ChangedMeanwhile as e:
            assert e.current is not None
            return person_id, None, e.current.version

    results = race_on(amend, workers=2)
    [(winner, version, _)] = [r for r in results if r[1] is not None]
    [(_, _, seen)] = [r for r in results if r[1] is None]
    assert (version, seen) == (2, 2)
    rows = _rows(storage, obligation_id)
    assert [(item, v, status) for item, v, _, status, _ in rows] == [(1, 1, SubmissionStatus.superseded), (1, 2, SubmissionStatus.submitted)]
    assert rows[1][4] == winner


def test_zero_report_alone_gives_way_to_item_1_and_none_once_items_exist(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, now: datetime
) -> None:
    a = make_person()
    with storage.session() as s:
        zero = submissions.file_zero(s, obligation_id=obligation_id, person_id=a.id, now=now)  # type: ignore[arg-type]
    assert (zero.item_no, zero.version, zero.kind) == (1, 1, SubmissionKind.zero)
    with storage.session() as s:
        assert submissions.next_item_no(s, obligation_id=obligation_id) == 1  # the 零报告 is not an item
        item = _new_item(s, obligation_id, a.id, "后来发现的案例", now + timedelta(hours=1))  # type: ignore[arg-type]
    assert (item.item_no, item.kind) == (1, SubmissionKind.case)  # item 1: it replaces the 零报告
    with storage.session() as s:
        [current] = submissions.current_submissions(s, obligation_id=obligation_id)
        assert (current.id, current.kind) == (item.id, SubmissionKind.case)
        assert submissions.next_item_no(s, obligation_id=obligation_id) == 2
    with pytest.raises(submissions.HasItems), storage.session() as s:
        submissions.file_zero(s, obligation_id=obligation_id, person_id=a.id, now=now + timedelta(hours=2))  # type: ignore[arg-type]
    assert _rows(storage, obligation_id) == [
        (1, 1, "zero", SubmissionStatus.superseded, a.id),
        (1, 2, "case", SubmissionStatus.submitted, a.id),
    ]


def test_zero_report_refused_when_items_were_filed(
    storage: Storage, make_person: Callable[..., Person], obligation_id: int, now: datetime
) -> None:
    a = make_person()
    with storage.session() as s:
        _new_item(s, obligation_id, a.id, "案例", now)  # type: ignore[arg-type]
    with pytest.raises(submissions.HasItems), storage.session() as s:
        submissions.file_zero(s, obligation_id=obligation_id, person_id=a.id, now=now)  # type: ignore[arg-type]
    assert _rows(storage, obligation_id) == [(1, 1, "case", SubmissionStatus.submitted, a.id)]
