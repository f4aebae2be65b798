"""Dialect helpers shared by the storage modules (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlmodel import Session, SQLModel


def _insert_for(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"unsupported database: {dialect}")
    return insert


def insert_ignoring_conflicts(
    session: Session, model: type[SQLModel], values: Mapping[str, Any]
) -> int | None:
    """INSERT a row unless it breaks a unique key; the new id, or None if a row was there."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    insert = _insert_for(session)
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    new_id: int | None = session.exec(statement).scalar_one_or_none()
    return new_id
