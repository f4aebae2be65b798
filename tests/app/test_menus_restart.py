"""A restart sets no command menu that is already set as it should be (the real bot, SQLite and PostgreSQL).

Each menu set for a chat is recorded with a digest of what it says (`command_menu`); the start's pass
over every role holder compares with it. A campaign of 10,000 liaisons republished 30,000 menus at
every restart (issue 15, `bench/fanout.py`: "command menus set meanwhile"), alongside its first wave.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import select

from bot.context import SERVICES_KEY
from bot.models import Person
from bot.services.people import menus
from bot.services.people.menus import MENUS
from tests.app.submit_helpers import liaison_of
from tests.fixtures.app import COORDINATOR, RunningBot, start_bot, stop_bot


async def _menus_pass(bot: RunningBot) -> None:
    task = bot.app.bot_data[SERVICES_KEY].caches.menu_task
    assert task is not None
    await task


def _chats_set(bot: RunningBot, since: int) -> set[int]:
    scopes = [c.params["scope"] for c in bot.emulator.calls("setMyCommands")[since:]]
    return {(json.loads(s) if isinstance(s, str) else s).get("chat_id") for s in scopes} - {None}


async def test_a_restart_sets_only_the_menus_that_changed(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., object]
) -> None:
    await _menus_pass(bot_app)  # the first start's pass: the coordinator's menu set (and recorded)
    assert bot_app.emulator.user(COORDINATOR).menu() == list(MENUS["coordinator"])
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", 7131)
    liaison_of(bot_app.storage, make_person, make_liaison, "shs", 7132)
    await stop_bot(bot_app)
    before = len(bot_app.emulator.calls("setMyCommands"))  # (the start's pass may run while `start_bot` waits for the catch-up)
    first = await start_bot(bot_app.config, bot_app.storage, bot_app.clock, bot_app.emulator)
    try:
        await _menus_pass(first)
        chats = _chats_set(first, before)
        assert {7131, 7132} <= chats and COORDINATOR not in chats  # the new liaisons' set; the coordinator's was
        recorded = first.storage.roles.menus_set()
        assert recorded[7131] == menus.digest(menus.chat_menus(menus.MenuKey(("liaison",), None), first.config.language))
    finally:
        await stop_bot(first)

    with bot_app.storage.session() as s:  # while it is down, one liaison chooses English (as /lang would)
        person = s.exec(select(Person).where(Person.telegram_user_id == 7132)).one()
        person.language = "en"
    before = len(bot_app.emulator.calls("setMyCommands"))
    again = await start_bot(bot_app.config, bot_app.storage, bot_app.clock, bot_app.emulator)
    try:
        await _menus_pass(again)
        assert _chats_set(again, before) == {7132}  # only the one whose menu changed
        user = again.emulator.user(7132)
        assert user.menu() == list(MENUS["liaison"])
        caches: Any = again.app.bot_data[SERVICES_KEY].caches
        assert caches.menus[7131] == menus.MenuKey(("liaison",), None)  # known as set, without a request
    finally:
        await stop_bot(again)
