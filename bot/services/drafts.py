"""Conversations in progress, kept as drafts in the database so they survive a restart."""

from __future__ import annotations

from bot.context import Services
from bot.storage import drafts, people


def current(services: Services, *, telegram_user_id: int) -> tuple[int, str, str, dict[str, object]] | None:
    """The user's most recent draft as (person id, flow, state, data), if any."""
    with services.storage.session() as s:
        person = people.get_person_by_telegram_id(s, telegram_user_id=telegram_user_id)
        if person is None or person.id is None:
            return None
        found = drafts.drafts_of(s, person_id=person.id)
        if not found:
            return None
        d = found[0]
        return person.id, d.flow, d.state, dict(d.data)


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
