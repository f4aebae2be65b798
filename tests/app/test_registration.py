"""Registration end to end: invite links, questions with wrong answers, summary, replacement, coordinators told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.models import Invite, Role, Unit
from bot.storage import Storage
from bot.texts.catalog import t
from tests.app.registration_support import ANSWERS, fast_sends, person_id_of, press_old, register
from tests.fixtures.app import COORDINATOR, RunningBot, start_bot, stop_bot

__all__ = ["fast_sends"]

MakeInvite = Callable[..., tuple[str, Invite]]


def unit(storage: Storage, code: str = "pgs") -> Unit:
    found = storage.units.get_unit_by_code(code=code)
    assert found is not None
    return found


async def test_full_registration_with_wrong_answers_corrected(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = unit(storage)
    token, _ = make_invite(pgs)
    coordinator = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await coordinator.ask("/start")  # the coordinator has a private chat with the bot
    user = emu.user(6001, first_name="Zhang", language_code="zh-hans")

    intro = await user.ask(f"/start {token}")
    assert "平岗市场监管所" in intro.text and t("zh-CN", "role.primary") in intro.text
    assert (await user.wait_for()).source == t("zh-CN", "registration.ask.name")
    assert (await user.ask("张")).text == _plain("registration.invalid.name")  # too short
    assert (await user.wait_for()).source == t("zh-CN", "registration.ask.name")  # the same question again
    assert (await user.ask("张<b>伟")).text == _plain("registration.invalid.name")
    await user.wait_for()
    assert (await user.ask("张伟")).source == t("zh-CN", "registration.ask.department")
    assert (await user.ask("药品<i>股</i>")).source == t("zh-CN", "registration.ask.title")  # accepted, shown escaped later
    assert (await user.ask("副股长")).source == t("zh-CN", "registration.ask.office-phone")
    assert (await user.ask("电话")).text == _plain("registration.invalid.office-phone")
    await user.wait_for()
    assert (await user.ask("(0564)1234567")).source == t("zh-CN", "registration.ask.mobile")
    assert (await user.ask("12345")).text == _plain("registration.invalid.mobile")
    await user.wait_for()
    assert (await user.ask("+86 138-0000-1234")).source == t("zh-CN", "registration.ask.email")
    assert (await user.ask("not-an-email")).text == _plain("registration.invalid.email")
    await user.wait_for()
    summary = await user.ask("ZW@Example.GOV.cn")
    assert "13800001234" in summary.text and "0564-1234567" in summary.text and "ZW@example.gov.cn" in summary.text
    assert "药品&lt;i&gt;股&lt;/i&gt;" in summary.source  # what was typed is escaped, not markup

    # correct a field from the summary
    await user.press(t("zh-CN", "registration.edit-button", label=t("zh-CN", "registration.field.title")))
    assert (await user.wait_for(lambda m: bool(m.text) and not m.buttons and m.message_id != summary.message_id)).source == t("zh-CN", "registration.ask.title")
    summary2 = await user.ask("股长")
    assert "股长" in summary2.text and summary2.buttons
    # the first summary's buttons are stale now
    user.skip_pending()
    await press_old(user, summary, t("zh-CN", "registration.confirm-button"))
    await _until(lambda: any(a.get("text") == t("zh-CN", "error.stale-button") for a in user.callback_answers))

    await user.press(t("zh-CN", "registration.confirm-button"), summary2)
    done = await user.wait_for(lambda m: "登记完成" in m.text)
    assert "平岗市场监管所" in done.text

    person = storage.people.get_person_by_telegram_id(telegram_user_id=6001)
    assert person is not None and person.name == "张伟" and person.mobile == "13800001234" and person.title == "股长"
    liaisons = storage.roles.liaisons_of_unit(unit_id=pgs.id)
    assert [(x.role, x.person.id) for x in liaisons] == [(Role.primary, person.id)]
    assert storage.audit.recent_events(action="registration.confirm")
    assert storage.drafts.get_draft(person_id=person.id, flow="registration") is None

    notice = await coordinator.wait_for(lambda m: "新登记" in m.text)
    assert "张伟" in notice.text and "平岗市场监管所" in notice.text and "13800001234" in notice.text

    # pressing confirm again (finished flow) is refused
    n = len(user.callback_answers)
    await press_old(user, summary2, t("zh-CN", "registration.confirm-button"))
    await _until(lambda: len(user.callback_answers) > n)
    assert user.callback_answers[-1]["text"] == t("zh-CN", "error.stale-button")


async def test_expired_reused_and_forged_tokens_are_refused(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = unit(storage)
    expired, _ = make_invite(pgs, expires_in=timedelta(days=1))
    bot_app.clock.advance(timedelta(days=2))
    user = emu.user(6002, first_name="Li", language_code="zh-hans")
    reply = await user.ask(f"/start {expired}")
    assert reply.text == _plain("start.invite-invalid", reason=t("zh-CN", "invite-reason.expired"))

    good, _ = make_invite(pgs, expires_in=timedelta(days=30))
    await user.ask(f"/start {good}")
    other = emu.user(6003, first_name="Wang", language_code="en")
    reply = await other.ask(f"/start {good}")  # a forwarded link: already bound to the first person
    assert reply.text == _plain("start.invite-invalid", language="en", reason=t("en", "invite-reason.used"))

    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    reply = await other.ask(f"/start {forged}")
    assert reply.text == _plain("start.invite-invalid", language="en", reason=t("en", "invite-reason.unknown"))
    reply = await other.ask("/start <script>")
    assert reply.text == _plain("start.invite-invalid", language="en", reason=t("en", "invite-reason.unknown"))
    assert storage.roles.liaisons_of_unit(unit_id=pgs.id) == []

    # the first person opening their link again resumes where they were
    reply = await user.ask(f"/start {good}")
    assert reply.text == _plain("registration.resumed")


async def test_new_primary_replaces_the_old_one_who_is_told(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = unit(storage)
    first = emu.user(6011, first_name="Old", language_code="zh-hans")
    second = emu.user(6012, first_name="New", language_code="zh-hans")
    coordinator = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await coordinator.ask("/start")
    await register(first, make_invite(pgs)[0], {"name": "老联络员"})
    bot_app.clock.advance(timedelta(hours=1))
    await register(second, make_invite(pgs)[0], {"name": "新联络员", "mobile": "13900000000"})

    told = await first.wait_for(lambda m: "不再担任" in m.text)
    assert "新联络员" in told.text and "平岗市场监管所" in told.text
    active = storage.roles.liaisons_of_unit(unit_id=pgs.id)
    assert [x.person.name for x in active] == ["新联络员"]
    history = storage.roles.role_history(unit_id=pgs.id)
    assert [(h.role, h.ended_reason) for h in history] == [(Role.primary, "replaced"), (Role.primary, None)]
    notice = await coordinator.wait_for(lambda m: "新联络员" in m.text and "老联络员" in m.text)
    assert "13900000000" in notice.text


async def test_backup_liaison_keeps_the_primary(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = unit(storage)
    await register(emu.user(6021, first_name="P", language_code="zh-hans"), make_invite(pgs)[0], {"name": "主联络员"})
    await register(emu.user(6022, first_name="B", language_code="zh-hans"), make_invite(pgs, role=Role.backup)[0], {"name": "B角"})
    active = storage.roles.liaisons_of_unit(unit_id=pgs.id)
    assert [(x.role, x.person.name) for x in active] == [(Role.primary, "主联络员"), (Role.backup, "B角")]


async def test_restart_in_the_middle_resumes(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    pgs = unit(storage)
    user = emu.user(6031, first_name="R", language_code="zh-hans")
    await user.ask(f"/start {make_invite(pgs)[0]}")
    await user.wait_for()
    await user.ask("张伟")
    await user.ask("药品股")
    await stop_bot(bot_app)
    restarted = await start_bot(bot_app.config, storage, bot_app.clock, emu)
    try:
        assert (await user.ask("副股长")).source == t("zh-CN", "registration.ask.office-phone")
        await user.ask(ANSWERS["office_phone"])
        await user.ask(ANSWERS["mobile"])
        summary = await user.ask(ANSWERS["email"])
        assert "张伟" in summary.text and "药品股" in summary.text
        await user.press(t("zh-CN", "registration.confirm-button"))
        await user.wait_for(lambda m: "登记完成" in m.text)
        assert storage.roles.liaisons_of_unit(unit_id=pgs.id)[0].person.id == person_id_of(storage, 6031)
    finally:
        await stop_bot(restarted)


async def test_me_shows_and_edits_ones_record(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    user = emu.user(6041, first_name="M", language_code="en")
    await register(user, make_invite(unit(storage))[0], language="en")
    record = await user.ask("/me")
    assert "13800001234" in record.text and "Pinggang" not in record.text and "平岗市场监管所" in record.text
    await user.press(t("en", "registration.edit-button", label=t("en", "registration.field.mobile")))
    assert (await user.wait_for(lambda m: not m.buttons)).source == t("en", "registration.ask.mobile")
    assert (await user.ask("123")).text == _plain("registration.invalid.mobile", language="en")
    await user.wait_for()
    assert (await user.ask("139 1111 2222")).text == t("en", "me.saved")
    again = await user.wait_for()
    assert "13911112222" in again.text
    person = storage.people.get_person_by_telegram_id(telegram_user_id=6041)
    assert person is not None and person.mobile == "13911112222"


async def test_campaign_wide_invite_makes_a_leader(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    storage, emu = bot_app.storage, bot_app.emulator
    user = emu.user(6051, first_name="L", language_code="zh-hans")
    token, _ = make_invite(None, role=Role.leader)
    intro = await user.ask(f"/start {token}")
    assert t("zh-CN", "role.leader") in intro.text
    await user.wait_for()
    for field in ("name", "department", "title", "office_phone", "mobile"):
        await user.ask(ANSWERS[field])
    await user.ask(ANSWERS["email"])
    await user.press(t("zh-CN", "registration.confirm-button"))
    await user.wait_for(lambda m: "登记完成" in m.text)
    leaders = storage.roles.people_with_role(role=Role.leader)
    assert person_id_of(storage, 6051) in [p.id for p in leaders]


def _plain(key: str, language: str = "zh-CN", **params: Any) -> str:
    """A catalog text as the user sees it (markup removed)."""
    import re

    return re.sub(r"<[^>]+>", "", t(language, key, **params)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


async def test_registering_files_the_liaison_form(bot_app: RunningBot, make_invite: MakeInvite) -> None:
    from bot.config import TemplateKind

    storage = bot_app.storage
    pgs = unit(storage)
    keys = {r.key for r in bot_app.config.report_types if r.template == TemplateKind.LIAISON}
    assert keys, "the shipped campaign has a liaison-form report"
    with storage.session() as s:
        from bot.storage import due

        before = [v for v in due.open_obligations(s, unit_id=pgs.id) if v.due_item.report_key in keys]
    assert before
    await register(bot_app.emulator.user(6061, first_name="F", language_code="zh-hans"), make_invite(pgs)[0])
    with storage.session() as s:
        after = [v for v in due.open_obligations(s, unit_id=pgs.id) if v.due_item.report_key in keys]
    assert after == []
