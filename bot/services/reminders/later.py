"""'Remind me later' as a conversation: the buttons under a reminder, and the time typed after 'another time…'.

1 hour, tomorrow 09:00, or a time the user types (read by `schedules.parse_when`; flow "snooze",
kept as a draft). One pending snooze per due item, unit and person (`snoozes.snooze`): pressing
again moves it, and the user is told the new time and the one it replaces.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.context import Services
from bot.replies import Reply
from bot.services import drafts
from bot.services.reminders import snoozes
from bot.texts.catalog import t
from schedules import parse_when

FLOW = "snooze"
ACTION = "snz"  # under a reminder: (reminder id, "1h" | "tomorrow" | "ask")
MORNING = time(9, 0)


def _local(services: Services, at: datetime) -> str:
    return at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")


def _confirmation(services: Services, done: snoozes.Snoozed, language: str) -> str:
    """'I will remind you at …', or, when a pending snooze was moved, 'moved to … (instead of …)'."""
    if done.moved_from is not None:
        return t(language, "reminders.snooze-moved", when=_local(services, done.at), before=_local(services, done.moved_from))
    return t(language, "reminders.snooze-set", when=_local(services, done.at))


def press(services: Services, *, telegram_user_id: int, args: tuple[str, ...], language: str, now: datetime) -> list[Reply]:
    """A 'remind me later' button: store the snooze (told on the button and in the chat), or ask for a time."""
    if len(args) != 2 or not args[0].isdigit():
        return [Reply("", alert=t(language, "error.stale-button"))]
    reminder_id, choice = int(args[0]), args[1]
    if choice == "ask":
        drafts.begin(services, telegram_user_id=telegram_user_id, flow=FLOW, state="when", data={"reminder_id": reminder_id}, now=now)
        return [Reply(t(language, "reminders.snooze-ask"))]
    tz = services.config.campaign.tz
    if choice == "1h":
        at = now + timedelta(hours=1)
    else:
        tomorrow = now.astimezone(tz).date() + timedelta(days=1)
        at = datetime.combine(tomorrow, MORNING, tzinfo=tz).astimezone(UTC)
    done = snoozes.snooze(services, reminder_id=reminder_id, telegram_user_id=telegram_user_id, at=at, now=now)
    if done is None:
        return [Reply("", alert=t(language, "reminders.snooze-gone"))]
    confirmation = _confirmation(services, done, language)
    return [Reply(confirmation, toast=confirmation)]


def answer(
    services: Services, *, person_id: int, telegram_user_id: int, data: dict[str, Any], text: str, language: str, now: datetime
) -> list[Reply]:
    """The time typed after 'another time…': the snooze stored and confirmed; a time not understood or past is asked again."""
    tz = services.config.campaign.tz
    when = parse_when(text, now=now, tz=tz) if text else None
    if when is None:
        return [Reply(t(language, "reminders.snooze-not-understood", text=text))]
    at = when.moment or datetime.combine(when.day, MORNING, tzinfo=tz).astimezone(UTC)
    if at <= now:
        return [Reply(t(language, "reminders.snooze-past"))]
    reminder_id = int(str(data.get("reminder_id", 0)))
    done = snoozes.snooze(services, reminder_id=reminder_id, telegram_user_id=telegram_user_id, at=at, now=now)
    drafts.delete(services, person_id=person_id, flow=FLOW)
    if done is None:
        return [Reply(t(language, "reminders.snooze-gone"))]
    return [Reply(_confirmation(services, done, language))]
