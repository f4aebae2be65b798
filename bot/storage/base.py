"""The Storage object (engine + sessions) and helpers shared by the storage modules."""

import asyncio
import inspect
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

from bot.db import READ_ONLY, make_engine, upgrade
from bot.storage import adhoc, attachments, audit, deliveries, drafts, due, identity, invites, people, problems, register, reminders, roles, snoozes, sql, submissions, tasks, units, views


class Storage:
    """Owns the engine; every query runs in a `session()` of it.

    Functions in `bot.storage.<aggregate>` take that session as their first argument and
    flush but never commit: the `session()` block is the transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.on_loop = OnLoop(reads_block=engine.dialect.name != "sqlite")
        self._reader = engine.execution_options(**{READ_ONLY: True})  # `read()`'s transactions (see bot.db)
        # `reading()`: PostgreSQL outside a transaction (no BEGIN and COMMIT round trips); SQLite as `read()`
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else None
        # One-call conveniences: `storage.people.set_language(...)` runs in its own transaction.
        # Several calls that must succeed or fail together belong in one `session()` block.
        self.adhoc = BoundModule(self, adhoc)
        self.attachments = BoundModule(self, attachments)
        self.audit = BoundModule(self, audit)
        self.deliveries = BoundModule(self, deliveries)
        self.drafts = BoundModule(self, drafts)
        self.due = BoundModule(self, due)
        self.identity = BoundModule(self, identity, reads=True)  # one statement, asked on every update
        self.invites = BoundModule(self, invites)
        self.people = BoundModule(self, people)
        self.register = BoundModule(self, register, reads=True)
        self.problems = BoundModule(self, problems)
        self.tasks = BoundModule(self, tasks)
        self.reminders = BoundModule(self, reminders)
        self.roles = BoundModule(self, roles)
        self.snoozes = BoundModule(self, snoozes)
        self.submissions = BoundModule(self, submissions)
        self.units = BoundModule(self, units)
        self.views = BoundModule(self, views, reads=True)

    @classmethod
    def from_url(cls, url: str, **engine_kwargs: Any) -> "Storage":
        """A Storage on a new engine for `url` (see `bot.db.make_engine`)."""
        return cls(make_engine(url, **engine_kwargs))

    @property
    def url(self) -> str:
        """The database URL, with the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: closed (rolled back) when the block ends, never committed.

        On SQLite it begins DEFERRED instead of IMMEDIATE, so it never takes the write lock: a long
        read (an export, a dashboard page, the views) does not hold up the writers (an update's claim,
        a reminder's), and waits for none of them (WAL: it reads a snapshot). Objects stay usable
        after the block (closing does not expire them)."""
        self.on_loop.note(writes=False)
        with Session(self._reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises.

        Objects stay usable after the block (no expiry on commit).
        """
        if READS_ONLY.get():
            warnings.warn(f"a session() (it may write) inside Services.reads, from {_site()}: use read() or Services.writes", ReadsOnlyWarning, stacklevel=3)
        self.on_loop.note(writes=True)
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads, statement by statement. On PostgreSQL it runs outside a transaction: at
        READ COMMITTED each statement sees its own snapshot in a transaction too, and BEGIN and COMMIT would
        cost two round trips. On SQLite it is `read()`. Never write in it; a read that needs its transaction
        (SET LOCAL, a server-side cursor) uses `read()`."""
        if self._reads is None:
            with self.read() as session:
                yield session
            return
        self.on_loop.note(writes=False)
        with Session(self._reads, expire_on_commit=False) as session:
            yield session

    def ping(self) -> bool:
        """Whether the database answers (a `SELECT 1`)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def analyze(self, *tables: type[SQLModel]) -> None:
        """Refresh the planner's statistics of these tables (all, if none): after a bulk import."""
        with self.engine.begin() as connection:
            sql.analyze(connection, *tables)

    def upgrade(self) -> None:
        """Run the migrations to head on this database."""
        upgrade(self.engine.url.render_as_string(hide_password=False))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


_ROOT = str(Path(__file__).resolve().parents[2])  # the project's root: a site is named by its first frame of the project's code
_PLUMBING = tuple(str(Path(_ROOT, *part)) for part in (("bot", "storage"), ("bot", "db.py")))


READS_ONLY: ContextVar[bool] = ContextVar("reads_only", default=False)  # set while `Services.reads` calls its function


class ReadsOnlyWarning(RuntimeWarning):
    """A `Storage.session()` (a transaction that may write; on SQLite BEGIN IMMEDIATE, which waits for the write
    lock) begun by a function passed to `Services.reads`, which on SQLite runs it on the event loop. An error in
    the tests (warnings are errors there); logged once in production, where the call still runs."""


class OnLoop:
    """Transactions begun on a thread that is running an event loop, where a wait on the database holds up
    every other update, reminder and send. On PostgreSQL every statement waits (a round trip). On SQLite
    a read does not: under WAL it reads a snapshot and waits for no writer (`read()`, `reading()`), it is
    work like any other on the loop; a transaction that may write (`session()`: BEGIN IMMEDIATE) waits for
    another connection's write lock, up to the busy timeout. Those are counted here (the `/metrics` figure
    `liaison_bot_db_calls_on_loop_total`), and with `sites` set each is named by the first frame of the
    project's code outside the storage that began it, with its caller (the tests). Services make theirs in
    worker threads (`Services.reads`, `Services.writes`)."""

    def __init__(self, *, reads_block: bool) -> None:
        self.reads_block = reads_block
        self.count = 0
        self.sites: Counter[str] | None = None

    def note(self, *, writes: bool) -> None:
        if not (writes or self.reads_block) or asyncio._get_running_loop() is None:  # a worker thread, the command line
            return
        self.count += 1
        if self.sites is not None:
            self.sites[_site()] += 1


def _site() -> str:
    """The first frame of the project's code (outside the storage) that took the connection, and the
    handler, job or other caller it was called from."""
    names: list[str] = []
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and len(names) < 2:
        name = frame.f_code.co_filename
        if name.startswith(_ROOT) and not name.startswith(_PLUMBING) and "site-packages" not in name:
            where = f"{Path(name).relative_to(_ROOT)}:{frame.f_lineno} {frame.f_code.co_name}"
            if not names or not where.startswith(names[0].split(":")[0] + ":"):
                names.append(where)
        frame = frame.f_back
    return " <- ".join(names) or "?"


class BoundModule:
    """A storage module whose functions each run in a fresh `Storage.session()`."""

    def __init__(self, storage: Storage, module: ModuleType, *, reads: bool = False) -> None:
        self._storage = storage
        self._module = module
        self._session = storage.reading if reads else storage.session  # reads: the module's functions only read

    def __getattr__(self, name: str) -> Callable[..., Any]:
        function = getattr(self._module, name)
        parameters = list(inspect.signature(function).parameters) if callable(function) else []
        if name.startswith("_") or not parameters or parameters[0] != "session":
            raise AttributeError(f"{self._module.__name__}.{name} is not a storage function")

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._session() as session:
                return function(session, *args, **kwargs)

        call.__name__ = name
        call.__doc__ = function.__doc__
        setattr(self, name, call)  # found here from now on (reading the signature on every call cost more than the call)
        return call

    def __repr__(self) -> str:
        return f"<{self._module.__name__} bound to {self._storage.url}>"
