"""Who may do what: the one place every command and button asks.

A liaison acts only for their own unit; a coordinator for all; a leader reads; a stranger
may only /start, /help and /lang.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.context import Services
from bot.models import Role
from bot.storage import people, roles, units


class Action(StrEnum):
    """Everything a user can ask of the bot that needs a role."""

    HELP = "help"
    LANG = "lang"
    START = "start"
    CANCEL = "cancel"  # leave one's own conversation (a stranger may be mid-registration)
    REGISTER = "register"  # opening an invite
    ME = "me"
    DUE = "due"
    SUBMIT = "submit"
    OUTSTANDING = "outstanding"
    STATUS = "status"
    REMIND = "remind"
    REVIEW = "review"
    INVITE = "invite"
    LIAISONS = "liaisons"
    DEADLINE = "deadline"
    EXPORT = "export"
    SIGN_OFF = "sign_off"  # 单位负责人审核: approve or return the unit's filing


_EVERYONE = {Action.HELP, Action.LANG, Action.START, Action.CANCEL, Action.REGISTER}
_LIAISON = _EVERYONE | {Action.ME, Action.DUE, Action.SUBMIT}
_LEADER = _EVERYONE | {Action.ME, Action.OUTSTANDING, Action.STATUS, Action.LIAISONS}
_COORDINATOR = set(Action)


@dataclass
class Roles:
    """A user's active roles."""

    person_id: int | None = None
    primary_units: list[int] = field(default_factory=list)
    backup_units: list[int] = field(default_factory=list)
    head_units: list[int] = field(default_factory=list)  # units the user is the head (单位负责人) of
    unit_names: list[str] = field(default_factory=list)
    is_coordinator: bool = False
    is_leader: bool = False
    reachable: bool = True

    @property
    def is_liaison(self) -> bool:
        """Primary or backup liaison of some unit."""
        return bool(self.primary_units or self.backup_units)

    @property
    def is_registered(self) -> bool:
        """Holds any role."""
        return self.is_liaison or self.is_coordinator or self.is_leader or bool(self.head_units)

    @property
    def main_role(self) -> str:
        """The role to name when greeting."""
        if self.is_coordinator:
            return Role.coordinator.value
        if self.primary_units:
            return Role.primary.value
        if self.backup_units:
            return Role.backup.value
        if self.head_units and not self.is_leader:
            return Role.head.value
        return Role.leader.value

    def describe_units(self) -> str:
        """The user's units, for a greeting."""
        return "、".join(self.unit_names) or "—"

    def units(self) -> list[int]:
        """Units the user acts for as a liaison."""
        return self.primary_units + [u for u in self.backup_units if u not in self.primary_units]

    def may(self, action: Action, *, unit_id: int | None = None) -> bool:
        """Whether the user may do `action` (for `unit_id`, when it concerns one unit)."""
        allowed = _EVERYONE
        if self.is_liaison:
            allowed = allowed | _LIAISON
        if self.is_leader:
            allowed = allowed | _LEADER
        if self.is_coordinator:
            allowed = _COORDINATOR
        if action is Action.SIGN_OFF and not self.is_coordinator:
            return bool(self.head_units) and (unit_id is None or unit_id in self.head_units)
        if self.head_units:
            allowed = allowed | {Action.ME}
        if action not in allowed:
            return False
        if unit_id is not None and not self.is_coordinator and action in _LIAISON - _EVERYONE:
            return unit_id in self.units()
        return True


def roles_of(services: Services, telegram_user_id: int) -> Roles:
    """The active roles of a Telegram user."""
    with services.storage.session() as s:
        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if person is None or person.id is None:
            return Roles()
        out = Roles(person_id=person.id, reachable=person.reachable)
        active_units = roles.units_of(s, person_id=person.id)  # a deactivated unit gives no liaison rights
        active_ids = {u.id for u in active_units}
        head_names: list[str] = []
        for assignment in roles.roles_of(s, person_id=person.id):
            if assignment.role == Role.head and assignment.unit_id is not None:
                unit = units.get_unit(s, unit_id=assignment.unit_id)
                if unit is not None and unit.active:
                    out.head_units.append(assignment.unit_id)
                    head_names.append(unit.name)
                continue
            if assignment.unit_id is not None and assignment.unit_id not in active_ids:
                continue
            if assignment.role == Role.coordinator:
                out.is_coordinator = True
            elif assignment.role == Role.leader:
                out.is_leader = True
            elif assignment.role == Role.primary and assignment.unit_id is not None:
                out.primary_units.append(assignment.unit_id)
            elif assignment.role == Role.backup and assignment.unit_id is not None:
                out.backup_units.append(assignment.unit_id)
        out.unit_names = [u.name for u in active_units] + [n for n in head_names if n not in {u.name for u in active_units}]
        return out
