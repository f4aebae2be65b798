"""Dialect helpers shared by the storage modules (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select


def _insert_for(session: Session) -> Any:
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
    insert = _insert_for(session)
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    new_id: int | None = session.exec(statement).scalar_one_or_none()
    return new_id


def select_columns(*columns: Any) -> Any:
    """A SELECT of several columns or labels (SQLModel types at most four; views read more at once)."""
    return select(*columns)


def insert_many_ignoring_conflicts(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]], *, chunk: int = 5000) -> None:
    """INSERT rows, skipping those that break a unique key, as a few multi-row statements."""
    table: Table = getattr(model, "__table__")  # noqa: B009  (set by SQLModel on table models only)
    insert = _insert_for(session)
    for start in range(0, len(rows), chunk):
        session.connection().execute(insert(table).on_conflict_do_nothing(), list(rows[start : start + chunk]))
