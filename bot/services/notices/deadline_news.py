"""A new ad-hoc deadline (/deadline) told to the liaisons (A角 and B角) of every unit that owes it,
with its date and time, and a button to file.

Each message is a `ReminderSent` row (kind announce, key `announce`) claimed per (due item, unit,
person), so it goes out once: right after the deadline is added (`jobs.soon`), or by the minute
sweep (after the quiet hours, after a restart). Deadlines added more than `LOOKBACK` ago, or
already past, are not announced any more; liaisons who took office after it was added find it in /due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import Services
from bot.models import ReminderKind, id_of
from bot.services.coordinator.views import format_moment
from bot.services.deadlines.adhoc import PERIOD_KEY
from bot.services.reminders import delivery
from bot.services.reminders.policy import quiet_now
from bot.storage import adhoc, due, roles
from bot.texts.catalog import t

LOOKBACK = timedelta(days=2)
KEY = "announce"


async def announce_new(services: Services, bot: Any, *, now: datetime) -> int:
    """Tell the liaisons of the owing units of every recent ad-hoc deadline not yet told; how many messages went out."""
    if quiet_now(services, now):
        return 0
    tz = services.config.campaign.tz

    def read() -> list[Any]:  # (in a worker thread: each minute's sweep asks)
        with services.storage.read() as s:
            return [r for r in adhoc.list_adhoc_reports(s) if r.created_at >= now - LOOKBACK and r.due_at > now]

    fresh = await services.reads(read)
    sent = 0
    def targets_of(row: Any) -> list[tuple[Any, Any]]:
        with services.storage.read() as s:
            item = due.get_due_item(s, report_key=row.key, period_key=PERIOD_KEY)
            views = due.obligations_of_due_item(s, due_item_id=item.id) if item is not None and item.id is not None else []
            return [(view, held.person) for view in views if view.obligation.status in due.PENDING
                    for held in roles.liaisons_of_unit(s, unit_id=id_of(view.unit))
                    if held.person.reachable and held.assignment.started_at <= row.created_at]  # later liaisons see it in /due

    for row in fresh:
        for view, person in await services.reads(targets_of, row):
            rid = await services.writes(
                services.storage.reminders.claim_reminder, due_item_id=id_of(view.due_item), unit_id=id_of(view.unit), person_id=id_of(person),
                moment_key=KEY, kind=ReminderKind.announce, now=now,
            )
            if rid is None:
                continue
            language = person.language or services.config.language
            text = t(language, "notices.deadline-new", title=row.title, unit=view.unit.name, when=format_moment(row.due_at, language, tz))
            label = t(language, "notices.file-now")
            data = services.buttons.pack(person.telegram_user_id, "sub", id_of(view.obligation))
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])
            result = await delivery.deliver(
                services, bot, reminder_id=rid, person_id=id_of(person), chat_id=person.chat_id or person.telegram_user_id, text=text, markup=markup,
            )
            sent += result.outcome is delivery.Outcome.sent
    return sent
