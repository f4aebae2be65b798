"""How the bot reaches a person: the language they chose, and whether Telegram delivers to them.

A 403 marks a person unreachable (`bot.services.notify`); writing to the bot again marks them
reachable (`mark_reachable`, called by the guard every update passes).
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.storage import people


def mark_reachable(services: Services, *, person_id: int, now: datetime) -> bool:
    """The person wrote to the bot, so messages reach them again; True if they had been unreachable."""
    with services.storage.session() as s:
        return people.mark_reachable(s, person_id=person_id, now=now)


def set_language(services: Services, *, telegram_user_id: int, language: str | None, now: datetime) -> None:
    """Write to this user in `language` ('zh-CN', 'en'; None follows Telegram); a stranger gets a record for it."""
    with services.storage.session() as s:
        people.set_language(s, telegram_user_id=telegram_user_id, language=language, now=now)
