"""Bring the campaign of `config.toml` into storage: its units and the people it names.

Coordinators and leaders come two ways: listed in `[people]` of config.toml, or registered
with a campaign-wide invite (/invite → 协调员/领导). The config's list is the truth for the
first kind: someone taken out of it loses the role at the next start (the assignment is
ended, history kept, an audit event `role.end` written). Roles granted by an invite are kept;
they are ended the way they were given, not by editing the config.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from bot.config import Config
from bot.models import Role, RoleAssignment
from bot.storage import Storage, audit, people, roles, units
from bot.storage.units import UnitSpec

log = logging.getLogger(__name__)

REMOVED_FROM_CONFIG = "removed from config"


def sync_campaign(storage: Storage, config: Config, *, now: datetime) -> None:
    """Upsert the configured units (deactivating removed ones, but not imported ones) and the configured
    coordinators and leaders; end the config-given roles of people no longer listed."""
    with storage.session() as s:
        # Units imported from a file (`liaison-bot import-units`) are kept: only config units come and go with config.toml.
        units.upsert_units(
            s, units=[UnitSpec(u.code, u.name, list(u.tags), u.parent) for u in config.units], now=now, keep=units.imported_unit_codes(s)
        )
        for role, ids in ((Role.coordinator, config.people.coordinators), (Role.leader, config.people.leaders)):
            for telegram_user_id in ids:
                person = people.get_or_create_person(s, telegram_user_id=telegram_user_id, now=now)
                assert person.id is not None
                roles.assign_role(s, person_id=person.id, role=role, now=now)
            _end_unlisted(s, role=role, listed=set(ids), now=now)
        _sync_unit_coordinators(s, config, now=now)


def _sync_unit_coordinators(s: Session, config: Config, *, now: datetime) -> None:
    """Coordinators bound to a unit by `[[people.unit_coordinators]]`; one taken out of the list loses the binding."""
    listed: set[tuple[int, int]] = set()
    for entry in config.people.unit_coordinators:
        unit = units.get_unit_by_code(s, code=entry.unit)
        if unit is None or unit.id is None:
            continue
        person = people.get_or_create_person(s, telegram_user_id=entry.telegram_user_id, now=now)
        assert person.id is not None
        roles.assign_role(s, person_id=person.id, role=Role.coordinator, unit_id=unit.id, now=now)
        listed.add((entry.telegram_user_id, unit.id))
    for assignment, person in roles.unit_holders(s, role=Role.coordinator):
        if (person.telegram_user_id, assignment.unit_id) in listed or granted_by_invite(s, assignment):
            continue
        roles.end_assignment(s, assignment=assignment, reason=REMOVED_FROM_CONFIG, now=now)
        audit.audit(
            s, action="role.end", now=now, subject=f"person:{person.id}",
            details={"role": Role.coordinator.value, "unit_id": assignment.unit_id, "assignment_id": assignment.id, "reason": REMOVED_FROM_CONFIG},
        )


def granted_by_invite(s: Session, assignment: RoleAssignment) -> bool:
    """Whether a campaign-wide assignment came from a registration (an invite), not from the config.

    A registration's audit event names the assignment it gave (`assignment_id`); older events
    do not, and then a registration for that role at or after the assignment began counts.
    """
    subject = f"role:{assignment.role.value}"
    if assignment.unit_id is not None:  # a coordinator of one level registers "for" the unit
        unit = units.get_unit(s, unit_id=assignment.unit_id)
        subject = f"unit:{unit.code}" if unit is not None else subject
    events = audit.events_of(s, action="registration.confirm", actor_person_id=assignment.person_id, subject=subject)
    for event in events:
        given = (event.details or {}).get("assignment_id")
        if given == assignment.id or (given is None and event.at >= assignment.started_at):
            return True
    return False


def _end_unlisted(s: Session, *, role: Role, listed: set[int], now: datetime) -> None:
    for assignment, person in roles.campaign_holders(s, role=role):
        if person.telegram_user_id in listed or granted_by_invite(s, assignment):
            continue
        roles.end_assignment(s, assignment=assignment, reason=REMOVED_FROM_CONFIG, now=now)
        audit.audit(
            s, action="role.end", now=now, subject=f"person:{person.id}",
            details={"role": role.value, "telegram_user_id": person.telegram_user_id, "assignment_id": assignment.id, "reason": REMOVED_FROM_CONFIG},
        )
        log.warning("%s %s (Telegram id %s) is no longer in config.toml [people]: role ended", role.value, person.id, person.telegram_user_id)
