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


class OffsetClock:
    """Real time running from a chosen start: the demo lives inside the campaign, not in today."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        import time

        self._start = start.astimezone(UTC)
        self._monotonic = time.monotonic
        self._origin = time.monotonic()
        self._shift = timedelta(0)

    def now(self) -> datetime:
        """The start plus the real time elapsed since, plus any jumps."""
        return self._start + timedelta(seconds=self._monotonic() - self._origin) + self._shift

    def advance(self, delta: timedelta) -> datetime:
        """Jump forward (the demo's "a day later")."""
        self._shift += delta
        return self.now()
