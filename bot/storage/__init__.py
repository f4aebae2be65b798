"""The storage layer: the one place that queries the database.

`Storage` owns the engine and hands out sessions (one transaction each); the modules hold
keyword-only functions per aggregate, each taking that session first:

    with storage.session() as s:
        person = people.get_or_create_person(s, telegram_user_id=42, now=now)
"""

from bot.storage import adhoc, attachments, audit, deliveries, drafts, due, invites, levels, people, problems, register, reminders, roles, snoozes, submissions, tasks, units, views
from bot.storage.base import Storage

__all__ = [
    "Storage",
    "adhoc",
    "attachments",
    "audit",
    "deliveries",
    "drafts",
    "due",
    "invites",
    "levels",
    "people",
    "register",
    "problems",
    "reminders",
    "roles",
    "snoozes",
    "submissions",
    "tasks",
    "units",
    "views",
]
