"""Command menus per role and language: what each person's Telegram shows (the emulator resolves
the scopes as Telegram does: this chat, then all private chats, then the default; with the
user's language first)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from bot.context import SERVICES_KEY
from bot.models import Invite, Person, Role, Unit
from bot.services.people.menus import MENUS
from bot.storage import Storage
from emulator.control import UserHandle
from tests.app.registration_support import fast_sends, register
from tests.app.submit_helpers import liaison_of, says
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot

__all__ = ["fast_sends"]

MakeInvite = Callable[..., tuple[str, Invite]]


async def menu_becomes(user: UserHandle, expected: list[str], timeout: float = 10.0) -> None:
    """The menu is set after the bot answers: wait until the user's Telegram shows `expected`."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while user.menu() != expected:
        if loop.time() > end:
            raise AssertionError(f"menu {user.menu()} is not {expected}")
        await asyncio.sleep(0.05)


def descriptions(bot_app: RunningBot, user: UserHandle) -> dict[str, str]:
    """The menu's descriptions as this user's Telegram shows them."""
    state = bot_app.emulator.state
    code = (user.user.get("language_code") or "").split("-")[0]
    for scope in ({"chat_id": user.id, "type": "chat"}, {"type": "all_private_chats"}, {"type": "default"}):
        for lang in (code, ""):
            found = state.commands.get((json.dumps(scope, sort_keys=True), lang))
            if found:
                return {c["command"]: c["description"] for c in found}
    return {}


async def described(bot_app: RunningBot, user: UserHandle, command: str, description: str, timeout: float = 10.0) -> None:
    """Wait until the user's Telegram describes `command` so (the menus are set after the answer)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while descriptions(bot_app, user).get(command) != description:
        assert loop.time() < end, descriptions(bot_app, user)
        await asyncio.sleep(0.05)


def unit(storage: Storage, code: str = "pgs") -> Unit:
    found = storage.units.get_unit_by_code(code=code)
    assert found is not None
    return found


async def test_strangers_see_the_short_menu_in_their_client_language(bot_app: RunningBot) -> None:
    zh = bot_app.emulator.user(7101, first_name="陌生", language_code="zh-hans")
    en = bot_app.emulator.user(7102, first_name="Stranger", language_code="en")
    assert zh.menu() == en.menu() == ["start", "help", "lang"]
    assert descriptions(bot_app, zh)["help"] == "帮助"
    assert descriptions(bot_app, en)["help"] == "Help"  # the language-less default does not win over English


async def test_coordinator_sees_remind_and_a_leader_does_not(bot_app: RunningBot) -> None:
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    leader = bot_app.emulator.user(LEADER, first_name="领导", language_code="en")
    await menu_becomes(coordinator, list(MENUS["coordinator"]))  # set at start for the configured people
    await menu_becomes(leader, list(MENUS["leader"]))
    assert "remind" in coordinator.menu() and "remind" not in leader.menu()
    await described(bot_app, coordinator, "remind", "一键催办")
    await described(bot_app, leader, "status", "Filing status")  # an English client, no language chosen


async def test_choosing_english_changes_the_menu_language(bot_app: RunningBot) -> None:
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await menu_becomes(coordinator, list(MENUS["coordinator"]))
    await coordinator.send("/lang")  # the coordinator may also get the day's digest
    await coordinator.wait_for(lambda m: "English" in m.button_texts)
    await coordinator.press("English")
    await described(bot_app, coordinator, "remind", "Nudge the units that have not filed")
    assert coordinator.menu() == list(MENUS["coordinator"])


async def test_a_liaison_gets_the_liaison_menu_and_the_one_replaced_loses_it(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    first = emu.user(7111, first_name="Old", language_code="en")
    second = emu.user(7112, first_name="New", language_code="zh-hans")
    assert first.menu() == ["start", "help", "lang"]
    await register(first, make_invite(unit(storage))[0], {"name": "老联络员"}, language="en")
    await menu_becomes(first, list(MENUS["liaison"]))
    assert "outstanding" not in first.menu() and "remind" not in first.menu()
    await described(bot_app, first, "submit", "File a report")
    await register(second, make_invite(unit(storage), role=Role.primary)[0], {"name": "新联络员"})
    await menu_becomes(second, list(MENUS["liaison"]))
    await described(bot_app, second, "submit", "报送材料")
    await menu_becomes(first, list(MENUS["stranger"]))  # replaced: back to what anyone may do


async def test_a_registration_does_not_wait_for_every_role_holders_menu(bot_app: RunningBot, make_invite: MakeInvite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change of roles refreshes every role holder's menu (thousands in a large campaign) in the
    background: the person who registered is answered at once, whatever that refresh is doing."""
    from handlers import menus as menu_handlers

    stuck = asyncio.Event()
    started = asyncio.Event()

    async def slow_publish_all(*_args: object, **_kwargs: object) -> None:
        started.set()
        await stuck.wait()

    monkeypatch.setattr(menu_handlers, "publish_all", slow_publish_all)
    liaison = bot_app.emulator.user(7121, first_name="New", language_code="zh-hans")
    await register(liaison, make_invite(unit(bot_app.storage))[0], {"name": "新联络员"})
    await asyncio.wait_for(started.wait(), timeout=10)
    try:
        liaison.skip_pending()
        await liaison.send("/help")
        await liaison.wait_for(timeout=10)  # answered while the refresh still hangs
        await menu_becomes(liaison, list(MENUS["liaison"]))  # their own menu did not wait either
    finally:
        stuck.set()


async def test_a_view_sets_the_viewers_menu_and_no_one_elses(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., object]
) -> None:
    """Just after a start (the pass over every role holder not done yet), a view sets its sender's menu only:
    a view replaces no one, so the other holders are left to that pass (each liaison's first /help set off one more)."""
    emu = bot_app.emulator
    coordinator = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    caches = bot_app.app.bot_data[SERVICES_KEY].caches
    assert caches.menu_task is not None
    await caches.menu_task  # the start's pass is over
    assert coordinator.menu() == list(MENUS["coordinator"])
    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", 7121)
    caches.menus.clear()  # as if that pass had reached no one yet
    before = len(emu.calls("setMyCommands"))
    liaison = emu.user(7121, first_name="张", language_code="zh-hans")
    await says(liaison, "/help", "/due")
    await says(liaison, "/help", "/due")  # one chat's updates run in order: the first one's menus are set by now
    assert liaison.menu() == list(MENUS["liaison"])
    scopes = [c.params["scope"] for c in emu.calls("setMyCommands")[before:]]
    chats = {(json.loads(s) if isinstance(s, str) else s).get("chat_id") for s in scopes}
    assert chats == {7121}, chats
