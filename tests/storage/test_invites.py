"""Invites: stored as hashes, used once, even by two people at the same moment."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.models import Invite, Person, Role, Unit
from bot.storage import Storage, invites
from bot.storage.invites import InviteStatus


def test_invite_stores_only_the_hash(
    storage: Storage, make_unit: Callable[..., Unit], make_invite: Callable[..., tuple[str, Invite]]
) -> None:
    token, invite = make_invite(make_unit())
    with storage.session() as s:
        rows = s.connection().execute(text("SELECT * FROM invite")).mappings().all()
    assert len(rows) == 1
    assert rows[0]["token_hash"] == invites.hash_token(token) != token
    assert token not in " ".join(str(v) for v in rows[0].values())


def test_create_invite_refuses_a_raw_token(storage: Storage, make_unit: Callable[..., Unit], now: datetime) -> None:
    unit = make_unit()
    with pytest.raises(ValueError, match="SHA-256"), storage.session() as s:
        invites.create_invite(
            s, token_hash=invites.new_token(), role=Role.primary, unit_id=unit.id, now=now, expires_at=now + timedelta(days=1)
        )


def test_token_hash_is_unique(storage: Storage, make_unit: Callable[..., Unit], now: datetime) -> None:
    unit = make_unit()
    token_hash = invites.hash_token("same")
    with storage.session() as s:
        invites.create_invite(s, token_hash=token_hash, role=Role.primary, unit_id=unit.id, now=now, expires_at=now + timedelta(days=1))
    with pytest.raises(IntegrityError), storage.session() as s:
        invites.create_invite(s, token_hash=token_hash, role=Role.backup, unit_id=unit.id, now=now, expires_at=now + timedelta(days=1))


def test_invite_is_used_once(
    storage: Storage,
    make_unit: Callable[..., Unit],
    make_person: Callable[..., Person],
    make_invite: Callable[..., tuple[str, Invite]],
    now: datetime,
) -> None:
    token, invite = make_invite(make_unit())
    alice, bob = make_person(), make_person()
    with storage.session() as s:
        first = invites.consume_invite(s, token_hash=invites.hash_token(token), person_id=alice.id, now=now)
    assert first.status is InviteStatus.ok and first.invite is not None and first.invite.id == invite.id
    with storage.session() as s:
        second = invites.consume_invite(s, token_hash=invites.hash_token(token), person_id=bob.id, now=now)
    assert second.status is InviteStatus.used
    with storage.session() as s:
        stored = invites.get_invite_by_hash(s, token_hash=invites.hash_token(token))
        assert stored is not None and stored.used_by_person_id == alice.id and stored.used_at == now
        assert invites.open_invites(s, now=now) == []


def test_expired_revoked_and_unknown_invites(
    storage: Storage,
    make_unit: Callable[..., Unit],
    make_person: Callable[..., Person],
    make_invite: Callable[..., tuple[str, Invite]],
    now: datetime,
) -> None:
    unit, person = make_unit(), make_person()
    expiring, expiring_invite = make_invite(unit, expires_in=timedelta(hours=1))
    revoked, revoked_invite = make_invite(unit)
    _, open_invite = make_invite(unit, role=Role.backup)
    with storage.session() as s:
        assert invites.revoke_invite(s, invite_id=revoked_invite.id) is True  # type: ignore[arg-type]
        assert invites.revoke_invite(s, invite_id=revoked_invite.id) is False  # type: ignore[arg-type]
        assert [i.id for i in invites.open_invites(s, now=now, unit_id=unit.id)] == [open_invite.id, expiring_invite.id]
    later = now + timedelta(hours=1)  # exactly at expiry: no longer valid
    with storage.session() as s:
        results = {
            name: invites.consume_invite(s, token_hash=invites.hash_token(tok), person_id=person.id, now=later).status
            for name, tok in [("expiring", expiring), ("revoked", revoked), ("unknown", "nope")]
        }
    assert results == {"expiring": InviteStatus.expired, "revoked": InviteStatus.revoked, "unknown": InviteStatus.unknown}
    with storage.session() as s:
        assert [i.id for i in invites.open_invites(s, now=later)] == [open_invite.id]


def test_two_simultaneous_consumers_exactly_one_wins(
    db_url: str,
    storage: Storage,
    make_unit: Callable[..., Unit],
    make_person: Callable[..., Person],
    make_invite: Callable[..., tuple[str, Invite]],
    race_on: Callable[..., list[tuple[int, InviteStatus]]],
    now: datetime,
) -> None:
    token, _ = make_invite(make_unit())
    candidates = iter([make_person().id for _ in range(4)])

    def consume(s: Session) -> tuple[int, InviteStatus]:
        person_id = next(candidates)
        return person_id, invites.consume_invite(
            s, token_hash=invites.hash_token(token), person_id=person_id, now=now
        ).status

    results = race_on(consume, workers=4)
    winners = [pid for pid, status in results if status is InviteStatus.ok]
    assert len(winners) == 1
    assert sorted(status for _, status in results) == sorted([InviteStatus.ok] + [InviteStatus.used] * 3)
    with storage.session() as s:
        stored = invites.get_invite_by_hash(s, token_hash=invites.hash_token(token))
        assert stored is not None and stored.used_by_person_id == winners[0]
