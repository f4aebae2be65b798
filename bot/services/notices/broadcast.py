"""Announcements out to the liaisons, exactly once each, and their receipts (回执) back.

Each liaison asked (an `AnnouncementReceipt` row, per unit) gets the notice once, however many of
the units it went to they serve: a `ReminderSent` row (kind notice) claimed under (person,
`notice@<id>`) before sending, through the broadcast lane (`reminders.delivery`), its files
after it. A nudge (催办) is claimed under `notice@<id>@nudge@<minute>`, and not repeated to the same
person within `nudge_interval`. Sending runs right after the coordinator confirms (`jobs.soon`)
and in every minute sweep (after the quiet hours, after a restart), for `LOOKBACK`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import TelegramError

from bot.context import Services
from bot.models import Announcement, Person, ReminderKind, id_of
from bot.pacing import BROADCAST
from bot.replies import Reply, drop_buttons
from bot.services.people.access import Roles
from bot.services.reminders import delivery
from bot.services.reminders.policy import quiet_now
from bot.services.submissions import files
from bot.storage import notices, people
from bot.texts.catalog import t

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=3)
ACK = "ack"


def key_of(announcement_id: int) -> str:
    return f"notice@{announcement_id}"


def _sender(services: Services, row: Announcement, language: str) -> str:
    """The coordinator who sent it, by name; the coordination group if the bot knows no name."""
    with services.storage.read() as s:
        person = people.get_person(s, person_id=row.created_by_person_id) if row.created_by_person_id else None
    return (person.name or person.first_name or "") if person is not None and (person.name or person.first_name) else t(language, "notices.sender-default")


async def _send(services: Services, bot: Any, row: Announcement, person: Person, *, key: str, nudge: bool, now: datetime) -> delivery.Outcome | None:
    """Claim and send the notice to one liaison (with its files); None if it was claimed before."""
    rid = await services.writes(
        services.storage.reminders.claim_reminder, due_item_id=None, unit_id=None, person_id=id_of(person), moment_key=key, kind=ReminderKind.notice, now=now
    )
    if rid is None:
        return None
    language = person.language or services.config.language
    sender = await services.reads(_sender, services, row, language)
    heading = t(language, "notices.nudge-heading" if nudge else "notices.notice-heading", sender=sender)
    text = "\n\n".join([heading, t(language, "notices.notice-body", text=row.text), t(language, "notices.notice-ask")])
    data = services.buttons.pack(person.telegram_user_id, ACK, id_of(row))
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t(language, "notices.ack-button"), callback_data=data)]])
    chat = person.chat_id or person.telegram_user_id
    result = await delivery.deliver(services, bot, reminder_id=rid, person_id=id_of(person), chat_id=chat, text=text, markup=markup)
    if result.outcome is delivery.Outcome.sent and not nudge:
        for attachment in await services.reads(files.by_ids, services, row.attachment_ids):
            try:
                await bot.send_document(chat, InputFile(await asyncio.to_thread(files.read, services, attachment), filename=attachment.file_name or "file"), rate_limit_args={"lane": BROADCAST})
            except TelegramError as e:  # the notice itself arrived; the coordinator sees no receipt if the liaison misses the file
                log.warning("announcement %s: a file did not reach person %s: %r", row.id, person.id, e)
    return result.outcome


async def send_pending(services: Services, bot: Any, *, now: datetime) -> int:
    """Send every recent announcement to each liaison asked who has not had it; how many went out."""
    if quiet_now(services, now):
        return 0

    def read() -> tuple[list[Any], dict[int, Any]]:  # (in a worker thread: each minute's sweep asks)
        with services.storage.read() as s:
            recent = [a for a in notices.recent_announcements(s, limit=50) if a.created_at >= now - LOOKBACK]
            return recent, {id_of(a): notices.receipts_of(s, announcement_id=id_of(a)) for a in recent}

    recent, asked = await services.reads(read)
    sent = 0
    for row in recent:
        done: set[int] = set()
        for _, _, person in asked[id_of(row)]:
            if id_of(person) in done or not person.reachable:
                continue
            done.add(id_of(person))
            outcome = await _send(services, bot, row, person, key=key_of(id_of(row)), nudge=False, now=now)
            sent += outcome is delivery.Outcome.sent
    return sent


def acknowledge(services: Services, who: Roles, announcement_id: int, *, language: str, now: datetime) -> list[Reply]:
    """The liaison's one press: confirmed for every unit of theirs the notice went to."""
    if who.person_id is None:
        return [Reply("", alert=t(language, "error.stale-button"))]
    with services.storage.session() as s:
        fresh = notices.confirm(s, announcement_id=announcement_id, person_id=who.person_id, now=now)
    if fresh < 0:
        return [Reply("", alert=t(language, "error.stale-button"))]
    local = now.astimezone(services.config.campaign.tz)
    done = drop_buttons()
    done.toast = t(language, "notices.ack-done")
    return [done, Reply(t(language, "notices.ack-recorded", at=f"{local:%m-%d %H:%M}"))]


def _last_claim(services: Services, person_id: int, prefix: str) -> datetime | None:
    with services.storage.read() as s:
        return notices.last_claim(s, person_id=person_id, prefix=prefix)


@dataclass
class Nudged:
    sent: int = 0
    unreachable: int = 0
    too_soon: int = 0


async def nudge(services: Services, bot: Any, row: Announcement, persons: list[Person], *, now: datetime) -> Nudged:
    """Send the notice again to liaisons who have not confirmed (not within `nudge_interval` of the last nudge)."""
    out = Nudged()
    interval = services.config.reminders.nudge_interval
    prefix = key_of(id_of(row)) + "@nudge@"
    for person in persons:
        last = await services.reads(_last_claim, services, id_of(person), prefix)
        if last is not None and now - last < interval:
            out.too_soon += 1
            continue
        outcome = await _send(services, bot, row, person, key=prefix + now.strftime("%Y-%m-%dT%H:%MZ"), nudge=True, now=now)
        out.sent += outcome is delivery.Outcome.sent
        out.unreachable += outcome is delivery.Outcome.unreachable
    return out
