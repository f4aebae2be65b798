"""The clock: domain code takes `now`; the application reads it here, once per use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current moment as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(tz=UTC)


class FixedClock:
    """A clock for tests and the scripted demo: it moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """The clock's current moment."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward."""
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        """Move the clock to a moment."""
        if moment.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._now = moment.astimezone(UTC)
