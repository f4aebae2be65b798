"""Coordinators and leaders of config.toml [people]: taken out of the file, they lose the role at the next start.

Roles given by a campaign-wide invite are not the config's to take away: they stay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.clock import FixedClock
from bot.config import People
from emulator import Emulator
from bot.models import Invite, Person, Role, RoleAssignment
from bot.services.people.campaign import REMOVED_FROM_CONFIG
from bot.storage import Storage, audit, roles
from bot.texts.catalog import t
from tests.app.registration_support import fast_sends, person_id_of, register, reply_to, settle
from tests.fixtures.app import COORDINATOR, LEADER, campaign_config, start_bot, stop_bot

__all__ = ["fast_sends"]

INVITED_COORDINATOR = 6601
OLD_STYLE_COORDINATOR = 6602  # registered before registrations recorded the assignment they gave
ANSWERS_TO_INVITE = (t("zh-CN", "error.not-allowed"), t("zh-CN", "access.not-registered"), t("zh-CN", "invite.choose-unit"))
ANSWERS_TO_ROSTER = (t("zh-CN", "error.not-allowed"), t("zh-CN", "access.not-registered"), t("zh-CN", "roster.title", units=0, page=0, pages=0).split("（")[0])


def _ended(storage: Storage, telegram_user_id: int, role: Role) -> list[str | None]:
    """The ended reason of each of a person's assignments of `role`, oldest first (None: active)."""
    person = person_id_of(storage, telegram_user_id)
    with storage.session() as s:
        rows = s.exec(select(RoleAssignment).where(RoleAssignment.person_id == person, RoleAssignment.role == role).order_by(col(RoleAssignment.id)))
        return [r.ended_reason for r in rows]


async def test_people_taken_out_of_the_config_lose_their_role_invited_ones_keep_it(
    emulator: Emulator, storage: Storage, now: datetime, make_invite: Callable[..., tuple[str, Invite]], make_person: Callable[..., Person]
) -> None:
    clock = FixedClock(now)
    bot = await start_bot(campaign_config(emulator), storage, clock, emulator)
    try:
        invited = emulator.user(INVITED_COORDINATOR, first_name="I", language_code="zh-hans")
        await register(invited, make_invite(None, role=Role.coordinator)[0], {"name": "邀请协调员"})
    finally:
        await stop_bot(bot)
    # someone who registered as coordinator with an invite before the audit named the assignment
    old = make_person(OLD_STYLE_COORDINATOR, name="老协调员")
    with storage.session() as s:
        assert old.id is not None
        change = roles.assign_role(s, person_id=old.id, role=Role.coordinator, now=now)
        audit.audit(s, action="registration.confirm", now=now, actor_person_id=old.id, subject="role:coordinator", details={"role": "coordinator"})
        assert change.created

    clock.advance(timedelta(days=1))
    bot = await start_bot(campaign_config(emulator, people=People(coordinators=[], leaders=[LEADER])), storage, clock, emulator)
    try:
        removed = emulator.user(COORDINATOR, first_name="C", language_code="zh-hans")
        await settle(removed)
        reply = await reply_to(removed, "/invite", *ANSWERS_TO_INVITE)
        assert reply.text == t("zh-CN", "access.not-registered")  # no role left: told how to register
        assert "/invite" not in (await reply_to(removed, "/help", t("zh-CN", "help.title"))).text
        still = emulator.user(INVITED_COORDINATOR)
        await settle(still)
        assert (await reply_to(still, "/invite", *ANSWERS_TO_INVITE)).text == t("zh-CN", "invite.choose-unit")
        assert (await reply_to(emulator.user(OLD_STYLE_COORDINATOR), "/invite", *ANSWERS_TO_INVITE)).text == t("zh-CN", "invite.choose-unit")
        leader = emulator.user(LEADER)
        await settle(leader)
        assert (await reply_to(leader, "/liaisons", *ANSWERS_TO_ROSTER)).text not in ANSWERS_TO_ROSTER[:2]
    finally:
        await stop_bot(bot)

    assert _ended(storage, COORDINATOR, Role.coordinator) == [REMOVED_FROM_CONFIG]
    assert _ended(storage, INVITED_COORDINATOR, Role.coordinator) == [None]
    assert _ended(storage, OLD_STYLE_COORDINATOR, Role.coordinator) == [None]
    assert _ended(storage, LEADER, Role.leader) == [None]
    events = storage.audit.recent_events(action="role.end")
    assert [(e.subject, e.details["role"], e.details["telegram_user_id"], e.at) for e in events] == [
        (f"person:{person_id_of(storage, COORDINATOR)}", "coordinator", COORDINATOR, clock.now())
    ]

    # back in the config: a new assignment; the leader taken out now
    clock.advance(timedelta(days=1))
    bot = await start_bot(campaign_config(emulator, people=People(coordinators=[COORDINATOR], leaders=[])), storage, clock, emulator)
    try:
        back = emulator.user(COORDINATOR)
        await settle(back)
        assert (await reply_to(back, "/invite", *ANSWERS_TO_INVITE)).text == t("zh-CN", "invite.choose-unit")
        leader = emulator.user(LEADER)
        await settle(leader)
        assert (await reply_to(leader, "/liaisons", *ANSWERS_TO_ROSTER)).text == t("zh-CN", "access.not-registered")
    finally:
        await stop_bot(bot)
    assert _ended(storage, COORDINATOR, Role.coordinator) == [REMOVED_FROM_CONFIG, None]
    assert _ended(storage, LEADER, Role.leader) == [REMOVED_FROM_CONFIG]
    assert [e.details["role"] for e in storage.audit.recent_events(action="role.end")] == ["leader", "coordinator"]


async def test_a_restart_with_the_same_people_ends_nothing(emulator: Emulator, storage: Storage, now: datetime) -> None:
    for _ in range(2):
        bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator)
        await stop_bot(bot)
    assert _ended(storage, COORDINATOR, Role.coordinator) == [None]
    assert _ended(storage, LEADER, Role.leader) == [None]
    assert storage.audit.recent_events(action="role.end") == []
