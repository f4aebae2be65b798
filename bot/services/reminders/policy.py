"""When a reminder may go out: quiet hours and the grace for moments missed while the bot was down."""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from schedules.plan import after_quiet, grace_ends, in_quiet_hours


def quiet_now(services: Services, now: datetime) -> bool:
    """Whether `now` lies inside the quiet hours (nothing is sent then but a coordinator's nudge)."""
    quiet = services.config.reminders.quiet_hours
    return quiet is not None and in_quiet_hours(now.astimezone(services.config.campaign.tz), quiet)


def grace_deadline(services: Services, at: datetime) -> datetime:
    """Until when something due at `at` may still be sent: `missed_grace` later, the quiet hours
    not counted (`schedules.plan.grace_ends`)."""
    config = services.config
    return grace_ends(at, config.reminders.missed_grace, config.reminders.quiet_hours, config.campaign.tz)


def outside_quiet_hours(services: Services, at: datetime) -> datetime:
    """`at`, or the end of the quiet hours it falls in (snoozes wait for the morning too)."""
    return after_quiet(at, services.config.reminders.quiet_hours, services.config.campaign.tz)
