"""Whole-database reads and writes for backups: a consistent snapshot, every row of every table.

Unlike the other storage modules these work on a SQLAlchemy `Connection` for the whole
database (a backup is one read transaction over all tables; a restore one write transaction),
not on a per-aggregate `Session`. `bot.services.backup.archive` decides what to do with the rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, Table, create_engine, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine

import bot.models  # noqa: F401  (registers every table on the metadata)
from bot.db import make_engine, normalize_url

INSERT_BATCH = 500


def tables() -> list[Table]:
    """Every table of the schema, parents before children (the order to insert in)."""
    from sqlmodel import SQLModel

    return list(SQLModel.metadata.sorted_tables)


def revision(connection: Connection) -> str | None:
    """The Alembic revision the database on `connection` is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


class NotADatabaseFile(Exception):
    """The SQLite URL names no database file that could be snapshotted."""


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL (a `file:` URI is returned as is)."""
    database = normalize_url(url).database
    if not database or database == ":memory:":
        raise NotADatabaseFile(f"{url!r} is not a SQLite database file")
    if database.startswith("file:"):
        return database
    if not Path(database).expanduser().is_file():
        raise NotADatabaseFile(f"no SQLite database at {database}")
    return str(Path(database).expanduser())


@contextmanager
def snapshot(url: str, workdir: Path) -> Iterator[Connection]:
    """A connection in a consistent read-only view of the database at `url`, for reading every table.

    SQLite: the online backup API copies the live database (WAL included, a running bot's
    writers are not blocked) into `workdir/snapshot.sqlite3`, which is then read at leisure.
    PostgreSQL: one REPEATABLE READ, READ ONLY transaction (what pg_dump does) on the live database.
    """
    if normalize_url(url).get_backend_name() == "sqlite":
        database = sqlite_path(url)
        copy = workdir / "snapshot.sqlite3"
        source = sqlite3.connect(database, uri=database.startswith("file:"), timeout=30)
        try:
            target = sqlite3.connect(copy)
            try:
                source.backup(target)  # all pages in one step: one read transaction, one moment
            finally:
                target.close()
        finally:
            source.close()
        engine: Engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as connection, connection.begin():
                yield connection
        finally:
            engine.dispose()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with connection.begin():
                yield connection
    finally:
        engine.dispose()


def rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Every row of `table`, by primary key, with Python values (aware datetimes, enums, JSON)."""
    statement = select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(statement):
        yield dict(row._mapping)


def table_names(connection: Connection) -> set[str]:
    """The tables that exist in the database (Alembic's own excluded)."""
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def count(connection: Connection, table: Table) -> int:
    """How many rows `table` holds."""
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def delete_all(connection: Connection, present: Sequence[Table]) -> None:
    """Delete every row of the tables `present` (in insert order), children first (foreign keys stay enforced)."""
    for table in reversed(present):
        connection.execute(table.delete())


def insert(connection: Connection, table: Table, columns: Sequence[str], values: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that carry exactly `columns` (explicit ids included), in batches.

    Only those columns are named in the INSERT (not the model's defaults for the others), so
    rows of an older schema revision go into a database migrated to that revision.
    """
    subset = Table(
        table.name,
        MetaData(),
        *(Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False) for c in table.columns if c.name in columns),
    )
    for start in range(0, len(values), INSERT_BATCH):
        connection.execute(subset.insert(), list(values[start : start + INSERT_BATCH]))


def reset_sequences(connection: Connection, present: Sequence[Table]) -> None:
    """PostgreSQL: point each table's id sequence past the restored ids (explicit ids skip it)."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    for table in present:
        for column in table.primary_key.columns:
            if column.autoincrement is False:
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar_one()
            if sequence is None:
                continue
            connection.execute(
                text(f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1), MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'),
                {"sequence": sequence},
            )
