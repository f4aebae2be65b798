"""Removing a backup liaison and revoking an unused invite, in chat (both languages, a bound coordinator's scope), audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.models import Person, Role
from bot.services.people.invites import create_invite
from tests.app.notices_support import coordinator
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

PGS_B, SHS_B = 7004, 7006
EN_COORDINATOR, BOUND = 9002, 9003


async def test_remove_a_backup_liaison_in_chat(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    storage = bot_app.storage
    units = {c: storage.units.get_unit_by_code(code=c) for c in ("pgs", "shs")}
    make_liaison(units["pgs"], make_person(PGS_B, name="甲B", language="zh-CN"), role=Role.backup)
    make_liaison(units["shs"], make_person(SHS_B, name="乙B", language="en"), role=Role.backup)
    coordinator(bot_app, make_person, BOUND, language="zh-CN", unit_code="shs")
    emu = bot_app.emulator
    shs_b = emu.user(SHS_B, first_name="乙B")
    await shs_b.ask("/start")

    # bound to 史河: sees only 史河's backup
    bound = emu.user(BOUND, first_name="史", language_code="zh-hans")
    mine = await ask(bound, "/backups", "B角联络员")
    assert mine.button_texts == ["移除 乙B（史河市场监管所）"]
    await bound.press("移除 乙B（史河市场监管所）")
    asked = await bound.wait_for(lambda m: "确认移除" in m.text)
    assert "<b>史河市场监管所</b>" in asked.source
    await bound.press("✅ 确认移除")
    await bound.wait_for(lambda m: "✅ 已移除 史河市场监管所 的B角联络员 乙B（已记录）" in m.text)
    told = await shs_b.wait_for(lambda m: "no longer backup liaison" in m.text)
    assert "史河市场监管所" in told.text
    person = storage.people.get_person_by_telegram_id(telegram_user_id=SHS_B)
    assert [a for a in storage.roles.roles_of(person_id=person.id) if a.role == Role.backup] == []
    [event] = storage.audit.recent_events(action="role.end", limit=5)
    bound_person = storage.people.get_person_by_telegram_id(telegram_user_id=BOUND)
    assert event.actor_person_id == bound_person.id and event.details["unit"] == "shs"

    # the campaign-wide coordinator (English) still sees 平岗's; pressing a stale confirmation changes nothing
    coordinator(bot_app, make_person, EN_COORDINATOR, language="en")
    en = emu.user(EN_COORDINATOR, first_name="Su", language_code="en")
    listing = await ask(en, "/backups", "Backup liaisons")
    assert listing.button_texts == ["Remove 甲B (平岗市场监管所)"]
    await en.press("Remove 甲B (平岗市场监管所)")
    await en.wait_for(lambda m: "Remove 甲B as backup liaison of 平岗市场监管所?" in m.text)
    await en.press("Cancel")
    await en.wait_for(lambda m: "nothing was changed" in m.text)
    assert len(storage.roles.people_with_role(role=Role.backup)) == 1
    # (the bound coordinator's list is now empty)
    none = await ask(bound, "/backups", "没有B角联络员")
    assert none.button_texts == []


async def test_revoke_an_unused_invite_in_chat(bot_app: RunningBot, make_person: Callable[..., Person]) -> None:
    services = bot_app.app.bot_data["services"]
    now = bot_app.clock.now()
    pgs = create_invite(services, role=Role.primary, unit_code="pgs", now=now)
    shs = create_invite(services, role=Role.backup, unit_code="shs", now=now)
    coordinator(bot_app, make_person, BOUND, language="zh-CN", unit_code="shs")
    bound = bot_app.emulator.user(BOUND, first_name="史", language_code="zh-hans")
    mine = await ask(bound, "/invites", "未使用的邀请")
    assert f"#{shs.invite.id}　史河市场监管所　B角联络员" in mine.text and "平岗" not in mine.text
    assert mine.button_texts == [f"撤销 #{shs.invite.id}（史河市场监管所）"]

    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="en")
    await user.send("/lang")
    await user.wait_for(lambda m: "English" in m.button_texts)
    await user.press("English")
    await user.wait_for(lambda m: "English" in m.text)
    listing = await ask(user, "/invites", "Unused invites (2)")
    assert f"#{pgs.invite.id}  平岗市场监管所  " in listing.text
    await user.press(f"Revoke #{pgs.invite.id} (平岗市场监管所)")
    await user.wait_for(lambda m: f"Revoke invite #{pgs.invite.id}?" in m.text)
    await user.press("✅ Revoke")
    await user.wait_for(lambda m: f"Invite #{pgs.invite.id} revoked" in m.text)
    [event] = bot_app.storage.audit.recent_events(action="invite.revoke")
    assert event.subject == f"invite:{pgs.invite.id}" and event.details["unit"] == "pgs"

    # the link no longer registers anyone
    stranger = bot_app.emulator.user(7100, first_name="新")
    refused = await ask(stranger, f"/start {pgs.token}", "撤销")
    assert "撤销" in refused.text
    left = await ask(user, "/invites", "Unused invites (1)")
    assert "平岗" not in left.text


def test_cli_lists_and_revokes_invites_and_removes_a_backup(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], capsys: Any,
) -> None:
    from bot.cli import main as cli_main

    storage = bot_app.storage
    url = storage.engine.url.render_as_string(hide_password=False)
    services = bot_app.app.bot_data["services"]
    made = create_invite(services, role=Role.backup, unit_code="shs", now=bot_app.clock.now(), expires=timedelta(days=36500))  # the CLI reads the real clock
    assert cli_main(["invite", "list", "--database-url", url]) == 0
    assert f"#{made.invite.id}\tshs\tbackup\tvalid until" in capsys.readouterr().out
    assert cli_main(["invite", "revoke", str(made.invite.id), "--database-url", url]) == 0
    assert f"invite #{made.invite.id} revoked (shs, backup)" in capsys.readouterr().out
    assert cli_main(["invite", "revoke", str(made.invite.id), "--database-url", url]) == 1  # already revoked
    assert "nothing changed" in capsys.readouterr().err
    assert cli_main(["invite", "revoke", "abc", "--database-url", url]) == 2
    assert cli_main(["invite", "pgs", "7", "--database-url", url, "--bot-username", "b"]) == 2  # stray words
    [event] = storage.audit.recent_events(action="invite.revoke")
    assert event.actor_person_id is None and event.subject == f"invite:{made.invite.id}"

    unit = storage.units.get_unit_by_code(code="pgs")
    make_liaison(unit, make_person(PGS_B, name="甲B"), role=Role.backup)
    make_liaison(unit, make_person(SHS_B, name="又一B"), role=Role.backup)
    assert cli_main(["remove-backup", "pgs", "--database-url", url]) == 0
    listed = capsys.readouterr().out
    assert f"{PGS_B}\t甲B" in listed and f"{SHS_B}\t又一B" in listed
    assert cli_main(["remove-backup", "pgs", "无此人", "--database-url", url]) == 2
    assert "its backups: 甲B" in capsys.readouterr().err
    assert cli_main(["remove-backup", "nope", "x", "--database-url", url]) == 2
    assert cli_main(["remove-backup", "pgs", str(PGS_B), "--database-url", url]) == 0
    assert "甲B is no longer backup liaison of pgs" in capsys.readouterr().out
    assert [p.telegram_user_id for p in storage.roles.people_with_role(role=Role.backup)] == [SHS_B]
    [event] = storage.audit.recent_events(action="role.end", limit=1)
    assert event.details["unit"] == "pgs" and event.details["role"] == "backup"
