"""The daily digest in its reader's language (period labels too), without liaisons who were replaced."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.models import Person
from bot.services.reminders import timer
from tests.app.notices_support import coordinator, texts, until
from tests.fixtures.app import COORDINATOR, RunningBot

EN_COORDINATOR = 9002
OLD, NEW, STILL = 7010, 7011, 7012


async def test_digest_in_the_readers_language_without_former_liaisons(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any],
) -> None:
    storage = bot_app.storage
    pgs, shs = (storage.units.get_unit_by_code(code=c) for c in ("pgs", "shs"))
    old = make_person(OLD, name="老联络员")
    make_liaison(pgs, old)
    storage.people.mark_unreachable(person_id=old.id, now=bot_app.clock.now())  # blocked the bot, then was replaced
    make_liaison(pgs, make_person(NEW, name="新联络员"))
    still = make_person(STILL, name="仍失联")
    make_liaison(shs, still)
    storage.people.mark_unreachable(person_id=still.id, now=bot_app.clock.now())
    coordinator(bot_app, make_person, EN_COORDINATOR, language="en")
    emu = bot_app.emulator
    zh = emu.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    en = emu.user(EN_COORDINATOR, first_name="Su", language_code="en")
    await zh.ask("/start")
    await en.ask("/start")

    morning = datetime(2023, 9, 6, 1, 0, tzinfo=UTC)  # 09:00: the August reports are overdue
    bot_app.clock.set(morning)
    await timer.process_due_moments(bot_app.app.bot_data["services"], bot_app.app.bot, now=morning)
    await until(lambda: any("August 2023" in m for m in texts(en, "Daily digest")) and any("典型案例（2023年8月）" in m for m in texts(zh, "每日汇总")))
    digest_en = "\n".join(texts(en, "Daily digest"))
    assert "Typical cases (August 2023): " in digest_en and "2023年8月" not in digest_en
    assert "Unreachable (blocked the bot): 1: 仍失联" in digest_en
    assert "老联络员" not in digest_en and "、" not in digest_en.split("Unreachable")[0].split("\n", 1)[1]
    digest_zh = "\n".join(m for m in texts(zh, "每日汇总") if "典型案例（2023年8月）" in m)
    assert "仍失联" in digest_zh and "老联络员" not in digest_zh
