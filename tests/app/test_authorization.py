"""Who may do what: every command and button, as stranger, liaison of A, liaison of B, backup, coordinator, leader.

The tables below are the specification; a command registered in the bot but missing here fails
`test_every_command_is_in_the_matrix`, so a new command comes with its row. Outcomes:
OK (the handler ran), NO (`error.not-allowed`), STALE (`error.stale-button`: never acted on).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from telegram.ext import CommandHandler

from bot.context import SERVICES_KEY, Services
from bot.models import Person, Role, Unit
from bot.services import access
from bot.services.access import Action
from bot.texts.catalog import t
from tests.app.registration_support import fast_sends, settle
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot

__all__ = ["fast_sends"]

OK, NO, STALE = "ok", "refused", "stale"
ACTORS = ("stranger", "liaison_a", "liaison_b", "backup_a", "coordinator", "leader")
IDS = {"stranger": 7001, "liaison_a": 7002, "liaison_b": 7003, "backup_a": 7004, "coordinator": COORDINATOR, "leader": LEADER}


def row(stranger: str, liaison_a: str, liaison_b: str, backup_a: str, coordinator: str, leader: str) -> dict[str, str]:
    return dict(zip(ACTORS, (stranger, liaison_a, liaison_b, backup_a, coordinator, leader), strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
REGISTERED = row(NO, OK, OK, OK, OK, OK)
COORDINATORS = row(NO, NO, NO, NO, OK, NO)
READERS = row(NO, NO, NO, NO, OK, OK)
LIAISONS = row(NO, OK, OK, OK, OK, NO)

# command -> expected outcome per actor (in a private chat). Add a row for every new command.
COMMANDS: dict[str, dict[str, str]] = {
    "start": EVERYONE,
    "help": EVERYONE,
    "lang": EVERYONE,
    "cancel": EVERYONE,
    "me": REGISTERED,
    "invite": COORDINATORS,
    "liaisons": READERS,
    # the other engineers' commands (checked when they are registered in handlers/__init__.py)
    "due": LIAISONS,
    "submit": LIAISONS,
    "outstanding": READERS,
    "status": READERS,
    "remind": COORDINATORS,
    "review": COORDINATORS,
    "deadline": COORDINATORS,
    "export": COORDINATORS,
    "compile": COORDINATORS,
    "chart": READERS,
}

# button -> (callback data args built from the units, expected outcome per actor). Data is signed for the presser.
BUTTONS: dict[str, tuple[Callable[[dict[str, Unit]], tuple[Any, ...]], dict[str, str]]] = {
    "invite unit": (lambda u: ("inv:u", u["pgs"].id), COORDINATORS),
    "invite role": (lambda u: ("inv:r", u["pgs"].id, "backup"), COORDINATORS),
    "roster page": (lambda u: ("ros:p", 0), READERS),
    "me edit": (lambda u: ("me:e", 0), REGISTERED),
    # a registration button without a registration in progress: refused for everyone
    "registration confirm (no draft)": (lambda u: ("reg:ok", 1), row(STALE, STALE, STALE, STALE, STALE, STALE)),
    "registration edit (no draft)": (lambda u: ("reg:e", 1, 0), row(STALE, STALE, STALE, STALE, STALE, STALE)),
    "roster page out of range": (lambda u: ("ros:p", 99), row(NO, NO, NO, NO, STALE, STALE)),
}


async def _setup(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> dict[str, Unit]:
    storage = bot_app.storage
    found = {code: storage.units.get_unit_by_code(code=code) for code in ("pgs", "shs")}
    units = {k: v for k, v in found.items() if v is not None}
    make_liaison(units["pgs"], make_person(IDS["liaison_a"], name="甲联络员", mobile="13800000001"))
    make_liaison(units["shs"], make_person(IDS["liaison_b"], name="乙联络员", mobile="13800000002"))
    make_liaison(units["pgs"], make_person(IDS["backup_a"], name="甲B角", mobile="13800000003"), role=Role.backup)
    return units


def _registered_commands(bot_app: RunningBot) -> set[str]:
    return {c for handlers in bot_app.app.handlers.values() for h in handlers if isinstance(h, CommandHandler) for c in h.commands}


async def test_every_command_is_in_the_matrix(bot_app: RunningBot) -> None:
    missing = _registered_commands(bot_app) - set(COMMANDS)
    assert not missing, f"add rows for {sorted(missing)} to COMMANDS"


async def test_commands_matrix(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    await _setup(bot_app, make_person, make_liaison)
    emu = bot_app.emulator
    present = _registered_commands(bot_app)
    refused = {t("zh-CN", "error.not-allowed"), t("en", "error.not-allowed")}
    got: dict[tuple[str, str], str] = {}
    for actor in ACTORS:
        user = emu.user(IDS[actor], first_name=actor, language_code="zh-hans")
        if actor in ("coordinator", "leader"):
            await settle(user)  # the daily digest may arrive at start
        for command in COMMANDS:
            if command not in present:
                continue
            reply = await user.ask(f"/{command}")
            got[(command, actor)] = NO if reply.text in refused else OK
    expected = {(c, a): COMMANDS[c][a] for c in COMMANDS if c in present for a in ACTORS}
    assert got == expected


async def test_buttons_matrix(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    units = await _setup(bot_app, make_person, make_liaison)
    emu = bot_app.emulator
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    answers = {t(lang, key): outcome for lang in ("zh-CN", "en") for key, outcome in (("error.not-allowed", NO), ("error.stale-button", STALE))}
    got: dict[tuple[str, str], str] = {}
    for actor in ACTORS:
        user = emu.user(IDS[actor], first_name=actor, language_code="zh-hans")
        if actor in ("coordinator", "leader"):
            await settle(user)  # the daily digest may arrive at start
        await user.ask("/help")  # a message in the chat to attach buttons to
        message = user.last
        assert message is not None
        for name, (build, _) in BUTTONS.items():
            data = services.buttons.pack(user.id, *build(units))
            before = len(user.callback_answers)
            await user._callback(user.id, message, {"text": name, "callback_data": data})
            await _until(lambda: len(user.callback_answers) > before)
            got[(name, actor)] = answers.get(user.callback_answers[-1].get("text") or "", OK)
    assert got == {(n, a): BUTTONS[n][1][a] for n in BUTTONS for a in ACTORS}


@pytest.mark.parametrize("data", ["inv:u|1|AAAAAAAA", "inv:u|1", "ros:p|0|", "me:e|0|zzzzzzzz", "lang:xx"])
async def test_forged_or_foreign_buttons_are_refused(bot_app: RunningBot, data: str) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="C", language_code="zh-hans")
    await user.ask("/help")
    message = user.last
    assert message is not None
    await user._callback(user.id, message, {"text": "x", "callback_data": data})
    await _until(lambda: bool(user.callback_answers))
    assert user.callback_answers[-1]["text"] == t("zh-CN", "error.stale-button")


async def test_a_button_made_for_someone_else_is_refused(bot_app: RunningBot) -> None:
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    leader = bot_app.emulator.user(LEADER, first_name="L", language_code="zh-hans")
    await leader.ask("/help")
    assert leader.last is not None
    stolen = services.buttons.pack(COORDINATOR, "ros:p", 0)  # the coordinator's button, pressed by the leader
    await leader._callback(leader.id, leader.last, {"text": "x", "callback_data": stolen})
    await _until(lambda: bool(leader.callback_answers))
    assert leader.callback_answers[-1]["text"] == t("zh-CN", "error.stale-button")


async def test_personal_data_only_in_private_chats(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    await _setup(bot_app, make_person, make_liaison)
    group = bot_app.emulator.group(-100500, "工作群", members=(COORDINATOR, IDS["liaison_a"]))
    bot_app.emulator.user(COORDINATOR, first_name="C", language_code="zh-hans")
    bot_app.emulator.user(IDS["liaison_a"], first_name="A", language_code="zh-hans")
    for user_id, command in ((COORDINATOR, "/liaisons"), (COORDINATOR, "/invite"), (IDS["liaison_a"], "/me")):
        group.skip_pending()
        await group.send(user_id, command)
        reply = await group.wait_for()
        assert reply.text == t("zh-CN", "error.private-only"), command
    assert not any("1380000000" in m.text for m in group.messages)


async def test_liaison_acts_only_for_own_unit(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    units = await _setup(bot_app, make_person, make_liaison)
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    a, b = units["pgs"].id, units["shs"].id
    who = {actor: access.roles_of(services, IDS[actor]) for actor in ACTORS}
    assert who["liaison_a"].may(Action.SUBMIT, unit_id=a) and not who["liaison_a"].may(Action.SUBMIT, unit_id=b)
    assert who["backup_a"].may(Action.SUBMIT, unit_id=a) and not who["backup_a"].may(Action.SUBMIT, unit_id=b)
    assert who["liaison_b"].may(Action.DUE, unit_id=b) and not who["liaison_b"].may(Action.DUE, unit_id=a)
    assert who["coordinator"].may(Action.SUBMIT, unit_id=b)
    assert who["leader"].may(Action.STATUS) and not who["leader"].may(Action.SUBMIT, unit_id=a) and not who["leader"].may(Action.REMIND)
    assert not who["stranger"].may(Action.ME) and who["stranger"].may(Action.START)


async def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)
