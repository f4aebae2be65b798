"""The 宁夏 campaign (campaigns/ningxia.toml) for the end-to-end tests of units in levels, problems and tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Config, People, TelegramSettings, UnitCoordinator, load_config
from bot.storage import Storage
from emulator import Emulator
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, start_bot, stop_bot

NINGXIA = Path(__file__).resolve().parents[2] / "campaigns" / "ningxia.toml"
YC_COORDINATOR = 9201  # 银川市局's coordinator: 银川 and its 县(区)
SZS_COORDINATOR = 9202  # 石嘴山市局's coordinator


def ningxia_config(emulator: Emulator, **changes: Any) -> Config:
    """campaigns/ningxia.toml, pointed at the emulator, with a regional and two 市 coordinators."""
    config = load_config(NINGXIA)
    people = People(
        coordinators=[COORDINATOR], leaders=[LEADER],
        unit_coordinators=[UnitCoordinator(telegram_user_id=YC_COORDINATOR, unit="yc"), UnitCoordinator(telegram_user_id=SZS_COORDINATOR, unit="szs")],
    )
    return config.model_copy(update={"telegram": TelegramSettings(api_url=emulator.url), "people": people, **changes})


@pytest.fixture
async def ningxia_bot(emulator: Emulator, storage: Storage, now: datetime, files_dir: Path) -> AsyncIterator[RunningBot]:
    """The real bot running the 宁夏 campaign at the fixed test moment (2023-08-16 10:00)."""
    bot = await start_bot(ningxia_config(emulator), storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)
