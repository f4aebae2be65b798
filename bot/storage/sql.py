"""Dialect helpers shared by the storage modules (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select


def insert_for(session: Session) -> Any:
    """The dialect's INSERT construct (it has ON CONFLICT DO NOTHING on both SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"unsupported database: {dialect}")  # pragma: no cover - only SQLite and PostgreSQL


def insert_ignoring_conflicts(
    session: Session, model: type[SQLModel], values: Mapping[str, Any]
) -> int | None:
    """INSERT a row unless it breaks a unique key; the new id, or None if a row was there."""
    table: Table = getattr(model, "__table__")  # noqa: B009  (set by SQLModel on table models only)
    insert = insert_for(session)
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    new_id: int | None = session.exec(statement).scalar_one_or_none()
    return new_id


def select_columns(*columns: Any) -> Any:
    """A SELECT of several columns or labels (SQLModel types at most four; views read more at once)."""
    return select(*columns)


def insert_many_ignoring_conflicts(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows (all with the same keys), skipping those that break a unique key.

    On PostgreSQL one statement over arrays (INSERT … SELECT FROM unnest(…)): an executemany
    there is a round trip per row. On SQLite an executemany, which stays inside the library."""
    if not rows:
        return
    table: Table = getattr(model, "__table__")  # noqa: B009  (set by SQLModel on table models only)
    dialect = session.get_bind().dialect
    connection = session.connection()
    if dialect.name != "postgresql":
        connection.execute(insert_for(session)(table).on_conflict_do_nothing(), list(rows))
        return
    names = list(rows[0])
    arrays: dict[str, list[Any]] = {}
    casts = []
    for name in names:
        column = table.c[name]
        process = column.type.bind_processor(dialect)
        arrays[name] = [process(r[name]) if process else r[name] for r in rows]
        casts.append(f"CAST(:{name} AS {column.type.compile(dialect=dialect)}[])")
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    statement = text(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) "
        f"SELECT * FROM unnest({', '.join(casts)}) ON CONFLICT DO NOTHING"
    )
    connection.execute(statement, arrays)

def whole_table_reads(session: Session) -> None:
    """PostgreSQL: the rest of this transaction reads whole tables, by hash joins whatever the statistics say.

    Right after a bulk load, before autovacuum has counted a table, the planner takes it for a few
    rows and loops over the others for each of them: the export's statistics filings took 6.4 s at
    10,000 units that way, instead of about one by hash joins. SQLite: nothing to do."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_nestloop = off"))


def analyze(connection: Connection | Session, *tables: type[SQLModel]) -> None:
    """Fresh planner statistics for these tables (all, if none): after a restore or a bulk import.

    PostgreSQL plans from statistics that autovacuum refreshes only later; right after a restore
    every table looks empty and a view's joins become nested loops over thousands of rows."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    quote = bind.dialect.identifier_preparer.quote
    names = [getattr(t, "__tablename__") for t in tables]  # noqa: B009
    statements = [f"ANALYZE {quote(n)}" for n in names] or ["ANALYZE"]
    for statement in statements:
        connection.execute(text(statement))
