"""Units in levels: a liaison found unreachable (403) is reported to the coordinators of the level above their unit
("上报一级"), not to every coordinator: a 县's to its 市's coordinator, the 自治区 unit's (nothing bound above it) to
the campaign-wide ones; a 市局's own liaison to that 市's coordinator. In a flat campaign every coordinator hears of it (tests/app/test_reminders*.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.context import SERVICES_KEY, Services
from bot.services.tasks import progress
from tests.app.helpers_coordinator import liaison
from tests.app.levels_support import SZS_COORDINATOR, YC_COORDINATOR
from tests.fixtures.app import COORDINATOR, RunningBot


async def test_an_unreachable_liaison_is_reported_to_the_level_above_only(ningxia_bot: RunningBot) -> None:
    now = ningxia_bot.clock.now()
    liaison(ningxia_bot.storage, "yc-xq", telegram_user_id=7311, name="兴庆联络员", mobile="13900000021", now=now)
    liaison(ningxia_bot.storage, "nx", telegram_user_id=7312, name="区局联络员", mobile="13900000022", now=now)
    liaison(ningxia_bot.storage, "szs", telegram_user_id=7313, name="石嘴山市局联络员", mobile="13900000023", now=now)
    region, yc, szs = (ningxia_bot.emulator.user(uid, language_code="zh-hans") for uid in (COORDINATOR, YC_COORDINATOR, SZS_COORDINATOR))
    for user in (region, yc, szs):
        await user.ask("/start")
    for uid in (7311, 7312, 7313):
        user = ningxia_bot.emulator.user(uid, language_code="zh-hans")
        await user.ask("/start")
        user.block()

    # a day on, the tasks not acknowledged are chased: both liaisons turn out unreachable
    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    later = now + timedelta(days=1)
    ningxia_bot.clock.set(later)
    assert await progress.chase(services, ningxia_bot.app.bot, now=later) == 0

    told = await yc.wait_for(lambda m: "已屏蔽机器人" in m.text)
    assert "兴庆联络员（兴庆区市场监督管理局）" in told.text
    wide = await region.wait_for(lambda m: "已屏蔽机器人" in m.text)
    assert "区局联络员（自治区药品监督管理局）" in wide.text
    own = await szs.wait_for(lambda m: "已屏蔽机器人" in m.text)  # the 市局's own liaison: its coordinator answers for it
    assert "石嘴山市局联络员（石嘴山市市场监督管理局）" in own.text
    notices = {name: [m.text for m in u.messages if "已屏蔽机器人" in m.text] for name, u in (("region", region), ("yc", yc), ("szs", szs))}
    assert {k: len(v) for k, v in notices.items()} == {"region": 1, "yc": 1, "szs": 1}  # each hears of its own only, once
