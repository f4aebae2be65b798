"""Fixtures shared by the end-to-end tests of the submission flows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.clock import FixedClock
from emulator import Emulator
from bot.storage import Storage
from tests.app.helpers_coordinator import STATISTICS
from tests.app.levels_support import ningxia_bot
from tests.app.submit_helpers import STATS
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot


@pytest.fixture
async def stats_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    """The bot of the test campaign with the 附件1 statistics report (`STATS`) added."""
    base = campaign_config(emulator)
    bot = await start_bot(campaign_config(emulator, report_types=[*base.report_types, STATS]), storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


@pytest.fixture
async def export_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    """The shipped campaign plus seed 001's 附件1 statistics report (`STATISTICS`), for the coordinators' documents."""
    base = campaign_config(emulator)
    bot = await start_bot(campaign_config(emulator, report_types=[*base.report_types, STATISTICS]), storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


__all__ = ["ningxia_bot", "stats_bot"]
