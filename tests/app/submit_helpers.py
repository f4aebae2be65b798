"""Helpers for the submission e2e tests: a liaison of a configured unit, and waiting for what they see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import ReportType
from emulator.control import UserHandle
from emulator.state import BotMessage
from bot.models import Person
from bot.storage import Storage

PDF = b"%PDF-1.4\n% decision\n" + b"x" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

STATS = ReportType.model_validate({
    "key": "drug_stats",
    "title": "药品经营使用环节统计表",
    "title_en": "Drug retail and use statistics",
    "template": "statistics",
    "owed_by": ["所队"],
    "schedule": {"kind": "monthly", "day": 5, "covers": "previous_month"},
})


def liaison_of(storage: Storage, make_person: Callable[..., Person], make_liaison: Callable[..., Any], code: str, telegram_user_id: int) -> Person:
    """A registered primary liaison of the configured unit `code`."""
    unit = storage.units.get_unit_by_code(code=code)
    person = make_person(telegram_user_id, name="张联络", mobile="13800000001")
    make_liaison(unit, person)
    return person


async def says(user: UserHandle, text: str | None, expect: str, timeout: float = 5.0) -> BotMessage:
    """Send `text` (unless None) and wait for a bot message containing `expect`."""
    if text is not None:
        await user.send(text)
    return await user.wait_for(lambda m: expect in m.text, timeout=timeout)


async def presses(user: UserHandle, button: str, expect: str) -> BotMessage:
    """Press a button and wait for a bot message containing `expect`."""
    await user.press(button)
    return await user.wait_for(lambda m: expect in m.text)
