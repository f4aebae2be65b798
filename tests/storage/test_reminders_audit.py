"""Reminders are claimed exactly once (also across processes); the audit trail keeps no secrets."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.models import AuditEvent, DueItem, Person, ReminderKind, ReminderSent, ReminderStatus, Unit
from bot.storage import Storage, audit, deliveries, reminders


@pytest.fixture
def target(
    make_unit: Callable[..., Unit], make_person: Callable[..., Person], make_due_item: Callable[..., DueItem]
) -> tuple[DueItem, Unit, Person]:
    unit = make_unit()
    return make_due_item([unit]), unit, make_person()


def test_claim_reminder_once(storage: Storage, target: tuple[DueItem, Unit, Person], now: datetime) -> None:
    item, unit, person = target
    key = "2023-08-13T01:00:00+00:00"
    claim = dict(due_item_id=item.id, unit_id=unit.id, person_id=person.id, moment_key=key, kind=ReminderKind.reminder)
    with storage.session() as s:
        first = reminders.claim_reminder(s, now=now, **claim)  # type: ignore[arg-type]
    with storage.session() as s:
        again = reminders.claim_reminder(s, now=now + timedelta(minutes=1), **claim)  # type: ignore[arg-type]
        other_moment = reminders.claim_reminder(s, now=now, **{**claim, "moment_key": "nudge:1"})  # type: ignore[arg-type]
    assert isinstance(first, int) and again is None and isinstance(other_moment, int)
    with storage.session() as s:
        assert reminders.was_claimed(s, due_item_id=item.id, unit_id=unit.id, person_id=person.id, moment_key=key)  # type: ignore[arg-type]
        reminders.mark_reminder_sent(s, reminder_id=first, message_id=4242, now=now + timedelta(seconds=1))
        reminders.mark_reminder_failed(s, reminder_id=other_moment, error="Forbidden: bot was blocked by the user", unreachable=True, now=now)  # type: ignore[arg-type]
    with storage.session() as s:
        rows = {r.id: r for r in s.exec(select(ReminderSent))}
    assert len(rows) == 2
    sent, blocked = rows[first], rows[other_moment]  # type: ignore[index]
    assert (sent.status, sent.telegram_message_id, sent.sent_at, sent.attempts, sent.created_at) == (
        ReminderStatus.sent, 4242, now + timedelta(seconds=1), 1, now,
    )
    assert blocked.status is ReminderStatus.unreachable and "blocked" in (blocked.last_error or "")


def test_database_refuses_a_doubled_reminder(storage: Storage, target: tuple[DueItem, Unit, Person], now: datetime) -> None:
    item, unit, person = target
    row = dict(due_item_id=item.id, unit_id=unit.id, person_id=person.id, moment_key="m", kind=ReminderKind.overdue, created_at=now)
    with storage.session() as s:
        s.add(ReminderSent(**row))  # type: ignore[arg-type]
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(ReminderSent(**row))  # type: ignore[arg-type]


def test_the_key_is_per_unit_a_liaison_of_two_units_is_claimed_once_for_each(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], make_due_item: Callable[..., DueItem], now: datetime
) -> None:
    first_unit, second_unit = make_unit(), make_unit()
    item, person = make_due_item([first_unit, second_unit]), make_person()
    row = dict(due_item_id=item.id, person_id=person.id, moment_key="m", kind=ReminderKind.reminder, created_at=now)
    with storage.session() as s:
        s.add(ReminderSent(unit_id=first_unit.id, **row))  # type: ignore[arg-type]
    with pytest.raises(IntegrityError), storage.session() as s:  # the same (due item, unit, person, moment)
        s.add(ReminderSent(unit_id=first_unit.id, **row))  # type: ignore[arg-type]
    with storage.session() as s:  # the same person and moment for the other unit
        s.add(ReminderSent(unit_id=second_unit.id, **row))  # type: ignore[arg-type]
    claim = dict(due_item_id=item.id, person_id=person.id, moment_key="n", kind=ReminderKind.reminder, now=now)
    with storage.session() as s:
        claims = [reminders.claim_reminder(s, unit_id=u.id, **claim) for u in (first_unit, second_unit, first_unit, second_unit)]  # type: ignore[arg-type]
        assert reminders.was_claimed(s, due_item_id=item.id, unit_id=second_unit.id, person_id=person.id, moment_key="n")  # type: ignore[arg-type]
        assert reminders.claimed_targets(s, due_item_id=item.id, moment_key="n") == {(first_unit.id, person.id), (second_unit.id, person.id)}  # type: ignore[arg-type]
    assert claims[0] is not None and claims[1] is not None and claims[2:] == [None, None]
    with pytest.raises(ValueError, match="needs its unit"), storage.session() as s:  # a NULL unit would slip past the key
        reminders.claim_reminder(s, unit_id=None, **claim)  # type: ignore[arg-type]
    with storage.session() as s:  # a reminder for one unit does not stand in for the other's snooze
        later = reminders.claim_reminder(s, unit_id=first_unit.id, **{**claim, "moment_key": "later", "now": now + timedelta(minutes=1)})  # type: ignore[arg-type]
        assert later is not None
        since = dict(due_item_id=item.id, person_id=person.id, since=now, exclude_id=-1)
        assert deliveries.reminded_since(s, unit_id=first_unit.id, **since)  # type: ignore[arg-type]
        assert not deliveries.reminded_since(s, unit_id=second_unit.id, **since)  # type: ignore[arg-type]
        assert len(list(s.exec(select(ReminderSent)))) == 5


def test_digest_without_due_item_is_claimed_once(
    storage: Storage, make_person: Callable[..., Person], now: datetime
) -> None:
    coordinator = make_person()
    claim = dict(due_item_id=None, unit_id=None, person_id=coordinator.id, moment_key="digest:2023-08-16", kind=ReminderKind.digest)
    with storage.session() as s:
        first = reminders.claim_reminder(s, now=now, **claim)  # type: ignore[arg-type]
        second = reminders.claim_reminder(s, now=now, **claim)  # type: ignore[arg-type]
    assert first is not None and second is None
    with storage.session() as s:
        assert len(list(s.exec(select(ReminderSent)))) == 1


def test_concurrent_claimers_exactly_one_wins(
    storage: Storage,
    target: tuple[DueItem, Unit, Person],
    race_on: Callable[..., list[int | None]],
    now: datetime,
) -> None:
    item, unit, person = target

    def claim(s: Session) -> int | None:
        return reminders.claim_reminder(
            s, due_item_id=item.id, unit_id=unit.id, person_id=person.id,
            moment_key="2023-08-15T01:00:00+00:00", kind=ReminderKind.reminder, now=now,
        )

    results = race_on(claim, workers=6)
    winners = [r for r in results if r is not None]
    assert len(winners) == 1 and results.count(None) == 5
    with storage.session() as s:
        assert [r.id for r in s.exec(select(ReminderSent))] == winners


def test_failed_reminder_is_retried_by_one_process(
    storage: Storage,
    target: tuple[DueItem, Unit, Person],
    race_on: Callable[..., list[bool]],
    now: datetime,
) -> None:
    item, unit, person = target
    with storage.session() as s:
        rid = reminders.claim_reminder(
            s, due_item_id=item.id, unit_id=unit.id, person_id=person.id, moment_key="m", kind="reminder", now=now  # type: ignore[arg-type]
        )
        assert rid is not None
        reminders.mark_reminder_failed(s, reminder_id=rid, error="429 retry after 3", unreachable=False, now=now)
    with storage.session() as s:
        due_again = reminders.retryable_reminders(s, claimed_before=now, max_attempts=3)
        assert [(r.id, r.attempts, r.status) for r in due_again] == [(rid, 1, ReminderStatus.failed)]
    results = race_on(lambda s: reminders.reclaim_reminder(s, reminder_id=rid, seen_attempts=1), workers=3)
    assert sorted(results) == [False, False, True]
    with storage.session() as s:
        stored = reminders.get_reminder(s, reminder_id=rid)
        assert stored is not None and (stored.status, stored.attempts) == (ReminderStatus.pending, 2)
        # A pending claim is only retried once it is old enough (its sender died).
        assert reminders.retryable_reminders(s, claimed_before=now, max_attempts=3) == []
        assert [r.id for r in reminders.retryable_reminders(s, claimed_before=now + timedelta(minutes=10), max_attempts=3)] == [rid]
        assert reminders.retryable_reminders(s, claimed_before=now + timedelta(minutes=10), max_attempts=2) == []


def test_audit_redacts_secrets(storage: Storage, make_person: Callable[..., Person], now: datetime) -> None:
    actor = make_person()
    with storage.session() as s:
        audit.audit(
            s, action="invite.create", actor_person_id=actor.id, subject="unit:jc1", now=now,
            details={"token": "abc123", "unit": "jc1", "nested": {"bot_token": "x"}, "items": [{"password": "p"}]},
        )
        audit.audit(s, action="unit.sync", now=now + timedelta(seconds=1))
    with storage.session() as s:
        events = audit.recent_events(s)
        assert [e.action for e in events] == ["unit.sync", "invite.create"]
        assert events[1].details == {
            "token": "[redacted]", "unit": "jc1", "nested": {"bot_token": "[redacted]"}, "items": [{"password": "[redacted]"}],
        }
        assert [e.action for e in audit.recent_events(s, actor_person_id=actor.id)] == ["invite.create"]
        raw = " ".join(str(e.details) for e in s.exec(select(AuditEvent)))
    assert "abc123" not in raw
