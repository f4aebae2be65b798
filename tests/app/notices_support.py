"""Helpers of the notices tests: more coordinators, a filing made through the bot, waiting for a message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

from emulator.control import UserHandle
from emulator.state import BotMessage
from bot.models import Person, Role
from bot.storage import due, roles
from tests.fixtures.app import RunningBot


def coordinator(bot: RunningBot, make_person: Callable[..., Person], telegram_user_id: int, *, language: str, unit_code: str | None = None) -> Person:
    """Another coordinator: campaign-wide, or bound to a unit (its subtree)."""
    person = make_person(telegram_user_id, name=f"协调员{telegram_user_id}", language=language)
    unit = bot.storage.units.get_unit_by_code(code=unit_code) if unit_code else None
    with bot.storage.session() as s:
        roles.assign_role(s, person_id=person.id, role=Role.coordinator, unit_id=unit.id if unit else None, now=bot.clock.now())  # type: ignore[arg-type]
    return person


def obligation_id(bot: RunningBot, code: str, report_key: str, period_key: str) -> int:
    unit = bot.storage.units.get_unit_by_code(code=code)
    with bot.storage.session() as s:
        item = due.get_due_item(s, report_key=report_key, period_key=period_key)
        assert item is not None and unit is not None
        found = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[arg-type]
        assert found is not None and found.id is not None
        return found.id


async def file_zero(bot: RunningBot, user: UserHandle, obligation: int, *, confirm: str = "✅ 确认提交", done: str = "已提交") -> None:
    """The liaison files a 零报告 through the button reminders carry."""
    services = bot.app.bot_data["services"]
    if not user.messages:
        await user.ask("/start")  # (the bot may not write first)
    markup = {"inline_keyboard": [[{"text": "0️⃣", "callback_data": services.buttons.pack(user.id, "zero", obligation)}]]}
    await bot.app.bot.send_message(user.id, "⏰", reply_markup=markup)
    await user.wait_for(lambda m: m.text == "⏰")
    await user.press("0️⃣")
    await user.wait_for(lambda m: confirm in m.button_texts)
    await user.press(confirm)
    await user.wait_for(lambda m: done in m.text)


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not reached"
        await asyncio.sleep(0.02)


def texts(user: UserHandle, marker: str) -> list[str]:
    return [m.text for m in user.messages if marker in m.text]


def at(bot: RunningBot, when: datetime) -> Any:
    bot.clock.set(when)
    return when


__all__ = ["BotMessage"]
