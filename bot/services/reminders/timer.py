"""The one self-re-arming timer that wakes for the next moment, snooze, retry or digest."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import Application, ContextTypes, Job

from bot.context import SERVICES_KEY, Services
from bot.services.reminders.plan import moments_due, next_wake
from bot.services.reminders.recovery import HEARTBEAT_S, keep_claims, recover_stuck, retry_failed
from bot.services.reminders.send import Summary, process_moment
from bot.services.reminders.snoozes import process_snoozes

log = logging.getLogger(__name__)


SWEEP_EVERY_S = 60.0


TICK_JOB = "reminders-tick"
SWEEP_JOB = "reminders-sweep"
CATCH_UP_JOB = "reminders-catch-up"  # at start: what came due while the bot was down (`caches.caught_up` when over)


async def process_due_moments(services: Services, bot: Any, *, now: datetime) -> Summary:
    """Everything that is due at `now`: configured moments, snoozes, digest, escalations, retries."""
    from bot.services.notices import jobs as notices
    from bot.services.reminders import digest

    summary = Summary()
    for moment in await services.writes(moments_due, services, now):
        await process_moment(services, bot, moment, now=now, summary=summary)
    await process_snoozes(services, bot, now=now, summary=summary)
    await recover_stuck(services, bot, now=now, summary=summary)
    await digest.process_escalations(services, bot, now=now)  # first: the digest names a leader they did not reach
    await digest.process_digest(services, bot, now=now)
    await retry_failed(services, bot, now=now, summary=summary)
    await notices.sweep(services, bot, now=now)
    if summary.sent or summary.failed or summary.unreachable:
        log.info("reminders: %d sent, %d unreachable, %d failed (%s)", summary.sent, summary.unreachable, summary.failed, ", ".join(summary.moments))
    return summary


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


async def _run(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The timer fired: process what is due, then arm the next tick."""
    services = _services(context)
    job: Job[Any] | None = context.job
    armed_for = job.data if job is not None and isinstance(job.data, datetime) else None
    now = services.clock.now()
    if armed_for is not None and armed_for > now:
        now = armed_for  # the timer fired, so its moment has come (a fixed clock in tests lags)
    lock = services.caches.reminders_lock
    try:
        async with lock:
            await process_due_moments(services, context.bot, now=now)
    finally:
        if job is not None and job.name == CATCH_UP_JOB:
            services.caches.caught_up.set()
    if job is not None and job.name == TICK_JOB:
        await rearm(context.application, after=now)


def arm(app: Application[Any, Any, Any, Any, Any, Any], *, after: datetime | None = None) -> datetime | None:
    """Arm the one reminder timer for the next thing due at the start (before any update: its reads on the
    loop); its moment, or None. Once running, `rearm`."""
    services: Services = app.bot_data[SERVICES_KEY]
    now = services.clock.now()
    return _arm_at(app, next_wake(services, max(now, after) if after else now) if app.job_queue is not None else None)


async def rearm(app: Application[Any, Any, Any, Any, Any, Any], *, after: datetime) -> datetime | None:
    """Re-arm the timer for the next thing due after `after` (its reads in a worker thread): after each tick,
    and when a new deadline may come before the armed moment (/deadline)."""
    services: Services = app.bot_data[SERVICES_KEY]
    return _arm_at(app, await services.writes(next_wake, services, max(services.clock.now(), after)))


def _arm_at(app: Application[Any, Any, Any, Any, Any, Any], wake: datetime | None) -> datetime | None:
    services: Services = app.bot_data[SERVICES_KEY]
    if app.job_queue is None:
        return None
    for old in app.job_queue.get_jobs_by_name(TICK_JOB):
        old.schedule_removal()
    if wake is None:
        return None
    app.job_queue.run_once(_run, when=max(0.0, (wake - services.clock.now()).total_seconds()), data=wake, name=TICK_JOB)
    return wake


def schedule(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start: catch up at once, arm the timer, and sweep every minute."""
    if app.job_queue is None:
        log.warning("no JobQueue: reminders will not be sent (install python-telegram-bot[job-queue])")
        return
    app.job_queue.run_once(_run, when=0, name=CATCH_UP_JOB, job_kwargs={"misfire_grace_time": None})  # never skipped, however busy the start
    arm(app)
    app.job_queue.run_repeating(_run, interval=SWEEP_EVERY_S, first=SWEEP_EVERY_S, name=SWEEP_JOB)
    app.job_queue.run_repeating(_heartbeat, interval=HEARTBEAT_S, first=HEARTBEAT_S, name="reminders-heartbeat")


async def _heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep this process's claims in flight alive (a database away now is retried at the next beat)."""
    services = _services(context)
    try:
        await services.writes(keep_claims, services, now=services.clock.now())
    except SQLAlchemyError as e:
        log.warning("reminders: could not keep the claims in flight alive: %s", type(e).__name__)
