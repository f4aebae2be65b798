"""The services every handler reaches through its typed `BotContext`."""

from __future__ import annotations

import asyncio
import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.buttons import Button, ButtonSigner
from bot.clock import Clock, SystemClock
from bot.config import Config, ReportType
from bot.texts.catalog import normalize_language, t
from bot.updates import Confirmations
from schedules import ChinaCalendar, ReminderMoment

if TYPE_CHECKING:
    from bot.storage import Storage
    from bot.storage.identity import Found

SERVICES_KEY = "services"
P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class PersonLock:
    """One send at a time to a person (`reminders.send`); `users` hold or wait for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


@dataclass
class Caches:
    """What a process remembers between updates; each is recomputed when its source changes."""

    configured_plan: list[ReminderMoment] | None = None  # the configured reminder moments (the config never changes while running)
    plan: tuple[tuple[tuple[int, int], tuple[int, int, str]], list[ReminderMoment]] | None = None  # ((ad-hoc, tasks) fingerprints, every moment)
    due_items_fingerprint: str | None = None  # the units and ad-hoc deadlines the due items were last synced for
    period_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # report key -> period key -> English label
    task_reports: list[ReportType] | None = None  # the tasks' deadlines as report types (None: to compute again)
    person_locks: dict[int, PersonLock] = field(default_factory=dict)  # one send at a time per person, while one is under way
    reminders_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one reminder run at a time in this process
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)  # the start's catch-up run of the reminders is over
    in_flight: set[int] = field(default_factory=set)  # reminder ids this process is delivering now
    period_starts: dict[str, dict[str, Any]] = field(default_factory=dict)  # report key -> period key -> its first day
    menus: dict[int, Any] = field(default_factory=dict)  # telegram id -> the menu key last set for their chat (handlers/menus.py)
    menu_task: asyncio.Task[None] | None = None  # publishing every role holder's menu (at start, after a change of roles)
    menus_again: bool = False  # roles changed while `menu_task` ran: it runs once more
    outage: Any = None  # `bot.services.outage.Backlog` while the database is away
    confirmations: Confirmations = field(default_factory=Confirmations)  # updates fetched and not yet confirmed to Telegram


class Busy(threading.Condition):
    """A count of calls under way in worker threads, and a condition to wait for it to fall to 0."""

    busy = 0


@dataclass
class Services:
    """What the application is made of: its campaign, its storage and its clock."""

    config: Config
    storage: Storage
    clock: Clock
    buttons: ButtonSigner
    calendar: ChinaCalendar
    files_dir: Path | None = None  # where attachments live, when not the environment's or the config's
    caches: Caches = field(default_factory=Caches)
    threads: Busy = field(default_factory=Busy)  # database calls running in worker threads (`writes`, `reads`)

    async def writes(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call `fn`, which reads and writes the database, in a worker thread: its round trips (PostgreSQL)
        and its wait for the write lock (SQLite) hold up no other update, reminder or send."""
        return await asyncio.to_thread(self._counted, fn, *args, **kwargs)

    def _counted(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        with self.threads:
            self.threads.busy += 1
        try:
            return fn(*args, **kwargs)
        finally:
            with self.threads:
                self.threads.busy -= 1
                self.threads.notify_all()

    async def threads_done(self, timeout_s: float = 10.0) -> bool:
        """At the stop: wait until no database call runs in a worker thread (a call whose update or job was
        cancelled goes on to its end; the storage must not close under it). False if some still ran."""

        def wait() -> bool:
            with self.threads:
                return self.threads.wait_for(lambda: self.threads.busy == 0, timeout=timeout_s)

        return await asyncio.to_thread(wait)

    async def reads(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call `fn`, which only reads the database (`Storage.read()`, `reading()`): in a worker thread on
        PostgreSQL, where each statement is a round trip; on SQLite on the loop, where a read waits for no
        one (WAL) and a thread would cost more than the read (bench/updates.py; `Storage.on_loop`)."""
        if self.storage.on_loop.reads_block:
            return await asyncio.to_thread(self._counted, functools.partial(_reading, fn, *args, **kwargs))
        return _reading(fn, *args, **kwargs)

    def language_of(self, chosen: str | None, telegram_code: str | None = None) -> str:
        """The language to write to someone in: their choice, else their Telegram language, else the campaign's."""
        if chosen:
            return chosen
        return normalize_language(telegram_code, self.config.language) if telegram_code else self.config.language


def _reading(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn`, marked as a read (`Storage.session()` inside it is a `ReadsOnlyWarning`)."""
    from bot.storage.base import READS_ONLY

    token = READS_ONLY.set(True)
    try:
        return fn(*args, **kwargs)
    finally:
        READS_ONLY.reset(token)


def open_services(config: Config, storage: Storage, *, secret: bytes, clock: Clock | None = None, files_dir: Path | None = None) -> Services:
    """The services the app, the command line, the sandbox and the benches run on.

    `secret` signs the callback data of buttons (the bot token in the app)."""
    return Services(
        config=config,
        storage=storage,
        clock=clock or SystemClock(),
        buttons=ButtonSigner(secret),
        calendar=ChinaCalendar(config.calendar),
        files_dir=files_dir,
    )


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """A `CallbackContext` that knows the application's services."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], chat_id: int | None = None, user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._known: tuple[int, Found] | None = None
        self.cached: dict[str, object] = {}  # what handlers derived from `known` for this update (the guard's roles)

    def known(self, update: Update) -> Found:
        """Who this update's user is (person, roles, language, drafts): read once per update, in one statement.

        PTB makes one context per update; a handler that changes these (a language chosen, a draft dropped)
        calls `reread` so that what follows reads them afresh."""
        assert update.effective_user is not None
        user_id = update.effective_user.id
        if self._known is None or self._known[0] != user_id:
            self.read_who(user_id)
        assert self._known is not None
        return self._known[1]

    def knows(self, telegram_user_id: int) -> bool:
        """Whether who this user is has been read for this update (and not forgotten since)."""
        return self._known is not None and self._known[0] == telegram_user_id

    def read_who(self, telegram_user_id: int) -> None:
        """Read who this user is now (a statement): made in a worker thread, with the update's claim
        (`bot.ops.updates`), or by `reread`, so that `known` never waits on the loop."""
        self.cached.clear()
        self._known = (telegram_user_id, self.services.storage.identity.find(telegram_user_id=telegram_user_id))

    async def reread(self, update: Update) -> None:
        """Read who this update's user is, off the loop where a read waits (`Services.reads`): first thing for every update (`handlers.guard.know`)
        unless its claim read it already, and after a handler changed it (a language chosen, a draft dropped)."""
        if update.effective_user is not None:
            await self.services.reads(self.read_who, update.effective_user.id)

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.application.bot_data[SERVICES_KEY]

    def language(self, update: Update) -> str:
        """The language to answer this user in: their choice, else their Telegram language, else the campaign's."""
        user = update.effective_user
        if user is None:
            return self.services.config.language
        chosen = self.known(update).language
        return self.services.language_of(chosen, user.language_code)

    def button(self, update: Update, action: str, *args: str | int) -> str:
        """Signed callback data for a button shown to this update's user."""
        assert update.effective_user is not None
        return self.services.buttons.pack(update.effective_user.id, action, *args)

    def pressed(self, update: Update) -> Button | None:
        """The verified button this callback query carries; None if forged, altered or someone else's."""
        query = update.callback_query
        if query is None or update.effective_user is None:
            return None
        return self.services.buttons.unpack(update.effective_user.id, query.data)

    def text(self, update: Update, key: str, /, **params: object) -> str:
        """A catalog text in this user's language."""
        return t(self.language(update), key, **params)
