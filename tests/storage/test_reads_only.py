"""`Services.reads` is for calls that only read: on SQLite it runs them on the event loop, where a transaction that
may write (`Storage.session()`: BEGIN IMMEDIATE) would wait for another connection's write lock and hold up every
update meanwhile; on PostgreSQL in a thread. A `session()` inside one is a `ReadsOnlyWarning` (an error here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import FixedClock
from bot.config import load_config
from bot.context import Services, open_services
from bot.storage import Storage, units
from bot.storage.base import ReadsOnlyWarning

NOW = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)


@pytest.fixture
def services(storage: Storage) -> Services:
    return open_services(load_config(), storage, secret=b"test", clock=FixedClock(NOW))


async def test_a_session_inside_reads_is_refused_and_a_read_is_not(services: Services) -> None:
    def writes_maybe() -> int:
        with services.storage.session() as s:
            return len(units.list_units(s))

    def reads() -> int:
        with services.storage.read() as s:
            return len(units.list_units(s))

    with pytest.raises(ReadsOnlyWarning, match="inside Services.reads"):
        await services.reads(writes_maybe)
    assert await services.reads(reads) == 0
    assert await services.writes(writes_maybe) == 0  # (the same call through `writes`: fine)
