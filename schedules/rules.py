"""Schedule rules of a report type, as written in `config.toml` and validated.

Pure data: what a report type's deadlines look like. Computing the actual due
items lives in `schedules.periods` and `schedules.plan`.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Strict(BaseModel):
    """A config model: unknown keys are mistakes, not extras."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class HolidayRule(StrEnum):
    """What happens to a deadline that falls on a weekend or public holiday."""

    KEEP = "keep"
    NEXT_WORKING_DAY = "next_working_day"  # 顺延
    PREVIOUS_WORKING_DAY = "previous_working_day"


def _day_of_month(value: object) -> object:
    if value == "last" or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 31):
        return value
    raise ValueError('expected a day of the month from 1 to 31, or "last" for the month\'s last day (月底)')


# `day = "last"`: the last day of the month, whatever its length (月底). One check, one message.
DayOfMonth = Annotated[int | Literal["last"], BeforeValidator(_day_of_month)]


def day_number(day: int | Literal["last"] | None) -> int:
    """A configured day of the month as a number for `clamp_day`: "last" is 31, clamped to the month's end."""
    return 31 if day == "last" else (day or 1)


class MonthlySchedule(Strict):
    """Due every month on `day`; by default the item covers the previous month (每月2日前报送上月)."""

    kind: Literal["monthly"]
    day: DayOfMonth = Field(description='day of the month (clamped to the month\'s last day); "last": the last day')
    covers: Literal["previous_month", "current_month"] = "previous_month"


class PeriodEndSchedule(Strict):
    """Due after each quarter, half-year or year: `day` of the following month or `days_after` the end.

    `day = 15`: the 15th of the month after the period (after Q1: 15 April); `day = "last"`: that
    month's last day; `days_after = 0`: the period's own last day (Q1: 31 March), `days_after = 10`:
    ten days after it (10 April).
    """

    kind: Literal["quarterly", "half_yearly", "yearly"]
    day: DayOfMonth | None = Field(default=None, description='day of the month after the period; "last": its last day')
    days_after: int | None = Field(default=None, ge=0, le=366, description="days after the period's last day; 0: that day")
    month: int | None = Field(
        default=None, ge=1, le=12, description="yearly with 'day' only: the month of the following year (default 1)"
    )

    @model_validator(mode="after")
    def _one_way(self) -> PeriodEndSchedule:
        if (self.day is None) == (self.days_after is None):
            raise ValueError("give exactly one of 'day' (day of the month after the period) or 'days_after'")
        if self.month is not None and (self.kind != "yearly" or self.day is None):
            raise ValueError("'month' is only for kind = 'yearly' with 'day' (e.g. month = 3, day = 31: by 31 March of the next year)")
        return self


class WeeklySchedule(Strict):
    """Due every week on `weekday` (mon … sun); the item covers that week (Monday to Sunday)."""

    kind: Literal["weekly"]
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class FixedDate(Strict):
    """One labelled deadline of a fixed list (第一阶段 …)."""

    date: date
    label: str = Field(min_length=1)
    label_en: str | None = None


class FixedSchedule(Strict):
    """A list of fixed deadlines, each with its label."""

    kind: Literal["fixed"]
    dates: list[FixedDate] = Field(min_length=1)

    @field_validator("dates")
    @classmethod
    def _distinct(cls, dates: list[FixedDate]) -> list[FixedDate]:
        seen = [d.date for d in dates]
        if len(set(seen)) != len(seen):
            raise ValueError("dates must be distinct")
        return sorted(dates, key=lambda d: d.date)


class OnceSchedule(Strict):
    """A single deadline."""

    kind: Literal["once"]
    date: date
    label: str = Field(min_length=1)
    label_en: str | None = None


class AnyTimeSchedule(Strict):
    """Always open for filing, never reminded (随时上报)."""

    kind: Literal["any_time"]


Schedule = Annotated[
    MonthlySchedule | PeriodEndSchedule | WeeklySchedule | FixedSchedule | OnceSchedule | AnyTimeSchedule,
    Field(discriminator="kind"),
]

_OFFSET = re.compile(r"^(?P<sign>[+-]?)(?P<n>\d+)(?P<unit>[dhms])(?:@(?P<hh>\d{1,2}):(?P<mm>\d{2}))?$")


class ReminderOffset(Strict):
    """A reminder moment relative to a due item: `-3d@09:00`, `0d@09:00`, `+1d@09:00`, `-2h`, `-10m`, `-30s`.

    Day offsets with `@HH:MM` are counted in calendar days from the due day, at that local time;
    without a time they are relative to the due moment itself, like the short ones.
    """

    text: str
    delta: timedelta
    days: int | None = None
    at: time | None = None

    @classmethod
    def parse(cls, text: str) -> ReminderOffset:
        """Read an offset as written in the config."""
        m = _OFFSET.match(text.strip())
        if not m:
            raise ValueError(
                f"{text!r} is not a reminder offset; expected e.g. '-3d@09:00', '0d@09:00', '+1d@09:00', '-2h', '-10m', '-30s'"
            )
        n = int(m["n"]) * (-1 if m["sign"] == "-" else 1)
        unit = m["unit"]
        at: time | None = None
        if m["hh"] is not None:
            if unit != "d":
                raise ValueError(f"{text!r}: '@HH:MM' is only allowed with day offsets such as '-1d@09:00'")
            hh, mm = int(m["hh"]), int(m["mm"])
            if hh > 23 or mm > 59:
                raise ValueError(f"{text!r}: {hh:02d}:{mm:02d} is not a time of day")
            at = time(hh, mm)
        seconds = {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
        return cls(text=text, delta=timedelta(seconds=n * seconds), days=n if unit == "d" else None, at=at)


def _parse_offset(value: object) -> object:
    return ReminderOffset.parse(value) if isinstance(value, str) else value


# Each offset is read on its own, so every bad one is named at its place (reminders[2]), not only the first.
Offset = Annotated[ReminderOffset, BeforeValidator(_parse_offset)]


class ReportTiming(Strict):
    """The time side of a report type: its schedule, due time, holiday rule and reminders."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="lower-case identifier")
    schedule: Schedule
    due_time: time | None = Field(default=None, description="local time of the deadline; default: end of the due day")
    holiday_rule: HolidayRule = HolidayRule.KEEP
    reminders: list[Offset] = Field(default_factory=list)
    reminders_working_days_only: bool = False


class CalendarSettings(Strict):
    """Additions to the `holidays` package's China calendar, for years it does not know yet."""

    extra_holidays: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)


class QuietHours(Strict):
    """No reminder is sent between `start` and `end` (local time); it waits for `end`."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """Read '22:00-07:30'."""
        m = re.match(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$", text)
        if not m:
            raise ValueError(f"{text!r} is not a time range; expected e.g. '22:00-07:30'")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"{text!r} is not a time range; hours 0-23, minutes 0-59")
        return cls(start=time(h1, m1), end=time(h2, m2))
