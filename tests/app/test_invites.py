"""Invites in chat (/invite), on the command line, the roster (/liaisons) and unreachable liaisons."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as cli_main
from bot.context import SERVICES_KEY, Services
from bot.models import Person, Role
from bot.services.people import invites as invite_service
from bot.services.people import roster
from bot.storage import Storage, invites
from bot.texts.catalog import t, tn
from tests.app.registration_support import fast_sends, register, reply_to, settle
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot
from tests.fixtures.emulator import TEST_BOT_USERNAME

__all__ = ["fast_sends"]
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def test_coordinator_invites_in_chat_and_the_link_registers(bot_app: RunningBot) -> None:
    emu, storage = bot_app.emulator, bot_app.storage
    coordinator = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await settle(coordinator)
    menu = await reply_to(coordinator, "/invite", t("zh-CN", "invite.choose-unit"))
    assert "平岗市场监管所" in menu.button_texts and t("zh-CN", "role.coordinator") in menu.button_texts
    coordinator.skip_pending()
    await coordinator.press("平岗市场监管所")
    roles_menu = await coordinator.wait_for()
    assert roles_menu.button_texts == [t("zh-CN", "role.primary"), t("zh-CN", "role.backup"), t("zh-CN", "role.head")]
    await coordinator.press(t("zh-CN", "role.backup"))
    shown = await coordinator.wait_for()
    m = LINK.search(shown.text)
    assert m is not None and m.group(1) == TEST_BOT_USERNAME and not shown.buttons
    token = m.group(2)
    assert 32 <= len(token) <= 64
    stored = storage.invites.get_invite_by_hash(token_hash=invites.hash_token(token))
    assert stored is not None and stored.role == Role.backup and stored.created_by_person_id is not None
    # the token itself is nowhere in the database
    with storage.session() as s:
        from sqlmodel import text

        dump = " ".join(str(r) for table in ("invite", "audit_event") for r in s.exec(text(f"SELECT * FROM {table}")))  # type: ignore[call-overload]
    assert token not in dump

    liaison = emu.user(6101, first_name="B", language_code="zh-hans")
    await register(liaison, token, {"name": "新B角"})
    pgs = storage.units.get_unit_by_code(code="pgs")
    assert pgs is not None
    assert [(x.role, x.person.name) for x in storage.roles.liaisons_of_unit(unit_id=pgs.id)] == [(Role.backup, "新B角")]
    notice = await coordinator.wait_for(lambda msg: "新B角" in msg.text)
    assert "平岗市场监管所" in notice.text and t("zh-CN", "role.backup") in notice.text


async def test_invite_service_is_scriptable(bot_app: RunningBot) -> None:
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    now = bot_app.clock.now()
    token = invite_service.create_invite_token(services, unit_code="shs", role="primary", now=now, expires=timedelta(days=3))
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token)
    with pytest.raises(invite_service.InviteError):
        invite_service.create_invite(services, unit_code="nope", now=now)
    with pytest.raises(invite_service.InviteError):
        invite_service.create_invite(services, unit_code="shs", role=Role.leader, now=now)  # a leader is campaign-wide
    bound = invite_service.create_invite(services, unit_code="shs", role=Role.coordinator, now=now)  # a coordinator of one level
    assert bound.unit is not None and bound.unit.code == "shs" and bound.invite.role is Role.coordinator
    with pytest.raises(invite_service.InviteError):
        invite_service.create_invite(services, unit_code="nope", role=Role.coordinator, now=now)
    with pytest.raises(invite_service.InviteError):
        invite_service.create_invite(services, role=Role.primary, now=now)
    assert invite_service.invite_link("@bot", token) == f"https://t.me/bot?start={token}"


async def test_roster_for_coordinator_and_leader(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], make_invite: Callable[..., Any]) -> None:
    emu, storage = bot_app.emulator, bot_app.storage
    pgs, shs = storage.units.get_unit_by_code(code="pgs"), storage.units.get_unit_by_code(code="shs")
    make_liaison(pgs, make_person(6201, name="甲联络员", mobile="13800000001"))
    blocked = make_person(6202, name="乙联络员", mobile="13800000002")
    make_liaison(pgs, blocked, role=Role.backup)
    storage.people.mark_unreachable(person_id=blocked.id, now=bot_app.clock.now())
    make_invite(shs)
    coordinator = emu.user(COORDINATOR, first_name="C", language_code="zh-hans")
    page = await reply_to(coordinator, "/liaisons", "联络员名册")  # (the digest it gets at start may come in between)
    block = page.text.split("平岗市场监管所", 1)[1]
    assert "甲联络员" in block and "13800000001" in block and "乙联络员" in block and "无法送达" in block
    assert t("zh-CN", "roster.invited").strip() in page.text.split("史河市场监管所", 1)[1].split("\n")[1]
    assert t("zh-CN", "roster.none").strip() in page.text
    leader = emu.user(LEADER, first_name="L", language_code="zh-hans")
    page = await reply_to(leader, "/liaisons", "联络员名册")
    assert "甲联络员" in page.text and "13800000001" not in page.text


def test_paginate_never_cuts_a_block() -> None:
    blocks = [f"unit {i}\n" + "x" * 300 for i in range(40)]
    pages = roster.paginate(blocks, limit=1000)
    assert len(pages) > 1 and all(len(p) <= 1000 for p in pages)
    assert "\n\n".join(pages) == "\n\n".join(blocks)
    assert roster.paginate([]) == [""]


async def test_long_roster_is_paged_with_buttons(bot_app: RunningBot, make_unit: Callable[..., Any], make_liaison: Callable[..., Any], make_person: Callable[..., Person]) -> None:
    for i in range(60):
        unit = make_unit(code=f"z{i:03}", name=f"测试单位{i:03}" + "很长的名字" * 8)
        make_liaison(unit, make_person(name=f"联络员{i:03}", mobile=f"1390000{i:04}"))
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="C", language_code="zh-hans")
    first = await reply_to(coordinator, "/liaisons", "联络员名册")
    assert len(first.source) <= 4096 and first.button_texts[0].startswith("1/") and first.button_texts[1:] == ["▶"]
    seen = first.text
    pages = 1
    current = first
    while "▶" in current.button_texts:
        coordinator.skip_pending()
        await coordinator.press("▶", current)
        edited = current = await coordinator.wait_for(lambda m: m.text.startswith("联络员名册"))
        assert len(edited.source) <= 4096
        seen += edited.text
        pages += 1
    assert pages > 1 and all(f"联络员{i:03}" in seen for i in range(60))


async def test_blocked_liaison_is_marked_unreachable_and_reachable_again(bot_app: RunningBot, make_invite: Callable[..., Any]) -> None:
    emu, storage = bot_app.emulator, bot_app.storage
    pgs = storage.units.get_unit_by_code(code="pgs")
    coordinator = emu.user(COORDINATOR, first_name="C", language_code="zh-hans")
    await coordinator.ask("/start")
    old = emu.user(6301, first_name="Old", language_code="zh-hans")
    await register(old, make_invite(pgs)[0], {"name": "老联络员"})
    old.block()
    await register(emu.user(6302, first_name="New", language_code="zh-hans"), make_invite(pgs)[0], {"name": "新联络员"})
    told = await coordinator.wait_for(lambda m: "屏蔽" in m.text)
    assert "老联络员" in told.text
    person = storage.people.get_person_by_telegram_id(telegram_user_id=6301)
    assert person is not None and not person.reachable
    await old.ask("/help")  # writing again unblocks
    person = storage.people.get_person_by_telegram_id(telegram_user_id=6301)
    assert person is not None and person.reachable


def test_cli_invite_prints_the_link(storage: Storage, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = storage.url if storage.dialect == "sqlite" else storage.engine.url.render_as_string(hide_password=False)
    assert cli_main(["invite", "pgs", "--role", "backup", "--expires", "3d", "--database-url", url, "--bot-username", "my_bot"]) == 0
    out = capsys.readouterr()
    m = LINK.fullmatch(out.out.strip())
    assert m is not None and m.group(1) == "my_bot"
    stored = storage.invites.get_invite_by_hash(token_hash=invites.hash_token(m.group(2)))
    assert stored is not None and stored.role == Role.backup
    assert cli_main(["invite", "nope", "--database-url", url, "--bot-username", "b"]) == 2
    assert cli_main(["invite", "--database-url", url, "--bot-username", "b"]) == 2  # a primary invite needs a unit
    assert cli_main(["invite", "pgs", "--database-url", url]) == 2  # no username known
    assert cli_main(["invite", "--role", "leader", "--database-url", url, "--bot-username", "b"]) == 0


def test_cli_import_units_all_or_nothing(storage: Storage, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.config import load_config
    from bot.services.people.campaign import sync_campaign

    url = storage.engine.url.render_as_string(hide_password=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,tags\nok1,好单位,所队\nbad code,,\nok1,重复,\n", encoding="utf-8")
    assert cli_main(["import-units", str(bad), "--database-url", url]) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "line 4" in err and "nothing was imported" in err
    assert storage.units.get_unit_by_code(code="ok1") is None
    good = tmp_path / "good.csv"
    good.write_text("code,name,tags\nxj1,新集所,所队;外勤\nxj2,新二所,所队、机关\n", encoding="gb18030")
    assert cli_main(["import-units", str(good), "--database-url", url]) == 0
    xj2 = storage.units.get_unit_by_code(code="xj2")
    assert xj2 is not None and xj2.tags == ["所队", "机关"] and xj2.active
    # the config's sync at start keeps imported units
    sync_campaign(storage, load_config(), now=invite_service_now())
    xj1 = storage.units.get_unit_by_code(code="xj1")
    assert xj1 is not None and xj1.active


def invite_service_now() -> Any:
    from tests.fixtures.clock import FIXED_NOW

    return FIXED_NOW


def test_cli_import_units_from_xlsx(storage: Storage, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    url = storage.engine.url.render_as_string(hide_password=False)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("code", "name", "tags"), ("xl1", "表格一所", "所队;外勤"), ("xl2", "表格二所", None)):
        sheet.append(row)
    good = tmp_path / "units.xlsx"
    book.save(good)
    assert cli_main(["import-units", str(good), "--database-url", url]) == 0
    xl1 = storage.units.get_unit_by_code(code="xl1")
    xl2 = storage.units.get_unit_by_code(code="xl2")
    assert xl1 is not None and xl1.name == "表格一所" and xl1.tags == ["所队", "外勤"]
    assert xl2 is not None and xl2.tags == []
    sheet.append(("bad code", "", ""))
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    assert cli_main(["import-units", str(bad), "--database-url", url]) == 1
    assert "line 4" in capsys.readouterr().err


async def test_invite_pages_a_hundred_units(bot_app: RunningBot, make_unit: Callable[..., Any]) -> None:
    """Telegram refuses an inline keyboard of more than 100 buttons: /invite shows the units a page at a time."""
    from bot.services.people.invite_menu import PAGE_SIZE

    for i in range(90):
        make_unit(code=f"y{i:03}", name=f"测试所{i:03}")
    storage = bot_app.storage
    names = [u.name for u in storage.units.list_units()]
    assert len(names) > 100
    pages = -(-len(names) // PAGE_SIZE)
    roles = [t("zh-CN", "role.coordinator"), t("zh-CN", "role.leader")]
    prev, nxt = "◀", "▶"
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="C", language_code="zh-hans")
    await settle(coordinator)

    shown = await reply_to(coordinator, "/invite", t("zh-CN", "invite.choose-unit"))
    assert t("zh-CN", "invite.page", page=1, pages=pages, units=tn("zh-CN", "counts.units", len(names))) in shown.text
    assert shown.button_texts == names[:PAGE_SIZE] + [f"1/{pages}", nxt] + roles
    seen = list(names[:PAGE_SIZE])
    for page in range(2, pages + 1):
        coordinator.skip_pending()
        await coordinator.press(nxt, shown)
        shown = await coordinator.wait_for()
        assert t("zh-CN", "invite.page", page=page, pages=pages, units=tn("zh-CN", "counts.units", len(names))) in shown.text
        units = [b for b in shown.button_texts if b not in (prev, nxt, f"{page}/{pages}", *roles)]
        assert len(shown.buttons) <= 100 and 0 < len(units) <= PAGE_SIZE
        assert shown.button_texts[len(units)] == prev and shown.button_texts[len(units) + 1] == f"{page}/{pages}" and shown.button_texts[-2:] == roles
        seen += units
    assert seen == names and nxt not in shown.button_texts  # every unit once, in order; the last page has no ›

    coordinator.skip_pending()
    await coordinator.press(prev, shown)
    shown = await coordinator.wait_for()
    assert t("zh-CN", "invite.page", page=pages - 1, pages=pages, units=tn("zh-CN", "counts.units", len(names))) in shown.text
    target = names[(pages - 2) * PAGE_SIZE]
    coordinator.skip_pending()
    await coordinator.press(target, shown)
    assert (await coordinator.wait_for()).text == t("zh-CN", "invite.choose-role", unit=target).replace("<b>", "").replace("</b>", "")
    await coordinator.press(t("zh-CN", "role.primary"))
    made = await coordinator.wait_for(lambda m: LINK.search(m.text) is not None)
    link = LINK.search(made.text)
    assert link is not None
    stored = storage.invites.get_invite_by_hash(token_hash=invites.hash_token(link.group(2)))
    assert stored is not None and stored.role == Role.primary and stored.unit_id is not None
    unit = storage.units.get_unit(unit_id=stored.unit_id)
    assert unit is not None and unit.name == target
    assert bot_app.emulator.violations == []  # no keyboard Telegram would refuse


async def test_invite_page_that_no_longer_exists_is_stale(bot_app: RunningBot) -> None:
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="C", language_code="zh-hans")
    await settle(coordinator)
    shown = await reply_to(coordinator, "/invite", t("zh-CN", "invite.choose-unit"))
    assert "▶" not in shown.button_texts  # the shipped campaign fits on one page
    await coordinator._callback(coordinator.id, shown, {"text": "›", "callback_data": services.buttons.pack(COORDINATOR, "inv:p", 1)})
    for _ in range(200):
        if coordinator.callback_answers:
            break
        await asyncio.sleep(0.01)
    assert coordinator.callback_answers[-1]["text"] == t("zh-CN", "error.stale-button")
