"""The chat side of `removal`: /backups (remove a B角) and /invites (revoke an unused invite), each
a list, a confirmation and the outcome; the removed person is told privately."""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.models import id_of
from bot.replies import Btn, Reply
from bot.services.people import removal
from bot.services.people.access import Roles
from bot.texts.catalog import t

BACKUP = "rmb"
INVITE = "rvk"
SHOWN = 20  # buttons on one list; the CLI lists them all


def backups(services: Services, who: Roles, *, language: str) -> list[Reply]:
    found = removal.backups(services, scope=who.visible_units)
    if not found:
        return [Reply(t(language, "removal.no-backups"))]
    rows = [[Btn(t(language, "removal.backup-button", name=_name(b.person), unit=b.unit.name), BACKUP, ("a", id_of(b.assignment)))] for b in found[:SHOWN]]
    more = t(language, "removal.more", count=len(found) - SHOWN) if len(found) > SHOWN else ""
    return [Reply(t(language, "removal.backups-title", count=len(found)) + more, rows)]


def _name(person: object) -> str:
    return getattr(person, "name", None) or getattr(person, "first_name", None) or str(getattr(person, "telegram_user_id", ""))


def press_backup(services: Services, who: Roles, args: tuple[str, ...], *, language: str, now: datetime) -> list[Reply]:
    stale = [Reply("", alert=t(language, "error.stale-button"))]
    op = args[0] if args else ""
    if op == "x":
        return [Reply(t(language, "removal.cancelled"), edit=True)]
    if len(args) < 2 or not str(args[1]).isdigit():
        return stale
    assignment_id = int(args[1])
    if op == "a":
        found = [b for b in removal.backups(services, scope=who.visible_units) if b.assignment.id == assignment_id]
        if not found:
            return stale
        b = found[0]
        buttons = [[Btn(t(language, "removal.confirm-remove"), BACKUP, ("ok", assignment_id)), Btn(t(language, "removal.cancel"), BACKUP, ("x",))]]
        return [Reply(t(language, "removal.ask-remove", name=_name(b.person), unit=b.unit.name), buttons, edit=True)]
    if op == "ok":
        done = removal.remove_backup(services, assignment_id=assignment_id, scope=who.visible_units, actor_person_id=who.person_id, now=now)
        if done is None:
            return stale
        theirs = services.language_of(done.person.language)
        return [
            Reply(t(language, "removal.removed", name=_name(done.person), unit=done.unit.name), edit=True),
            Reply(t(theirs, "removal.you-were-removed", unit=done.unit.name), to=done.person),
        ]
    return stale


def invites(services: Services, who: Roles, *, language: str, now: datetime) -> list[Reply]:
    found = removal.open_invites(services, scope=who.visible_units, now=now)
    if not found:
        return [Reply(t(language, "removal.no-invites"))]
    tz = services.config.campaign.tz
    lines = [t(language, "removal.invites-title", count=len(found))]
    rows: list[list[Btn]] = []
    for o in found[:SHOWN]:
        where = o.unit.name if o.unit else t(language, "removal.campaign-wide")
        until = o.invite.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        lines.append(t(language, "removal.invite-line", id=id_of(o.invite), unit=where, role=t(language, f"role.{o.invite.role.value}"), until=until))
        rows.append([Btn(t(language, "removal.revoke-button", id=id_of(o.invite), unit=where), INVITE, ("a", id_of(o.invite)))])
    if len(found) > SHOWN:
        lines.append(t(language, "removal.more", count=len(found) - SHOWN))
    return [Reply("\n".join(lines), rows)]


def press_invite(services: Services, who: Roles, args: tuple[str, ...], *, language: str, now: datetime) -> list[Reply]:
    stale = [Reply("", alert=t(language, "error.stale-button"))]
    op = args[0] if args else ""
    if op == "x":
        return [Reply(t(language, "removal.cancelled"), edit=True)]
    if len(args) < 2 or not str(args[1]).isdigit():
        return stale
    invite_id = int(args[1])
    if op == "a":
        if not any(o.invite.id == invite_id for o in removal.open_invites(services, scope=who.visible_units, now=now)):
            return stale
        buttons = [[Btn(t(language, "removal.confirm-revoke"), INVITE, ("ok", invite_id)), Btn(t(language, "removal.cancel"), INVITE, ("x",))]]
        return [Reply(t(language, "removal.ask-revoke", id=invite_id), buttons, edit=True)]
    if op == "ok":
        done = removal.revoke(services, invite_id=invite_id, scope=who.visible_units, actor_person_id=who.person_id, now=now)
        if done is None:
            return [Reply(t(language, "removal.not-revoked", id=invite_id), edit=True)]
        return [Reply(t(language, "removal.revoked", id=invite_id), edit=True)]
    return stale
