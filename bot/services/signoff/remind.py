"""Reminders to the unit head while a filing waits for sign-off (the liaison's stop once it is filed).

Called at each reminder moment of a report that needs sign-off (`reminders.send.process_moment`):
every approver of a unit whose filing of the due item waits (the heads, or the coordinators when the
unit has none) gets one reminder with the approve / return buttons, claimed under the same unique
key as a liaison's reminder (due item, unit, person, moment): never sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import ReportType
from bot.context import Services
from bot.models import DueItem, ReminderKind
from bot.services.deadlines.reports import period_label, report_title
from bot.services.reminders import delivery
from bot.services.signoff.flow import ACTION, approvers
from bot.storage import signoff
from bot.texts.catalog import t


async def remind_heads(services: Services, bot: Any, *, item: DueItem, report: ReportType, moment_key: str, now: datetime) -> int:
    """Remind each approver of a waiting filing of `item`; the number of reminders sent."""
    if not report.signoff or item.id is None:
        return 0
    item_id = item.id

    def waiting() -> list[Any]:  # (in a worker thread, as each database call here)
        with services.storage.session() as s:
            return list(signoff.waiting(s, due_item_id=item_id))

    sent = 0
    for submission, unit_id, unit_name in await services.writes(waiting):
        for person in await services.writes(approvers, services, unit_id):
            if person.id is None or not person.reachable:
                continue
            reminder_id = await services.writes(
                services.storage.reminders.claim_reminder, due_item_id=item.id, unit_id=unit_id, person_id=person.id, moment_key=moment_key,
                kind=ReminderKind.reminder, now=now,
            )
            if reminder_id is None:
                continue
            language = services.language_of(person.language)
            period = await services.writes(period_label, services, report, period_key=item.period_key, stored=item.period_label, language=language)
            text = t(language, "signoff.reminder", unit=unit_name, report=report_title(report, language), item=submission.item_no, period=period)
            pack = services.buttons.pack
            markup = InlineKeyboardMarkup([[
                InlineKeyboardButton(t(language, "signoff.button.approve"), callback_data=pack(person.telegram_user_id, ACTION, "ok", submission.id or 0)),
                InlineKeyboardButton(t(language, "signoff.button.return"), callback_data=pack(person.telegram_user_id, ACTION, "ret", submission.id or 0)),
            ]])
            result = await delivery.deliver(
                services, bot, reminder_id=reminder_id, person_id=person.id, chat_id=person.chat_id or person.telegram_user_id, text=text, markup=markup,
            )
            sent += result.outcome is delivery.Outcome.sent
    return sent
