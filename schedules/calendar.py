"""The working-day calendar of mainland China (工作日), with make-up working days (调休).

Public holidays and make-up working days come from the `holidays` package
(`holidays.China`: its holidays, and `weekend_workdays` for 调休 Saturdays and Sundays);
`CalendarSettings` adds holidays and working days for years the package does not know yet.
Each year is computed once and cached.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from schedules.rules import CalendarSettings

_MAX_STEPS = 366  # no run of non-working days is longer than a year


@lru_cache(maxsize=256)
def _year_tables(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, weekend make-up working days) of one year, from `holidays.China`."""
    # A year's 调休 Saturday may be announced with the next year's holidays (e.g. 2001-12-29 for 2002).
    cn = holidays.China(years=(year, year + 1))
    off = frozenset(d for d in cn if d.year == year)
    on = frozenset(d for d in cn.weekend_workdays if d.year == year)
    return off, on


class ChinaCalendar:
    """Working days in China: Monday to Friday, minus public holidays, plus make-up working days."""

    def __init__(self, settings: CalendarSettings | None = None) -> None:
        settings = settings or CalendarSettings()
        self._extra_off = frozenset(settings.extra_holidays)
        self._extra_on = frozenset(settings.extra_working_days)
        self._cache: dict[date, bool] = {}

    def is_holiday(self, d: date) -> bool:
        """True on a public holiday (including the config's extra holidays)."""
        if d in self._extra_on:
            return False
        return d in self._extra_off or d in _year_tables(d.year)[0]

    def is_working_day(self, d: date) -> bool:
        """True if people work on this day (a make-up Saturday counts, a holiday Monday does not)."""
        hit = self._cache.get(d)
        if hit is not None:
            return hit
        if d in self._extra_on:
            result = True
        elif d in self._extra_off:
            result = False
        else:
            off, on = _year_tables(d.year)
            result = d in on if d.weekday() >= 5 else d not in off
        self._cache[d] = result
        return result

    def next_working_day(self, d: date, *, inclusive: bool = True) -> date:
        """The first working day on or after `d` (after it, if not `inclusive`)."""
        day = d if inclusive else d + timedelta(days=1)
        for _ in range(_MAX_STEPS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within a year after {d}")

    def previous_working_day(self, d: date, *, inclusive: bool = True) -> date:
        """The last working day on or before `d` (before it, if not `inclusive`)."""
        day = d if inclusive else d - timedelta(days=1)
        for _ in range(_MAX_STEPS):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        raise ValueError(f"no working day within a year before {d}")
