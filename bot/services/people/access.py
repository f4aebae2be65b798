"""Who may do what: the one place every command and button asks.

A liaison acts only for their own unit; a coordinator for all; a leader reads; a stranger
may only /start, /help and /lang. A coordinator (or leader) bound to a unit (units in levels:
a 市局's 协调员) sees and acts for that unit's subtree only: `Roles.visible_units`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.context import Services
from bot.models import UNIT_ROLES, Role
from bot.storage import identity
from bot.storage.roles import ROLE_ORDER


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
    WEB = "web"  # a login link to the dashboard (bot.services.dashboard)
    PROBLEMS = "problems"  # 问题清单: list, report rectification, 签收 (liaisons for their units)
    PROBLEM_REGISTER = "problem_register"  # register a problem: coordinators, and liaisons for their own unit
    PROBLEM_ADMIN = "problem_admin"  # register, import, 验收, 退回, 销号 (coordinators, for their subtree)
    SIGN_OFF = "sign_off"  # 单位负责人审核: approve or return the unit's filing
    NOTICES = "notices"  # /notify, /announce, /announcements, /group: coordinators (bot.services.notices)
    RECEIPT = "receipt"  # confirm (回执) an announcement: the liaisons it went to


_EVERYONE = {Action.HELP, Action.LANG, Action.START, Action.CANCEL, Action.REGISTER}
_LIAISON = _EVERYONE | {Action.ME, Action.DUE, Action.SUBMIT, Action.PROBLEMS, Action.PROBLEM_REGISTER, Action.RECEIPT}
_LEADER = _EVERYONE | {Action.ME, Action.OUTSTANDING, Action.STATUS, Action.LIAISONS, Action.PROBLEMS}
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
    # Units a coordinator/leader sees and acts for: None for all (campaign-wide), else the subtrees of their bound units.
    visible_units: frozenset[int] | None = None
    bound_units: list[int] = field(default_factory=list)  # the units their coordinator/leader role is bound to

    def sees(self, unit_id: int) -> bool:
        """Whether a coordinator or leader sees (and a coordinator acts for) this unit."""
        if not (self.is_coordinator or self.is_leader):
            return False
        return self.visible_units is None or unit_id in self.visible_units

    def supervises(self, unit_id: int) -> bool:
        """Whether a coordinator is of a level above this unit (验收 and 销号 are done by the level above)."""
        if not self.is_coordinator:
            return False
        if self.visible_units is None:
            return True
        return unit_id in self.visible_units and unit_id not in self.bound_units

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
        if unit_id is None:
            return True
        if (self.is_coordinator or self.is_leader) and self.sees(unit_id):
            return True
        if action in _LIAISON - _EVERYONE:
            return unit_id in self.units()
        return False


def roles_of(services: Services, telegram_user_id: int) -> Roles:
    """The active roles of a Telegram user, read afresh (an update reads them once: `identity.identity_of`)."""
    with services.storage.reading() as s:
        return roles_from(identity.find(s, telegram_user_id=telegram_user_id))


def roles_from(found: identity.Found) -> Roles:
    """The roles of what `storage.identity.find` found: a role in a deactivated unit gives no rights."""
    if found.person_id is None:
        return Roles()
    out = Roles(person_id=found.person_id, reachable=found.reachable)
    held = sorted(found.roles, key=lambda r: (ROLE_ORDER[r.role], r.unit_id or 0, r.assignment_id))
    liaison_units = sorted({(r.unit_code or "", r.unit_id, r.unit_name or "") for r in held if r.role in UNIT_ROLES and r.unit_active})
    campaign_wide = False
    head_names: list[str] = []
    bound_names: list[str] = []
    for r in held:
        if r.unit_id is not None and not r.unit_active:
            continue  # a deactivated unit: no liaison, head or bound rights there
        if r.role == Role.head:
            if r.unit_id is not None:
                out.head_units.append(r.unit_id)
                head_names.append(r.unit_name or "")
        elif r.role in (Role.coordinator, Role.leader):
            if r.unit_id is None:
                campaign_wide = True
            else:
                out.bound_units.append(r.unit_id)
                bound_names.append(r.unit_name or "")
            out.is_coordinator = out.is_coordinator or r.role == Role.coordinator
            out.is_leader = out.is_leader or r.role == Role.leader
        elif r.role == Role.primary and r.unit_id is not None:
            out.primary_units.append(r.unit_id)
        elif r.role == Role.backup and r.unit_id is not None:
            out.backup_units.append(r.unit_id)
    names = [name for _, _, name in liaison_units]
    out.unit_names = names + [n for n in head_names if n not in set(names)]
    if (out.is_coordinator or out.is_leader) and not campaign_wide:
        out.visible_units = frozenset(found.below_bound)
        out.unit_names = out.unit_names or bound_names
    return out
