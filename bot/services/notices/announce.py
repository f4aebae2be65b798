"""/announce: a coordinator writes a notice (通知: text, and files if any), picks who gets it (every unit,
or the units of one tag; a coordinator bound to a unit: within its subtree), checks it and sends it.

The notice in progress is the coordinator's draft (`FLOW`), so a restart loses nothing. Sending
records the `Announcement` and one `AnnouncementReceipt` per (unit, liaison) to ask; the messages
themselves go out through `broadcast.send_pending` (claimed once per liaison, the broadcast lane).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Services
from bot.replies import Btn, Reply
from bot.services import drafts
from bot.services.deadlines.adhoc import tags_of
from bot.services.people.access import Roles
from bot.storage import audit, notices, roles
from bot.storage import units as unit_store
from bot.texts.catalog import t

FLOW = "announce"
ACTION = "an"
MAX_TEXT = 3000  # the notice, its heading and the receipt line fit one Telegram message
MAX_FILES = 10
SEND = "ok"


def _buttons(language: str) -> list[list[Btn]]:
    return [[Btn(t(language, "notices.announce-next"), ACTION, ("nx",)), Btn(t(language, "notices.cancel"), ACTION, ("x",))]]


def start(services: Services, who: Roles, *, language: str, now: datetime) -> list[Reply]:
    """Ask for the notice."""
    assert who.person_id is not None
    drafts.save(services, person_id=who.person_id, flow=FLOW, state="text", data={"text": "", "files": [], "names": []}, now=now)
    return [Reply(t(language, "notices.announce-ask", max=MAX_TEXT))]


def text(services: Services, who: Roles, data: dict[str, Any], typed: str, *, language: str, now: datetime) -> list[Reply]:
    """A message of the notice: added to what was typed before."""
    assert who.person_id is not None
    typed = typed.strip()
    if not typed:
        return [Reply(t(language, "notices.announce-ask", max=MAX_TEXT))]
    joined = "\n".join(x for x in (str(data.get("text", "")), typed) if x)
    if len(joined) > MAX_TEXT:
        return [Reply(t(language, "notices.announce-too-long", max=MAX_TEXT, length=len(joined)), _buttons(language) if data.get("text") else [])]
    data = {**data, "text": joined}
    drafts.save(services, person_id=who.person_id, flow=FLOW, state="text", data=data, now=now)
    return [Reply(t(language, "notices.announce-got-text", length=len(joined), max=MAX_TEXT), _buttons(language))]


def file(services: Services, who: Roles, data: dict[str, Any], attachment_id: int, name: str, *, language: str, now: datetime) -> list[Reply]:
    """A file of the notice."""
    assert who.person_id is not None
    files, names = list(data.get("files", [])), list(data.get("names", []))
    if len(files) >= MAX_FILES:
        return [Reply(t(language, "notices.announce-too-many-files", max=MAX_FILES), _buttons(language) if data.get("text") else [])]
    data = {**data, "files": [*files, attachment_id], "names": [*names, name]}
    drafts.save(services, person_id=who.person_id, flow=FLOW, state="text", data=data, now=now)
    return [Reply(t(language, "notices.announce-got-file", name=name, count=len(data["files"])), _buttons(language) if data.get("text") else [])]


def _units(services: Services, who: Roles, tag: str | None) -> list[Any]:
    with services.storage.session() as s:
        found = unit_store.list_units(s, tag=tag)
    return [u for u in found if who.visible_units is None or u.id in who.visible_units]


def _liaisons(services: Services, unit_ids: list[int]) -> list[tuple[int, int]]:
    """(unit, person) of every active liaison of the units."""
    with services.storage.session() as s:
        return [(uid, held.person.id) for uid in unit_ids for held in roles.liaisons_of_unit(s, unit_id=uid) if held.person.id is not None]


def _who(language: str, tag: str | None) -> str:
    return tag if tag is not None else t(language, "notices.announce-all")


def press(services: Services, who: Roles, data: dict[str, Any], state: str, args: tuple[str, ...], *, language: str, now: datetime) -> list[Reply]:
    """Next (choose who), a tag or all, send, cancel."""
    assert who.person_id is not None
    stale = [Reply("", alert=t(language, "error.stale-button"))]
    op = args[0] if args else ""
    if op == "x":
        drafts.delete(services, person_id=who.person_id, flow=FLOW)
        return [Reply(t(language, "notices.announce-cancelled"), edit=True)]
    if op == "nx" and state == "text":
        if not data.get("text"):
            return [Reply("", alert=t(language, "notices.announce-no-text"))]
        drafts.save(services, person_id=who.person_id, flow=FLOW, state="who", data=data, now=now)
        rows = [[Btn(t(language, "notices.announce-all"), ACTION, ("a",))]]
        rows += [[Btn(tag, ACTION, ("t", i))] for i, tag in enumerate(tags_of(services))]
        rows.append([Btn(t(language, "notices.cancel"), ACTION, ("x",))])
        return [Reply(t(language, "notices.announce-ask-who"), rows, edit=True)]
    if op in ("a", "t") and state == "who":
        tags = tags_of(services)
        index = int(args[1]) if op == "t" and len(args) > 1 and str(args[1]).isdigit() else -1
        if op == "t" and not 0 <= index < len(tags):
            return stale
        tag = tags[index] if op == "t" else None
        units = _units(services, who, tag)
        if not units:
            return [Reply("", alert=t(language, "notices.announce-no-units"))]
        people = {p for _, p in _liaisons(services, [u.id for u in units])}
        drafts.save(services, person_id=who.person_id, flow=FLOW, state="confirm", data={**data, "tag": tag}, now=now)
        files = "、".join(data.get("names", [])) or t(language, "notices.none")
        body = t(language, "notices.announce-preview", who=_who(language, tag), units=len(units), people=len(people), text=data["text"], files=files)
        buttons = [[Btn(t(language, "notices.announce-send"), ACTION, (SEND,)), Btn(t(language, "notices.cancel"), ACTION, ("x",))]]
        return [Reply(body, buttons, edit=True)]
    if op == SEND and state == "confirm":
        tag = data.get("tag")
        units = _units(services, who, tag if isinstance(tag, str) else None)
        pairs = _liaisons(services, [u.id for u in units])
        with services.storage.session() as s:
            row = notices.add_announcement(
                s, text=str(data["text"]), attachment_ids=[int(x) for x in data.get("files", [])], tag=tag if isinstance(tag, str) else None,
                unit_ids=[u.id for u in units], person_id=who.person_id, now=now,
            )
            for unit_id, person_id in pairs:
                notices.add_receipt(s, announcement_id=row.id or 0, unit_id=unit_id, person_id=person_id)
            audit.audit(s, action="announcement.send", now=now, actor_person_id=who.person_id, subject=f"announcement:{row.id}",
                        details={"units": len(units), "liaisons": len({p for _, p in pairs}), "tag": tag})
        drafts.delete(services, person_id=who.person_id, flow=FLOW)
        return [Reply(t(language, "notices.announce-sent", units=len(units), people=len({p for _, p in pairs})), edit=True)]
    return stale
