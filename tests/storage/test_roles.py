"""Roles: primary replacement keeps history, backups, coordinators."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.models import Person, Role, RoleAssignment, Unit
from bot.storage import Storage, roles


def test_new_primary_replaces_old_and_keeps_history(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], now: datetime
) -> None:
    unit = make_unit()
    old, new = make_person(name="旧"), make_person(name="新")
    with storage.session() as s:
        first = roles.assign_role(s, person_id=old.id, role=Role.primary, unit_id=unit.id, now=now)
    assert first.created and first.replaced == []
    later = now + timedelta(days=30)
    with storage.session() as s:
        change = roles.assign_role(s, person_id=new.id, role=Role.primary, unit_id=unit.id, now=later)
    assert [p.id for p in change.replaced] == [old.id]
    with storage.session() as s:
        history = roles.role_history(s, unit_id=unit.id)
        assert [(a.person_id, a.role, a.started_at, a.ended_at, a.ended_reason) for a in history] == [
            (old.id, Role.primary, now, later, "replaced"),
            (new.id, Role.primary, later, None, None),
        ]
        assert [(x.role, x.person.id) for x in roles.liaisons_of_unit(s, unit_id=unit.id)] == [
            (Role.primary, new.id)
        ]
        assert roles.roles_of(s, person_id=old.id) == []


def test_assigning_the_same_role_again_changes_nothing(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], now: datetime
) -> None:
    unit, person = make_unit(), make_person()
    with storage.session() as s:
        roles.assign_role(s, person_id=person.id, role=Role.primary, unit_id=unit.id, now=now)
        again = roles.assign_role(
            s, person_id=person.id, role=Role.primary, unit_id=unit.id, now=now + timedelta(hours=1)
        )
    assert again.created is False and again.replaced == []
    with storage.session() as s:
        assert len(list(s.exec(select(RoleAssignment)))) == 1


def test_backups_and_liaisons_of_unit(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], now: datetime
) -> None:
    unit, other = make_unit(code="a-unit"), make_unit(code="b-unit")
    a, b, c = make_person(), make_person(), make_person()
    with storage.session() as s:
        roles.assign_role(s, person_id=b.id, role=Role.backup, unit_id=unit.id, now=now)
        roles.assign_role(s, person_id=a.id, role=Role.primary, unit_id=unit.id, now=now + timedelta(minutes=1))
        roles.assign_role(s, person_id=c.id, role=Role.backup, unit_id=unit.id, now=now + timedelta(minutes=2))
        roles.assign_role(s, person_id=a.id, role=Role.backup, unit_id=other.id, now=now)
    with storage.session() as s:
        assert [(x.role, x.person.id) for x in roles.liaisons_of_unit(s, unit_id=unit.id)] == [
            (Role.primary, a.id),
            (Role.backup, b.id),
            (Role.backup, c.id),
        ]
        assert [u.code for u in roles.units_of(s, person_id=a.id)] == ["a-unit", "b-unit"]
        assert [p.id for p in roles.people_with_role(s, role=Role.backup, unit_id=unit.id)] == [b.id, c.id]
    # A backup promoted to primary stops being a backup there.
    with storage.session() as s:
        change = roles.assign_role(s, person_id=b.id, role=Role.primary, unit_id=unit.id, now=now + timedelta(days=1))
    assert [p.id for p in change.replaced] == [a.id]
    with storage.session() as s:
        assert [(x.role, x.person.id) for x in roles.liaisons_of_unit(s, unit_id=unit.id)] == [
            (Role.primary, b.id),
            (Role.backup, c.id),
        ]
        assert [r.role for r in roles.roles_of(s, person_id=b.id)] == [Role.primary]


def test_coordinators_and_leaders_are_campaign_wide(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], now: datetime
) -> None:
    unit, coordinator, leader = make_unit(), make_person(), make_person()
    with storage.session() as s:
        roles.assign_role(s, person_id=coordinator.id, role=Role.coordinator, now=now)
        roles.assign_role(s, person_id=leader.id, role=Role.leader, now=now)
        roles.assign_role(s, person_id=coordinator.id, role=Role.backup, unit_id=unit.id, now=now)
    with storage.session() as s:
        assert [p.id for p in roles.people_with_role(s, role=Role.coordinator)] == [coordinator.id]
        assert [p.id for p in roles.people_with_role(s, role=Role.leader)] == [leader.id]
        assert [r.role for r in roles.roles_of(s, person_id=coordinator.id)] == [Role.backup, Role.coordinator]
        assert roles.end_role(s, person_id=leader.id, role=Role.leader, now=now, reason="left") == 1
    with storage.session() as s:
        assert roles.people_with_role(s, role=Role.leader) == []
    with pytest.raises(ValueError, match="needs a unit"), storage.session() as s:
        roles.assign_role(s, person_id=leader.id, role=Role.primary, now=now)
    with storage.session() as s:  # a leader (or coordinator) bound to a unit: one level's
        bound = roles.assign_role(s, person_id=leader.id, role=Role.leader, unit_id=unit.id, now=now)
        assert bound.created and bound.assignment.unit_id == unit.id
        assert [(a.role, a.unit_id) for a, _ in roles.unit_holders(s, role=Role.leader)] == [(Role.leader, unit.id)]


def test_database_refuses_two_active_primaries(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], now: datetime
) -> None:
    unit, a, b = make_unit(), make_person(), make_person()
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(RoleAssignment(person_id=a.id, unit_id=unit.id, role=Role.primary, started_at=now))
        s.add(RoleAssignment(person_id=b.id, unit_id=unit.id, role=Role.primary, started_at=now))
        s.flush()
    with storage.session() as s:  # ended primaries do not count
        s.add(RoleAssignment(person_id=a.id, unit_id=unit.id, role=Role.primary, started_at=now, ended_at=now))
        s.add(RoleAssignment(person_id=b.id, unit_id=unit.id, role=Role.primary, started_at=now))
    with storage.session() as s:
        assert len(list(s.exec(select(RoleAssignment)))) == 2
