"""The poller's lease at a stop: a renewal still running in its thread (its task cancelled by the stop)
does not take the lease back after the release, which would hold off the next poller for a whole TTL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.models import PollerLease as LeaseRow
from bot.ops.lease import PollerLease
from bot.storage import Storage
from bot.storage import ops as ops_storage
from tests.fixtures.stall import stall

NOW = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)


def _held(storage: Storage) -> list[str]:
    with storage.session() as s:
        return [row.holder for row in s.exec(select(LeaseRow))]


def test_a_renewal_under_way_at_the_release_does_not_take_the_lease_back(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    lease = PollerLease(storage, bot_id=1, now=lambda: NOW, holder="this process")
    lease.take()
    held = stall(monkeypatch, ops_storage, "take_lease", timeout_s=10)
    gate, renewing = held.gate, held.reached
    renewal = threading.Thread(target=lease.renew)
    renewal.start()
    assert renewing.wait(5)
    release = threading.Thread(target=lease.release)
    release.start()
    release.join(0.3)
    assert release.is_alive()  # the release waits for the renewal under way
    gate.set()
    renewal.join(5)
    release.join(5)
    assert _held(storage) == []  # released after it, not taken back
    assert lease.renew() is True and _held(storage) == []  # a renewal after the release takes nothing
