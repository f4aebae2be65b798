"""Taking back access: a backup liaison (B角) removed from a unit, an unused invite revoked.

Both in chat (/backups, /invites: a coordinator, within their subtree if bound to a unit) and on
the command line (`liaison-bot remove-backup`, `liaison-bot invite revoke`). Each is audited
(`role.end`, `invite.revoke`) with who did it; the role's history is kept (ended, not deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.models import Invite, Person, Role, RoleAssignment, Unit, id_of
from bot.storage import audit, invites, roles, units

REASON = "removed by a coordinator"


@dataclass(frozen=True)
class Backup:
    """An active backup liaison of a unit."""

    assignment: RoleAssignment
    person: Person
    unit: Unit


@dataclass(frozen=True)
class OpenInvite:
    """An invite still usable: not used, not revoked, not expired."""

    invite: Invite
    unit: Unit | None


def _sees(scope: frozenset[int] | None, unit_id: int | None) -> bool:
    return scope is None or (unit_id is not None and unit_id in scope)


def backups(services: Services, *, scope: frozenset[int] | None, unit_code: str | None = None) -> list[Backup]:
    """The active backup liaisons within `scope` (None: all), by unit code; of one unit if `unit_code` is given."""
    out: list[Backup] = []
    with services.storage.session() as s:
        for unit in units.list_units(s):
            if not _sees(scope, unit.id) or unit_code is not None and unit.code != unit_code:
                continue
            out += [Backup(h.assignment, h.person, unit) for h in roles.liaisons_of_unit(s, unit_id=id_of(unit)) if h.role == Role.backup]
    return out


def remove_backup(services: Services, *, assignment_id: int, scope: frozenset[int] | None, actor_person_id: int | None, now: datetime) -> Backup | None:
    """End one backup assignment (if still active and within scope); what was removed, or None."""
    with services.storage.session() as s:
        assignment = s.get(RoleAssignment, assignment_id)
        if assignment is None or assignment.role != Role.backup or assignment.ended_at is not None or not _sees(scope, assignment.unit_id):
            return None
        person = s.get(Person, assignment.person_id)
        unit = units.get_unit(s, unit_id=assignment.unit_id) if assignment.unit_id is not None else None
        if person is None or unit is None:
            return None
        roles.end_assignment(s, assignment=assignment, reason=REASON, now=now)
        audit.audit(s, action="role.end", now=now, actor_person_id=actor_person_id, subject=f"person:{person.id}",
                    details={"role": Role.backup.value, "unit": unit.code, "reason": REASON})
        return Backup(assignment, person, unit)


def open_invites(services: Services, *, scope: frozenset[int] | None, now: datetime) -> list[OpenInvite]:
    """Invites still usable within `scope` (a bound coordinator sees those of their subtree only), newest first."""
    with services.storage.session() as s:
        found = invites.open_invites(s, now=now)
        return [OpenInvite(i, units.get_unit(s, unit_id=i.unit_id) if i.unit_id else None) for i in found if _sees(scope, i.unit_id)]


def revoke(services: Services, *, invite_id: int, scope: frozenset[int] | None, actor_person_id: int | None, now: datetime) -> OpenInvite | None:
    """Revoke an unused invite (within scope); what was revoked, or None if it was used, revoked, or not theirs to revoke."""
    with services.storage.session() as s:
        invite = s.get(Invite, invite_id)
        if invite is None or not _sees(scope, invite.unit_id) or not invites.revoke_invite(s, invite_id=invite_id):
            return None
        unit = units.get_unit(s, unit_id=invite.unit_id) if invite.unit_id else None
        audit.audit(s, action="invite.revoke", now=now, actor_person_id=actor_person_id, subject=f"invite:{invite_id}",
                    details={"role": invite.role.value, "unit": unit.code if unit else None})
        return OpenInvite(invite, unit)
