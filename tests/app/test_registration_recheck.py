"""A summary confirmed long after it was shown: the invite and the unit's liaison are checked again.

Opening an invite checks it; confirming the summary may come days later. By then the invite
may have expired or been revoked, or someone else may have registered as the unit's liaison
with a newer invite: such a confirmation must not (silently) replace the current liaison.
"""

from __future__ import annotations

from collections.abc import Callable
import re
from datetime import timedelta

from emulator.control import UserHandle
from emulator.state import BotMessage
from bot.models import Invite, Role, Unit
from bot.storage import Storage
from bot.texts.catalog import t
from tests.app.registration_support import ANSWERS, fast_sends, person_id_of, register
from tests.fixtures.app import COORDINATOR, RunningBot

__all__ = ["fast_sends"]

MakeInvite = Callable[..., tuple[str, Invite]]


def _plain(key: str, language: str = "zh-CN", **params: object) -> str:
    """A catalog text as the user sees it (markup removed)."""
    return re.sub(r"<[^>]+>", "", t(language, key, **params)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _unit(storage: Storage, code: str = "pgs") -> Unit:
    found = storage.units.get_unit_by_code(code=code)
    assert found is not None
    return found


async def _up_to_summary(user: UserHandle, token: str, name: str, language: str = "zh-CN") -> BotMessage:
    """Open the link and answer every question; stop at the summary (not confirmed)."""
    await user.ask(f"/start {token}")
    await user.wait_for()
    for field in ("name", "department", "title", "office_phone", "mobile"):
        await user.ask({**ANSWERS, "name": name}[field])
    summary = await user.ask(ANSWERS["email"])
    assert t(language, "registration.confirm-button") in summary.button_texts
    return summary


async def _confirm(user: UserHandle, summary: BotMessage, language: str = "zh-CN") -> BotMessage:
    """Press the summary's confirm button; the bot's answer (its new message)."""
    user.skip_pending()
    await user.press(t(language, "registration.confirm-button"), summary)
    return await user.wait_for(lambda m: m.message_id != summary.message_id)


def _primaries(storage: Storage, unit: Unit) -> list[tuple[Role, str | None]]:
    return [(x.role, x.person.name) for x in storage.roles.liaisons_of_unit(unit_id=unit.id)]  # type: ignore[arg-type]


async def test_abandoned_registration_confirmed_after_its_invite_expired_changes_nothing(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = _unit(storage)
    first = emu.user(6501, first_name="A", language_code="zh-hans")
    token, invite = make_invite(pgs, expires_in=timedelta(days=3))
    summary = await _up_to_summary(first, token, "甲某")  # then forgotten
    bot_app.clock.advance(timedelta(days=5))
    await register(emu.user(6502, first_name="B", language_code="zh-hans"), make_invite(pgs, expires_in=timedelta(days=30))[0], {"name": "乙某"})
    bot_app.clock.advance(timedelta(days=40))

    told = await _confirm(first, summary)

    expires = invite.expires_at.astimezone(bot_app.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
    assert told.text == _plain("registration.refused.expired", expires=expires)
    assert "2023-08-19 10:00" in told.text  # 3 days after the invite was made, in the campaign's time zone
    assert _primaries(storage, pgs) == [(Role.primary, "乙某")]
    first_id = person_id_of(storage, 6501)
    assert storage.roles.roles_of(person_id=first_id) == []
    assert storage.drafts.get_draft(person_id=first_id, flow="registration") is None
    refused = storage.audit.recent_events(action="registration.refused")
    assert [(e.actor_person_id, e.details["reason"], e.details["invite_id"]) for e in refused] == [(first_id, "expired", invite.id)]
    assert [m.buttons for m in first.messages if m.message_id == summary.message_id] == [[]]  # the summary's buttons are gone


async def test_a_unit_that_got_another_primary_meanwhile_is_not_silently_taken_over(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = _unit(storage)
    coordinator = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await coordinator.ask("/start")
    first = emu.user(6511, first_name="A", language_code="en")
    summary = await _up_to_summary(first, make_invite(pgs, expires_in=timedelta(days=30))[0], "贾某", language="en")
    bot_app.clock.advance(timedelta(days=1))
    second = emu.user(6512, first_name="B", language_code="zh-hans")
    await register(second, make_invite(pgs, expires_in=timedelta(days=30))[0], {"name": "乙某"})
    coordinator.skip_pending()
    bot_app.clock.advance(timedelta(days=1))

    told = await _confirm(first, summary, language="en")  # the invite is still valid, but 乙某 registered meanwhile

    assert told.text == _plain("registration.refused.primary-changed", language="en", unit=pgs.name)
    assert _primaries(storage, pgs) == [(Role.primary, "乙某")]
    assert [h.ended_reason for h in storage.roles.role_history(unit_id=pgs.id)] == [None]  # type: ignore[arg-type]
    assert not any("no longer" in m.text or "不再担任" in m.text for m in second.messages)  # 乙某 was not replaced
    first_id = person_id_of(storage, 6511)
    assert storage.roles.roles_of(person_id=first_id) == []
    assert [e.details["reason"] for e in storage.audit.recent_events(action="registration.refused")] == ["primary-changed"]
    assert len(storage.audit.recent_events(action="registration.confirm")) == 1  # 乙某's only
    # a new invite from the coordinator is the way to take over: it replaces 乙某, who is told
    await register(first, make_invite(pgs)[0], {"name": "贾某"}, language="en")
    assert _primaries(storage, pgs) == [(Role.primary, "贾某")]
    await second.wait_for(lambda m: "不再担任" in m.text)


async def test_the_primary_the_invite_was_meant_to_replace_is_replaced(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = _unit(storage)
    await register(emu.user(6521, first_name="Old", language_code="zh-hans"), make_invite(pgs)[0], {"name": "老联络员"})
    bot_app.clock.advance(timedelta(hours=1))
    new = emu.user(6522, first_name="New", language_code="zh-hans")
    summary = await _up_to_summary(new, make_invite(pgs, expires_in=timedelta(days=7))[0], "新联络员")
    bot_app.clock.advance(timedelta(days=2))  # slow, but the invite is still valid and the primary is the one it was for
    done = await _confirm(new, summary)
    assert done.text.startswith("登记完成")
    assert _primaries(storage, pgs) == [(Role.primary, "新联络员")]


async def test_a_backup_registration_is_confirmed_though_the_primary_changed(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = _unit(storage)
    backup = emu.user(6531, first_name="B", language_code="zh-hans")
    summary = await _up_to_summary(backup, make_invite(pgs, role=Role.backup, expires_in=timedelta(days=7))[0], "B角某")
    await register(emu.user(6532, first_name="P", language_code="zh-hans"), make_invite(pgs)[0], {"name": "主联络员"})
    done = await _confirm(backup, summary)
    assert done.text.startswith("登记完成")
    assert _primaries(storage, pgs) == [(Role.primary, "主联络员"), (Role.backup, "B角某")]


async def test_a_revoked_invite_or_a_deactivated_unit_is_refused_at_confirmation(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs, shs = _unit(storage), _unit(storage, "shs")
    user = emu.user(6541, first_name="R", language_code="zh-hans")
    token, invite = make_invite(pgs)
    summary = await _up_to_summary(user, token, "撤销某")
    with storage.session() as s:
        row = s.get(Invite, invite.id)
        assert row is not None
        row.revoked = True
    told = await _confirm(user, summary)
    assert told.text == _plain("registration.refused.revoked")
    assert storage.roles.liaisons_of_unit(unit_id=pgs.id) == []  # type: ignore[arg-type]

    other = emu.user(6542, first_name="G", language_code="zh-hans")
    summary = await _up_to_summary(other, make_invite(shs)[0], "停用某")
    with storage.session() as s:
        from bot.storage import units

        units.upsert_units(s, units=[], now=bot_app.clock.now(), keep=[u.code for u in units.list_units(s) if u.code != "shs"])
    told = await _confirm(other, summary)
    assert told.text == _plain("registration.refused.unit-gone", unit=shs.name)
    assert storage.roles.liaisons_of_unit(unit_id=shs.id) == []  # type: ignore[arg-type]
    assert [e.details["reason"] for e in storage.audit.recent_events(action="registration.refused")] == ["unit-gone", "revoked"]


async def test_reopening_an_expired_link_ends_the_registration_at_once(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    user = emu.user(6551, first_name="L", language_code="zh-hans")
    token, _ = make_invite(_unit(storage), expires_in=timedelta(days=2))
    await user.ask(f"/start {token}")
    await user.wait_for()
    await user.ask("张伟")
    bot_app.clock.advance(timedelta(days=3))
    reply = await user.ask(f"/start {token}")
    assert reply.text == _plain("start.invite-invalid", reason=t("zh-CN", "invite-reason.expired"))
    assert storage.drafts.get_draft(person_id=person_id_of(storage, 6551), flow="registration") is None
    reply = await user.ask("药品股")  # no registration in progress any more
    assert reply.text != t("zh-CN", "registration.ask.title")
