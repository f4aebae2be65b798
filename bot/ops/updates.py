"""Each update handled once, whichever worker receives it: its update_id is claimed in the database
before any handler runs. Telegram redelivers an update it got no answer for, and behind a proxy the
redelivery may reach another worker; the loser of the claim drops it.

Two claims that were taken are not duplicates: a message this process kept while the database was
away and handles again now (`outage.replaying`), and, when polling, an update Telegram sends again
to a new poller. The poller's lease makes it the only one; an update is confirmed to Telegram once
handled (`bot.updates.Confirmations`) and a poller stopped in order confirms what it handled, so an
update sent again is one whose first taker died before answering it."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.clock import Clock
from bot.context import SERVICES_KEY, BotContext
from bot.ops.metrics import Metrics
from bot.services import outage
from bot.storage import Storage
from bot.storage import ops as ops_storage

log = logging.getLogger(__name__)

FIRST_GROUP = -1000  # before every handler of handlers.register
KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours


def register(app: Any, *, storage: Storage, clock: Clock, metrics: Metrics, polling: bool = False) -> None:
    """Claim every update first; drop one another worker claimed (see the module for what is not a
    duplicate; `polling`: this process holds the poller's lease). Old claims are forgotten hourly."""

    def claim(update_id: int, context: Any, user_id: int | None) -> bool:
        with storage.session() as s:
            claimed = ops_storage.claim_update(s, update_id=update_id, now=clock.now())
        if user_id is not None and isinstance(context, BotContext):
            context.read_who(user_id)  # who the user is, read here too: no handler reads it on the loop
        return claimed

    async def take(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user_id = update.effective_user.id if update.effective_user is not None else None
        # in a worker thread counted by Services.threads: the stop waits for it before closing the storage
        if not await app.bot_data[SERVICES_KEY].writes(claim, update.update_id, context, user_id):
            if polling:
                log.info("update %d sent again after a restart (its first taker died before answering it); handled", update.update_id)
            elif not outage.replaying(app.bot_data[SERVICES_KEY], update.update_id):
                metrics.updates.labels("duplicate").inc()
                log.info("update %d was taken by another worker; dropped", update.update_id)
                raise ApplicationHandlerStop
        metrics.updates.labels("handled").inc()

    async def forget(_context: ContextTypes.DEFAULT_TYPE) -> None:
        def run() -> int:
            with storage.session() as s:
                return ops_storage.forget_updates(s, before=clock.now() - KEEP)

        await app.bot_data[SERVICES_KEY].writes(run)

    app.add_handler(TypeHandler(Update, take), group=FIRST_GROUP)
    if app.job_queue is not None:
        app.job_queue.run_repeating(forget, interval=3600, first=60, name="ops-forget-updates")
