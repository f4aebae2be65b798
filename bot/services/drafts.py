"""Conversations in progress, kept as drafts in the database so they survive a restart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import Draft
from bot.storage import drafts, people


def cancel_current(services: Services, *, telegram_user_id: int) -> bool:
    """End the user's current conversation; True if there was one."""
    with services.storage.session() as s:
        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if person is None or person.id is None:
            return False
        found = drafts.drafts_of(s, person_id=person.id)
        if not found:
            return False
        return drafts.delete_draft(s, person_id=person.id, flow=found[0].flow)


def get(services: Services, *, person_id: int, flow: str) -> Draft | None:
    """The person's draft of `flow`, if one is in progress."""
    with services.storage.read() as s:
        return drafts.get_draft(s, person_id=person_id, flow=flow)


def save(services: Services, *, person_id: int, flow: str, state: str, data: Mapping[str, Any], now: datetime) -> None:
    """Keep where the person's conversation of `flow` stands (it becomes their current one)."""
    with services.storage.session() as s:
        drafts.save_draft(s, person_id=person_id, flow=flow, state=state, data=data, now=now)


def begin(services: Services, *, telegram_user_id: int, flow: str, state: str, data: Mapping[str, Any], now: datetime) -> bool:
    """Start a conversation of `flow` for a Telegram user; False if the bot does not know them."""
    with services.storage.session() as s:
        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if person is None or person.id is None:
            return False
        drafts.save_draft(s, person_id=person.id, flow=flow, state=state, data=data, now=now)
        return True


def delete(services: Services, *, person_id: int, flow: str) -> bool:
    """End the person's conversation of `flow` (finished, cancelled or refused); True if there was one."""
    with services.storage.session() as s:
        return drafts.delete_draft(s, person_id=person_id, flow=flow)
