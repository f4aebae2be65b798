"""Notices sent right after what caused them, as a one-off job (the reply to the user goes first);
the reminders' minute sweep (`sweep`) catches up whatever such a job did not finish."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.context import SERVICES_KEY, Services

log = logging.getLogger(__name__)

JOB = "notices-soon"


async def sweep(services: Services, bot: Any, *, now: datetime) -> None:
    """Everything the notices owe at `now`: filings to tell at once, new ad-hoc deadlines and announcements to send,
    the group chats' daily summary."""
    from bot.services.notices import broadcast, deadline_news, filings, group

    await filings.tell_filings(services, bot, now=now)
    await deadline_news.announce_new(services, bot, now=now)
    await broadcast.send_pending(services, bot, now=now)
    await group.post_summaries(services, bot, now=now)


async def _run(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data[SERVICES_KEY]
    async with services.caches.reminders_lock:
        await sweep(services, context.bot, now=services.clock.now())


def soon(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Send now what was just caused (a filing, a new deadline): a job, so the user's own reply is not held up."""
    if app.job_queue is not None:
        app.job_queue.run_once(_run, when=0, name=JOB)
