"""`build_application(config)`: one builder chain, services opened in post_init, one list of handlers."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot
from telegram.error import BadRequest, TelegramError
from telegram.request import HTTPXRequest

from bot import heap, parsing
from bot.botapi_client import trimmed
from bot.clock import Clock
from bot.config import Config
from bot.context import BotContext, SERVICES_KEY, Services, open_services
from bot.pacing import PacedLimiter
from bot.services.people.campaign import sync_campaign
from bot.services.deadlines.due_items import sync_due_items
from bot.storage import Storage
from bot.updates import GATHER_S, HELD_WAIT_S, Confirmations, PerChatUpdateProcessor

log = logging.getLogger(__name__)


EXPIRED_QUERY = ("query is too old", "query id is invalid")


class LiaisonBot(ExtBot[Any]):
    """The bot: it confirms an update to Telegram only once handled (`Confirmations`), and drops a
    parameter PTB adds that the Bot API does not define."""

    # (getUpdates is filtered in `_do_post`, before PTB parses its answer: every answer repeats the
    # updates still open, and parsing them again at each poll would cost more than handling them.)

    def __init__(self, *args: Any, confirmations: Confirmations | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():  # (a Bot is frozen after __init__)
            self.confirmations = confirmations or Confirmations()

    async def get_updates(self, offset: int | None = None, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """The updates not handed over yet; the offset held at the lowest one not yet handled."""
        confirm = self.confirmations
        new = await super().get_updates(confirm.offset(offset), *args, **kwargs)  # (filtered in `_do_post`)
        if confirm.only_repeats and kwargs.get("timeout"):  # only open ones again: asking at once would spin
            await confirm.wait(HELD_WAIT_S)
            await asyncio.sleep(GATHER_S)  # the updates done meanwhile are confirmed by one request
        return new

    async def shutdown(self) -> None:
        """Confirm what was handled (a stop in order; a killed process gets the rest again), then close."""
        offset = self.confirmations.last_offset()
        self.confirmations.polled = False  # (PTB shuts the bot down twice: the application, then its updater)
        if offset is not None:
            try:
                await super().get_updates(offset, timeout=0)
            except (TelegramError, RuntimeError):
                log.warning("could not confirm the handled updates at stop; Telegram will send them again", exc_info=True)
        await super().shutdown()

    async def _do_post(self, endpoint: str, data: dict[str, Any], **kwargs: Any) -> Any:
        # PTB fills the default parse_mode into editMessageReplyMarkup, which takes none.
        if endpoint == "editMessageReplyMarkup":
            data.pop("parse_mode", None)
        try:
            result = await super()._do_post(endpoint, data, **kwargs)
        except BadRequest as e:
            if endpoint != "answerCallbackQuery" or not any(m in e.message.lower() for m in EXPIRED_QUERY):
                raise
            # A press answered after its time (Telegram waits about 15 s: the press was sent again
            # after a restart, or waited behind an outage): its spinner is gone, there is nothing to
            # answer any more; the replies that follow still go as messages.
            log.info("a button press answered too late (%s): its answer is skipped", e.message)
            return True
        result = trimmed(endpoint, result)
        if endpoint == "getUpdates" and isinstance(result, list):
            result = self.confirmations.take(result)  # the open ones sent again are dropped unparsed
        return result


def build_application(
    config: Config,
    *,
    token: str,
    storage: Storage,
    clock: Clock | None = None,
    limiter: PacedLimiter | None = None,
    concurrent_updates: int = 16,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot, wired to its services; nothing is contacted until it is initialized."""
    api = config.telegram.api_url
    services = open_services(config, storage, secret=token.encode(), clock=clock)
    bot = LiaisonBot(
        token=token,
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=config.campaign.tz),
        rate_limiter=limiter or PacedLimiter(),
        request=config.telegram.request(),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        confirmations=services.caches.confirmations,
    )
    app = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(PerChatUpdateProcessor(concurrent_updates, services.caches.confirmations))
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[SERVICES_KEY] = services
    from handlers import register

    register(app)
    return app


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Bring the campaign's units and known people into storage; publish the command menu."""
    services: Services = app.bot_data[SERVICES_KEY]
    now = services.clock.now()
    sync_campaign(services.storage, services.config, now=now)
    from bot.services.tasks.setup import sync_tasks

    sync_tasks(services.storage, services.config, now=now)  # 工作任务 of the config, after the units, before their due items
    sync_due_items(services.storage, services.config, calendar=services.calendar, now=now, remember_in=services.caches)
    from bot.texts import catalog
    from handlers import menus

    catalog.warm()  # (read here, they are part of the start's memory, not scattered through the first wave's)
    await menus.set_defaults(app.bot, services.config.language)
    menus.start_background(app, services)
    from bot.services.deadlines import due_items as deadlines
    from bot.services.reminders import timer

    timer.schedule(app)
    from bot.services.problems import overdue as problems

    problems.schedule(app, services)  # 问题清单: overdue reminders, escalation, 签收 chases
    from bot.services.tasks import progress as tasks

    tasks.schedule(app, services)  # a task not 签收 within a day is chased
    deadlines.schedule(app)  # units imported meanwhile (`liaison-bot import-units`) owe their reports without a restart
    from bot.web import server as web

    await web.start(app)  # the dashboard, when [web] port is set
    heap.keep_for_good()  # (last: what the start made lives as long as the process)


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop serving the dashboard, the background menus and the parse workers."""
    from bot.web import server as web

    await web.stop(app)
    heap.release()
    services: Services = app.bot_data[SERVICES_KEY]
    from handlers import menus

    await menus.stop_background(services)
    if not await services.threads_done():
        log.warning("database calls still running in worker threads at the stop")
    from bot.services.coordinator import apart

    await asyncio.to_thread(apart.shutdown)  # the export's worker processes
    await asyncio.to_thread(parsing.shutdown)  # the uploads' (started again at the next upload if this process goes on)
