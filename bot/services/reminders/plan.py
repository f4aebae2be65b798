"""The reminder plan: every moment of every configured and ad-hoc report and task deadline, cached by a fingerprint."""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.services.deadlines.due_items import items_of
from bot.services.reminders.policy import grace_deadline, outside_quiet_hours, quiet_now
from bot.services.reminders.snoozes import snooze_time
from schedules import DueDate
from schedules import ReminderMoment, reminders_for
from schedules.rules import AnyTimeSchedule, OnceSchedule


def _configured_plan(services: Services) -> list[ReminderMoment]:
    """The moments of the report types of config.toml (computed once per process)."""
    cached = services.caches.configured_plan
    if cached is not None:
        return cached
    config = services.config
    moments: list[ReminderMoment] = []
    for report in config.report_types:
        if isinstance(report.schedule, AnyTimeSchedule) or not report.reminders:
            continue
        for item in items_of(config, report, services.calendar):
            moments.extend(
                reminders_for(item, report, calendar=services.calendar, tz=config.campaign.tz, quiet_hours=config.reminders.quiet_hours)
            )
    services.caches.configured_plan = moments
    return moments


def adhoc_moments(services: Services) -> list[ReminderMoment]:
    """The moments of the ad-hoc deadlines (/deadline), straight from their rows.

    Each is one due item (`adhoc_<id>`, 'once') due at the row's `due_at` (end of the day when
    no time was named); moments at or before the deadline's creation are dropped, so a
    deadline added today for tomorrow does not at once send the `-1d@09:00` reminder of this
    morning.
    """
    from bot.services.deadlines.adhoc import PERIOD_KEY, as_report_type
    from bot.storage import adhoc as adhoc_store

    config = services.config
    tz = config.campaign.tz
    moments: list[ReminderMoment] = []
    with services.storage.read() as s:
        rows = adhoc_store.list_adhoc_reports(s)
    for row in rows:
        report = as_report_type(row, tz)
        local = row.due_at.astimezone(tz)
        assert isinstance(report.schedule, OnceSchedule)  # (what an ad-hoc deadline is)
        label = report.schedule.label
        item = DueDate(row.key, PERIOD_KEY, label, label, None, None, local.date(), local.date(), local)
        moments.extend(
            m
            for m in reminders_for(item, report, calendar=services.calendar, tz=tz, quiet_hours=config.reminders.quiet_hours)
            if m.at > row.created_at
        )
    return moments


def plan(services: Services) -> list[ReminderMoment]:
    """Every reminder moment of the campaign, configured and ad-hoc, by time.

    The configured part is computed once per process; the whole is recomputed only when the
    ad-hoc deadlines or the tasks change (cheap queries a call: their count, highest id, latest change).
    """
    from bot.services.tasks import deadlines as task_deadlines
    from bot.storage import adhoc, tasks

    with services.storage.read() as s:  # (reads only: on SQLite it takes no write lock)
        fingerprint = (adhoc.adhoc_fingerprint(s), tasks.tasks_fingerprint(s))
    cached = services.caches.plan
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    moments = list(_configured_plan(services))
    if fingerprint[0][0]:
        moments.extend(adhoc_moments(services))
    if fingerprint[1][0]:
        with services.storage.read() as s:
            moments.extend(task_deadlines.moments(s, services.config, services.calendar))
    moments.sort(key=lambda m: (m.at, m.report_key, m.period_key))
    services.caches.plan = (fingerprint, moments)
    return moments


def moments_due(services: Services, now: datetime) -> list[ReminderMoment]:
    """Per due item, its latest moment at or before `now` and within `missed_grace`; none in quiet hours.

    A moment missed while down that would be caught up inside the quiet hours waits for their
    end (the quiet hours do not use up its grace, `grace_deadline`).
    """
    if quiet_now(services, now):
        return []
    latest: dict[tuple[str, str], ReminderMoment] = {}
    for m in plan(services):
        if m.at > now:
            break
        latest[(m.report_key, m.period_key)] = m
    return [m for m in latest.values() if now <= grace_deadline(services, m.at)]


def next_wake(services: Services, now: datetime) -> datetime | None:
    """When the timer must fire next: a configured moment, a snooze, the digest, the end of the quiet hours."""
    candidates = [m.at for m in plan(services) if m.at > now][:1]
    if quiet_now(services, now):  # what waited for the morning
        candidates.append(outside_quiet_hours(services, now))
    for row in services.storage.snoozes.snoozes_not_sent():
        candidates.append(snooze_time(row.moment_key))
    from bot.services.reminders.digest import next_digest_at

    candidates.append(next_digest_at(services, now))
    return min(candidates) if candidates else None
