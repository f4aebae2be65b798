"""Database plumbing: engines for SQLite and PostgreSQL, column types, migrations."""

from __future__ import annotations

import enum
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, String, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import create_engine

DEFAULT_DATABASE_URL = "sqlite:///data/liaison-bot.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 5000


def normalize_url(url: str) -> URL:
    """Parse a database URL; PostgreSQL URLs always use the psycopg 3 driver."""
    if url.startswith("postgres://"):  # Heroku-style alias
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin; see _sqlite_on_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


READ_ONLY = "liaison_read_only"  # an execution option: the transaction only reads (`Storage.read()`)


def _sqlite_on_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front: a transaction that reads and then writes
    # waits (busy_timeout) for another writer instead of failing with "database is locked".
    # One that only reads begins DEFERRED: under WAL it reads a snapshot and holds up no writer.
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def make_engine(url: str = DEFAULT_DATABASE_URL, **kwargs: Any) -> Engine:
    """Create an engine: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL via psycopg."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_engine(parsed, **kwargs)
    if "pool_pre_ping" not in kwargs:  # a connection is pinged before use only after a while in the pool
        event.listen(engine, "checkin", _pg_on_checkin)
        event.listen(engine, "checkout", _pg_ping_if_idle(engine.dialect))
    return engine


PING_IDLE_S = 1.0  # PostgreSQL: a connection back in the pool for longer than this is pinged before its next use


def _pg_on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["returned_at"] = time.monotonic()


def _pg_ping_if_idle(dialect: Dialect) -> Any:
    """A checkout hook that pings a connection idle for a while, as `pool_pre_ping` would (a restarted server has
    dropped it: the pool then connects afresh); one used a moment ago is not, since pinging it cost a round trip
    on every session, every update."""

    def on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_IDLE_S:  # just made, or just used
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as e:
            if dialect.is_disconnect(e, dbapi_connection, None):
                record.info.pop("returned_at", None)
                raise DisconnectionError() from e  # the pool drops this connection and checks out another
            raise

    return on_checkout


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware in Python and UTC in the database.

    Naive datetimes are refused. SQLite stores naive UTC; PostgreSQL uses timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(DateTime(timezone=False))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime refused (attach a time zone): {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


E = TypeVar("E", bound=enum.Enum)


class EnumString(TypeDecorator[E]):
    """A str Enum stored as its plain string value (portable: no native ENUM types)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int = 16) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(self.enum_class(value).value)  # raises ValueError for an unknown value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum_class(value)

    def __repr__(self) -> str:
        return f"EnumString({self.enum_class.__name__})"


def migrations_dir() -> Path:
    """The directory of the `migrations` package (found via import, not the working directory)."""
    import migrations

    return Path(migrations.__file__).resolve().parent


def alembic_config(url: str) -> Any:
    """An Alembic Config for `url`, built in code (no alembic.ini needed)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    # Config values go through ConfigParser interpolation: escape '%' (e.g. in passwords).
    rendered = normalize_url(url).render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return cfg


def upgrade(url: str = DEFAULT_DATABASE_URL, revision: str = "head") -> None:
    """Bring the database at `url` to the newest schema revision (creating it if needed)."""
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def current_revision(url: str = DEFAULT_DATABASE_URL) -> str | None:
    """The schema revision the database at `url` is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision shipped in `migrations/`."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(migrations_dir())).get_current_head()
