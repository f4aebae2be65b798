"""Registration (登记): an invite opens a conversation asking the 附件10 fields, then binds the person to the unit.

The invite is consumed when it is opened (/start <token>), binding it to that person, so a
forwarded link cannot be used by a second person; the unit and role wait in the draft
(flow "registration") until the person confirms the summary. Every step is saved in the
draft, so a restart in the middle loses nothing.

A summary can be confirmed long after it was shown, so confirming checks again what opening
checked: the invite must still be valid (not expired, not revoked) and the unit still active;
and a primary liaison registration whose unit got another primary meanwhile (someone else
registered with a newer invite) is not confirmed: it would silently replace that person.
Such a registration ends with the reason (`Refused`); the person asks for a new invite.

`/me` edits use a second flow, "profile": one field at a time, saved at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import UNIT_ROLES, PROFILE_FIELDS, Invite, Person, Role
from bot.services.people import validation
from bot.services.people.invites import looks_like_token
from bot.storage import audit, drafts, due, invites, people, roles, units
from bot.storage.invites import InviteStatus

FLOW = "registration"
PROFILE_FLOW = "profile"
ASK = "ask"
CONFIRM = "confirm"


@dataclass
class Step:
    """Where a registration stands: asking `field`, or showing the summary (`field` None)."""

    person_id: int
    version: int
    field: str | None
    answers: dict[str, str]
    unit_name: str | None
    role: Role


@dataclass
class Opened:
    """Result of opening an invite link."""

    status: InviteStatus
    step: Step | None = None
    resumed: bool = False


@dataclass
class Registered:
    """A confirmed registration: who, for what, and whom they replaced."""

    person: Person
    role: Role
    unit_id: int | None
    unit_name: str | None
    replaced: list[Person] = field(default_factory=list)


@dataclass
class Refused:
    """A registration that can no longer be confirmed, and why: `reason` is one of REFUSALS."""

    reason: str
    role: Role
    unit_name: str | None
    expires_at: datetime | None = None


# Why a confirmation is refused (text keys `registration.refused.<reason>`).
REFUSALS = ("expired", "revoked", "unit-gone", "primary-changed")


def _step(person_id: int, data: dict[str, Any]) -> Step:
    return Step(
        person_id=person_id,
        version=int(data["v"]),
        field=data.get("field"),
        answers=dict(data.get("answers") or {}),
        unit_name=data.get("unit_name"),
        role=Role(data["role"]),
    )


def _next_field(answers: dict[str, str]) -> str | None:
    return next((f for f in validation.FIELDS if not answers.get(f)), None)


def open_invite(
    services: Services,
    *,
    token: str,
    telegram_user_id: int,
    now: datetime,
    chat_id: int | None = None,
    first_name: str | None = None,
    username: str | None = None,
) -> Opened:
    """Use the invite behind `token` for this user and begin (or resume) their registration."""
    with services.storage.session() as s:
        person = people.get_or_create_person(
            s, telegram_user_id=telegram_user_id, chat_id=chat_id, first_name=first_name, username=username, now=now
        )
        assert person.id is not None
        if not looks_like_token(token):
            audit.audit(s, action="invite.refused", now=now, actor_person_id=person.id, details={"status": "unknown"})
            return Opened(InviteStatus.unknown)
        token_hash = invites.hash_token(token)
        # The same person opening their own link again resumes where they were.
        existing = invites.get_invite_by_hash(s, token_hash=token_hash)
        draft = drafts.get_draft(s, person_id=person.id, flow=FLOW)
        if existing is not None and existing.used_by_person_id == person.id and draft is not None and draft.data.get("invite_id") == existing.id:
            lapsed = InviteStatus.revoked if existing.revoked else InviteStatus.expired if existing.expires_at <= now else None
            if lapsed is not None:  # it could not be confirmed any more: end it now rather than after every question
                drafts.delete_draft(s, person_id=person.id, flow=FLOW)
                audit.audit(
                    s, action="invite.refused", now=now, actor_person_id=person.id, subject=f"invite:{existing.id}",
                    details={"status": lapsed.value, "resumed": True},
                )
                return Opened(lapsed)
            drafts.save_draft(s, person_id=person.id, flow=FLOW, state=draft.state, data=draft.data, now=now)  # current again
            return Opened(InviteStatus.ok, _step(person.id, draft.data), resumed=True)
        use = invites.consume_invite(s, token_hash=token_hash, person_id=person.id, now=now)
        if not use.ok or use.invite is None:
            audit.audit(
                s, action="invite.refused", now=now, actor_person_id=person.id,
                subject=f"invite:{use.invite.id}" if use.invite else None, details={"status": use.status.value},
            )
            return Opened(use.status)
        invite = use.invite
        unit = units.get_unit(s, unit_id=invite.unit_id) if invite.unit_id is not None else None
        # Someone already known (e.g. registering for a second unit) keeps what they typed before.
        answers = {f: getattr(person, f) for f in PROFILE_FIELDS if getattr(person, f)}
        nxt = _next_field(answers)
        data = {
            "invite_id": invite.id,
            "unit_id": invite.unit_id,
            "unit_name": unit.name if unit else None,
            "role": invite.role.value,
            "v": 1,
            "field": nxt,
            "answers": answers,
            # whom a primary registration would replace, as of now: checked again at confirmation
            "primary_was": _primary_assignment_id(s, invite.unit_id) if invite.role is Role.primary else None,
        }
        drafts.save_draft(s, person_id=person.id, flow=FLOW, state=ASK if nxt else CONFIRM, data=data, now=now)
        audit.audit(
            s, action="invite.use", now=now, actor_person_id=person.id, subject=f"invite:{invite.id}",
            details={"unit": unit.code if unit else None, "role": invite.role.value},
        )
        return Opened(InviteStatus.ok, _step(person.id, data))


def answer(services: Services, *, person_id: int, text: str, now: datetime) -> tuple[Step | None, str | None]:
    """Take the answer to the current question: (the next step, None) or (the same step, error text key)."""
    with services.storage.session() as s:
        draft = drafts.get_draft(s, person_id=person_id, flow=FLOW)
        if draft is None:
            return None, None
        data = dict(draft.data)
        current = data.get("field")
        if draft.state != ASK or current is None:
            return _step(person_id, data), "registration.use-buttons"
        try:
            value = validation.check(current, text)
        except validation.Invalid as e:
            return _step(person_id, data), e.key
        answers = dict(data.get("answers") or {})
        answers[current] = value
        nxt = None if data.get("editing") else _next_field(answers)
        data.update(answers=answers, field=nxt, v=int(data["v"]) + 1, editing=False)
        drafts.save_draft(s, person_id=person_id, flow=FLOW, state=ASK if nxt else CONFIRM, data=data, now=now)
        return _step(person_id, data), None


def edit(services: Services, *, person_id: int, version: int, field_name: str, now: datetime) -> Step | None:
    """Ask `field_name` again from the summary; None if the button is stale (old version, finished flow)."""
    if field_name not in validation.FIELDS:
        return None
    with services.storage.session() as s:
        draft = drafts.get_draft(s, person_id=person_id, flow=FLOW)
        if draft is None or draft.state != CONFIRM or int(draft.data.get("v", 0)) != version:
            return None
        data = dict(draft.data)
        data.update(field=field_name, v=version + 1, editing=True)
        drafts.save_draft(s, person_id=person_id, flow=FLOW, state=ASK, data=data, now=now)
        return _step(person_id, data)


def current_step(services: Services, *, person_id: int) -> Step | None:
    """The registration in progress, if any."""
    with services.storage.session() as s:
        draft = drafts.get_draft(s, person_id=person_id, flow=FLOW)
        return None if draft is None else _step(person_id, draft.data)


def _primary_assignment_id(s: Any, unit_id: int | None) -> int | None:
    """The id of the unit's active primary liaison assignment, if it has one."""
    if unit_id is None:
        return None
    current = [x for x in roles.liaisons_of_unit(s, unit_id=unit_id) if x.role is Role.primary]
    return current[0].assignment.id if current else None


def _refusal(s: Any, *, person_id: int, data: dict[str, Any], now: datetime) -> tuple[str, Invite | None] | None:
    """Why the registration in `data` can no longer be confirmed now (a REFUSALS reason), or None."""
    invite = s.get(Invite, data["invite_id"]) if data.get("invite_id") is not None else None
    if invite is None or invite.revoked:
        return "revoked", invite
    if invite.expires_at <= now:
        return "expired", invite
    unit_id = data.get("unit_id")
    if unit_id is None:
        return None
    unit = units.get_unit(s, unit_id=unit_id)
    if unit is None or not unit.active:
        return "unit-gone", invite
    if Role(data["role"]) is not Role.primary:
        return None
    current = next((x for x in roles.liaisons_of_unit(s, unit_id=unit_id) if x.role is Role.primary), None)
    if current is None or current.person.id == person_id:
        return None
    if "primary_was" in data:
        changed = current.assignment.id != data["primary_was"]
    else:  # a registration begun before the primary was recorded in the draft: compare times
        changed = invite.used_at is None or current.assignment.started_at > invite.used_at
    return ("primary-changed", invite) if changed else None


def confirm(services: Services, *, person_id: int, version: int, now: datetime) -> Registered | Refused | None:
    """Save the profile, assign the role, record it; None if the summary button is stale.

    `Refused` (and the registration ended) if the invite expired or was revoked meanwhile, the
    unit is gone, or the unit got another primary liaison since this registration began.
    """
    with services.storage.session() as s:
        draft = drafts.get_draft(s, person_id=person_id, flow=FLOW)
        if draft is None or draft.state != CONFIRM or int(draft.data.get("v", 0)) != version:
            return None
        data = dict(draft.data)
        role = Role(data["role"])
        unit_id = data.get("unit_id")
        unit = units.get_unit(s, unit_id=unit_id) if unit_id is not None else None
        refusal = _refusal(s, person_id=person_id, data=data, now=now)
        if refusal is not None:
            reason, invite = refusal
            drafts.delete_draft(s, person_id=person_id, flow=FLOW)
            audit.audit(
                s, action="registration.refused", now=now, actor_person_id=person_id,
                subject=f"unit:{unit.code}" if unit else f"role:{role.value}",
                details={"role": role.value, "invite_id": data.get("invite_id"), "reason": reason},
            )
            return Refused(
                reason=reason, role=role, unit_name=unit.name if unit else data.get("unit_name"),
                expires_at=invite.expires_at if invite is not None else None,
            )
        person = people.set_profile(s, person_id=person_id, profile=data["answers"], now=now)
        change = roles.assign_role(s, person_id=person_id, role=role, unit_id=unit_id, now=now)
        completed = _complete_liaison_form(services, s, unit_id=unit_id, now=now) if unit_id is not None and role in UNIT_ROLES else []
        drafts.delete_draft(s, person_id=person_id, flow=FLOW)
        audit.audit(
            s, action="registration.confirm", now=now, actor_person_id=person_id,
            subject=f"unit:{unit.code}" if unit else f"role:{role.value}",
            details={
                "role": role.value, "invite_id": data.get("invite_id"), "assignment_id": change.assignment.id,
                "replaced_person_ids": [p.id for p in change.replaced], "completed_obligation_ids": completed,
            },
        )
        return Registered(
            person=person, role=role, unit_id=unit_id, unit_name=unit.name if unit else None, replaced=change.replaced
        )


def _complete_liaison_form(services: Services, s: Any, *, unit_id: int, now: datetime) -> list[int]:
    """Registering is filing the 联络员信息表 (附件10): the unit's open obligations of liaison-kind reports are done."""
    from bot.config import TemplateKind

    keys = {r.key for r in services.config.report_types if r.template == TemplateKind.LIAISON}
    done = []
    for view in due.open_obligations(s, unit_id=unit_id):
        if view.due_item.report_key in keys and view.obligation.id is not None:
            due.mark_obligation_done(s, obligation_id=view.obligation.id, now=now)
            done.append(view.obligation.id)
    return done


# --- /me ---------------------------------------------------------------------------------------


@dataclass
class Record:
    """A person's own record for /me: the profile and the roles they hold."""

    person: Person
    roles: list[tuple[Role, str | None]]


def record_of(services: Services, *, telegram_user_id: int) -> Record | None:
    """The user's profile and active roles (with unit names)."""
    with services.storage.session() as s:
        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if person is None or person.id is None:
            return None
        held = []
        for a in roles.roles_of(s, person_id=person.id):
            unit = units.get_unit(s, unit_id=a.unit_id) if a.unit_id is not None else None
            held.append((a.role, unit.name if unit else None))
        return Record(person=person, roles=held)


def begin_profile_edit(services: Services, *, person_id: int, field_name: str, now: datetime) -> bool:
    """Start editing one field of one's own record (/me); False for an unknown field."""
    if field_name not in validation.FIELDS:
        return False
    services.storage.drafts.save_draft(person_id=person_id, flow=PROFILE_FLOW, state=field_name, data={"field": field_name}, now=now)
    return True


def save_profile_edit(services: Services, *, person_id: int, text: str, now: datetime) -> tuple[str, str | None]:
    """Check and save the answer to a /me edit: (field, None) when saved, (field, error text key) otherwise."""
    with services.storage.session() as s:
        draft = drafts.get_draft(s, person_id=person_id, flow=PROFILE_FLOW)
        if draft is None:
            return "", "registration.use-buttons"
        field_name = draft.state
        try:
            value = validation.check(field_name, text)
        except validation.Invalid as e:
            return field_name, e.key
        people.set_profile(s, person_id=person_id, profile={field_name: value}, now=now)
        drafts.delete_draft(s, person_id=person_id, flow=PROFILE_FLOW)
        audit.audit(s, action="profile.edit", now=now, actor_person_id=person_id, details={"field": field_name})
        return field_name, None
