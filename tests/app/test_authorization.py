"""Who may do what: every command and button, as stranger, liaison of A, liaison of B, backup, coordinator, leader.

The tables below are the specification; a command registered in the bot but missing here fails
`test_every_command_is_in_the_matrix`, and a button type (callback action) registered in
handlers/__init__.py but missing here fails `test_every_button_type_is_in_the_matrix`, so a new
command or button comes with its row. Outcomes: OK (the handler ran), NO (`error.not-allowed`),
STALE (`error.stale-button`: never acted on), GONE (`reminders.snooze-gone`: not their reminder).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import SERVICES_KEY, Services
from emulator.control import UserHandle
from bot.models import ObligationStatus, Person, Role, SubmissionKind, Unit
from bot.services.people import access
from bot.services.reminders import timer
from bot.services.people.access import Action
from bot.services.submissions.flow import FLOW as FILING
from bot.services.submissions.flow import NONCE
from bot.storage import due, submissions
from bot.texts.catalog import t
from tests.app.registration_support import fast_sends, settle
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot

__all__ = ["fast_sends"]

OK, NO, STALE, GONE = "ok", "refused", "stale", "gone"
MINUS_3D = datetime(2023, 8, 30, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, 3 days before typical_case 2023-08 is due
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
    "web": COORDINATORS,
    "problems": REGISTERED,
    "newproblem": LIAISONS,
    "importproblems": COORDINATORS,
    "bulletin": COORDINATORS,
    "tasks": REGISTERED,
    "importtasks": COORDINATORS,
    "notify": COORDINATORS,
    "announce": COORDINATORS,
    "announcements": COORDINATORS,
    "backups": COORDINATORS,
    "invites": COORDINATORS,
}

UNIT_A = row(NO, OK, NO, OK, NO, NO)  # the liaisons of unit A (a coordinator files nothing: not a liaison)
NEVER = row(STALE, STALE, STALE, STALE, STALE, STALE)


@dataclass(frozen=True)
class World:
    """What the buttons refer to: units, unit A's obligation and filing, liaison A's reminder."""

    services: Services
    units: dict[str, Unit]
    item_id: int  # typical_case 2023-08
    obligation_a: int  # unit A's obligation for it
    submission_a: int  # a filing of unit A, waiting for review
    reminder_a: int  # liaison A's reminder of it
    backup_a: int = 0  # backup A's role assignment

    def filing_of(self, telegram_user_id: int) -> str:
        """The mark of the filing in progress of this person (their in-filing buttons carry it), or ''."""
        person = self.services.storage.people.get_person_by_telegram_id(telegram_user_id=telegram_user_id)
        draft = self.services.storage.drafts.get_draft(person_id=person.id, flow=FILING) if person else None
        return str(draft.data.get(NONCE, "")) if draft else ""


@dataclass(frozen=True)
class Press:
    """A button: its action (callback data `action|args…|signature`), its args, the expected outcome per actor."""

    action: str
    args: Callable[[World], tuple[Any, ...]]
    expected: dict[str, str]
    before: str | None = None  # a command the presser sends first (a conversation the button belongs to)
    signed: bool = True  # /lang's buttons carry plain data ("lang:en")


# button -> how to press it, and the expected outcome per actor. Data is signed for the presser.
# Add a row for every new button type (action) registered in handlers/__init__.py.
BUTTONS: dict[str, Press] = {
    "language": Press("lang:", lambda w: ("zh-CN",), EVERYONE, signed=False),
    # a registration button without a registration in progress: refused for everyone
    "registration confirm (no draft)": Press("reg:ok", lambda w: (1,), NEVER),
    "registration edit (no draft)": Press("reg:e", lambda w: (1, 0), NEVER),
    "me edit": Press("me:e", lambda w: (0,), REGISTERED),
    "invite unit": Press("inv:u", lambda w: (w.units["pgs"].id,), COORDINATORS),
    "invite page": Press("inv:p", lambda w: (0,), COORDINATORS),
    "invite page out of range": Press("inv:p", lambda w: (99,), row(NO, NO, NO, NO, STALE, NO)),
    "invite role": Press("inv:r", lambda w: (w.units["pgs"].id, "backup"), COORDINATORS),
    "roster page": Press("ros:p", lambda w: (0,), READERS),
    "roster page out of range": Press("ros:p", lambda w: (99,), row(NO, NO, NO, NO, STALE, STALE)),
    "submit now (unit A)": Press("sub", lambda w: (w.obligation_a,), UNIT_A),
    "zero report (unit A)": Press("zero", lambda w: (w.obligation_a,), UNIT_A),
    "amend a filing (unit A)": Press("amend", lambda w: (w.obligation_a, 1), UNIT_A),
    "any-time report (unit A)": Press("subany", lambda w: ("major_issue", w.units["pgs"].id), UNIT_A),
    "submit choices page": Press("subp", lambda w: (0,), row(NO, OK, OK, OK, NO, NO)),
    "due page (unit A)": Press("duep", lambda w: (w.units["pgs"].id, 0), UNIT_A),
    # liaison A's filing in progress: someone else's draft makes it stale
    "in-filing step (liaison A's filing)": Press("sf", lambda w: ("resume", w.filing_of(IDS["liaison_a"])), row(NO, OK, STALE, STALE, NO, NO)),
    "review open": Press("rv", lambda w: ("open", w.submission_a), COORDINATORS),
    # sign-off: a coordinator (no unit head here) may; the filing is not waiting, so it says so
    "sign-off approve": Press("so", lambda w: ("ok", w.submission_a), COORDINATORS),
    "nudge: report": Press("rmr", lambda w: ("typical_case",), COORDINATORS),
    "nudge: period": Press("rmp", lambda w: (w.item_id,), COORDINATORS),
    "nudge: confirm": Press("rmc", lambda w: (w.item_id,), COORDINATORS),
    "nudge: cancel": Press("rmx", lambda w: (), COORDINATORS),
    # a reminder is its person's: anyone else is told it is gone
    "snooze (liaison A's reminder)": Press("snz", lambda w: (w.reminder_a, "1h"), row(GONE, OK, GONE, GONE, GONE, GONE)),
    "outstanding page": Press("out", lambda w: (0,), READERS),
    "status page": Press("st", lambda w: (0,), READERS),
    "status item": Press("sti", lambda w: (w.item_id, 0), READERS),
    "deadline: cancel": Press("dl", lambda w: ("x",), COORDINATORS, before="/deadline"),
    "problem: open (none such)": Press("pb", lambda w: ("v", 0), REGISTERED),
    "task: open (none such)": Press("tk", lambda w: ("v", 0, 0), REGISTERED),
    "notify: at once": Press("ntf", lambda w: ("now",), COORDINATORS),
    "announce: cancel": Press("an", lambda w: ("x",), COORDINATORS, before="/announce"),
    "announcement receipts (none such)": Press("anr", lambda w: ("v", 0), row(NO, NO, NO, NO, STALE, NO)),
    # a receipt for a notice never sent to them: refused as stale by everyone allowed to confirm one
    "remove a backup (backup A)": Press("rmb", lambda w: ("a", w.backup_a), COORDINATORS),
    "revoke an invite (none such)": Press("rvk", lambda w: ("a", 0), row(NO, NO, NO, NO, STALE, NO)),
    "announcement receipt (none such)": Press("ack", lambda w: (0,), row(NO, STALE, STALE, STALE, STALE, NO)),
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
    refused = {t(lang, key) for lang in ("zh-CN", "en") for key in ("error.not-allowed", "access.not-registered")}
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


def _language(pattern: str) -> set[str]:
    """Every string a finite pattern (literals, [abc] sets, (a|b) groups, ^) matches."""
    from re import _parser as sre  # type: ignore[attr-defined]

    def strings(items: Any) -> set[str]:
        out = {""}
        for op, arg in items:
            if op is sre.AT:
                continue
            if op is sre.LITERAL:
                choices = {chr(arg)}
            elif op is sre.IN and all(o is sre.LITERAL for o, _ in arg):
                choices = {chr(v) for _, v in arg}
            elif op is sre.SUBPATTERN:
                choices = strings(arg[-1])
            elif op is sre.BRANCH:
                choices = set().union(*(strings(b) for b in arg[1]))
            else:
                raise AssertionError(f"cannot list the button actions of {pattern!r}; keep callback patterns to ^action\\|")
            out = {a + b for a in out for b in choices}
        return out

    return strings(sre.parse(pattern))


def _registered_button_actions(bot_app: RunningBot) -> set[str]:
    """The button actions the bot routes to a handler of their own (the catch-all stale handler aside)."""
    found = set()
    for handlers in bot_app.app.handlers.values():
        for h in handlers:
            if isinstance(h, CallbackQueryHandler) and isinstance(h.pattern, re.Pattern):
                found |= {s.removesuffix("|") for s in _language(h.pattern.pattern)}
    return found


async def test_every_button_type_is_in_the_matrix(bot_app: RunningBot) -> None:
    registered = _registered_button_actions(bot_app)
    assert {"inv:u", "sub", "zero", "rmx", "snz", "lang:"} <= registered  # the pattern reading works
    tabled = {press.action for press in BUTTONS.values()}
    assert not registered - tabled, f"add rows for the button actions {sorted(registered - tabled)} to BUTTONS"
    assert not tabled - registered, f"rows for button actions no handler takes: {sorted(tabled - registered)}"


async def _world(bot_app: RunningBot, units: dict[str, Unit], users: dict[str, UserHandle]) -> World:
    """Unit A's filing waiting for review, and the reminders of 3 days before typical_case 2023-08 (liaison A's)."""
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    storage = bot_app.storage
    liaison_a = storage.people.get_person_by_telegram_id(telegram_user_id=IDS["liaison_a"])
    assert liaison_a is not None and liaison_a.id is not None
    with storage.session() as s:
        item = due.get_due_item(s, report_key="typical_case", period_key="2023-08")
        assert item is not None and item.id is not None
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=units["pgs"].id)  # type: ignore[arg-type]
        assert obligation is not None and obligation.id is not None
        filed = submissions.add_submission(
            s, obligation_id=obligation.id, person_id=liaison_a.id, kind=SubmissionKind.case,
            data={"values": {"title": "平岗所查办某药店案"}}, now=bot_app.clock.now(),
        )
        assert filed.id is not None
    bot_app.clock.set(MINUS_3D)
    await timer.process_due_moments(services, bot_app.app.bot, now=MINUS_3D)
    reminder = await users["liaison_a"].wait_for(lambda m: any(b.get("callback_data", "").startswith("snz|") for b in m.buttons))
    snoozes = [services.buttons.unpack(IDS["liaison_a"], b.get("callback_data")) for b in reminder.buttons]
    reminder_id = next(int(b.args[0]) for b in snoozes if b is not None and b.action == "snz")
    for user in users.values():
        await settle(user)
    backup = services.storage.people.get_person_by_telegram_id(telegram_user_id=IDS["backup_a"])
    [held] = [a for a in services.storage.roles.roles_of(person_id=backup.id) if a.role == Role.backup]
    return World(services, units, item.id, obligation.id, filed.id, reminder_id, backup_a=held.id or 0)


async def test_buttons_matrix(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    units = await _setup(bot_app, make_person, make_liaison)
    emu = bot_app.emulator
    users = {actor: emu.user(IDS[actor], first_name=actor, language_code="zh-hans") for actor in ACTORS}
    for user in users.values():
        await user.ask("/start")
    world = await _world(bot_app, units, users)
    answers = {
        t(lang, key): outcome
        for lang in ("zh-CN", "en")
        for key, outcome in (("error.not-allowed", NO), ("access.not-registered", NO), ("error.stale-button", STALE), ("reminders.snooze-gone", GONE))
    }
    got: dict[tuple[str, str], str] = {}
    for actor in ACTORS:
        user = users[actor]
        for name, press in BUTTONS.items():
            if press.before:
                await user.ask(press.before)
            message = await user.ask("/help")  # a fresh message to attach the button to
            args = press.args(world)
            data = world.services.buttons.pack(user.id, press.action, *args) if press.signed else press.action + "".join(map(str, args))
            before = len(user.callback_answers)
            await user._callback(user.id, message, {"text": name, "callback_data": data})
            await _until(lambda: len(user.callback_answers) > before)
            got[(name, actor)] = answers.get(user.callback_answers[-1].get("text") or "", OK)
            await settle(user, quiet=0.02)  # what the press made the bot say is not the next press's concern
    expected = {(n, a): BUTTONS[n].expected[a] for n in BUTTONS for a in ACTORS}
    assert {k: v for k, v in got.items() if v != expected[k]} == {}
    # nothing was done for anyone not allowed: unit A's obligation is still open, liaison A's snooze is the only one
    with bot_app.storage.session() as s:
        obligation = due.get_obligation(s, due_item_id=world.item_id, unit_id=units["pgs"].id)  # type: ignore[arg-type]
        assert obligation is not None and obligation.status is ObligationStatus.open
    assert [e.details.get("role") for e in bot_app.storage.audit.recent_events(action="invite.create")] == ["backup"]
    assert emu.violations == []


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
