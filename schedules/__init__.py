"""The domain of time: report types' periods and due dates, the China calendar, reminder plans, date
phrases. Pure functions of (rules, calendar, now); never reads the clock, never imports the bot.

The vocabulary and the rules: docs/schedules.md."""

from schedules.calendar import ChinaCalendar
from schedules.lookup import names_a_period, period_for_phrase, periods_for_phrase
from schedules.periods import DueDate, all_due_items, due_items, periods_of
from schedules.phrases import When, parse_when
from schedules.plan import ReminderMoment, next_moment, reminder_moments, reminders_for

__all__ = [
    "ChinaCalendar",
    "DueDate",
    "ReminderMoment",
    "When",
    "all_due_items",
    "due_items",
    "next_moment",
    "parse_when",
    "names_a_period",
    "period_for_phrase",
    "periods_for_phrase",
    "periods_of",
    "reminder_moments",
    "reminders_for",
]
