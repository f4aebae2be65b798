"""Engines, the UTCDateTime column and migrations, on both backends."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, select

import bot.models  # noqa: F401
from bot.db import (
    current_revision,
    head_revision,
    make_engine,
    normalize_url,
    upgrade,
)
from bot.models import AuditEvent
from bot.storage import Storage, audit

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///data/x.sqlite3", "sqlite:///data/x.sqlite3"),
    ],
    ids=["postgres-alias", "postgresql", "psycopg", "sqlite"],
)
def test_normalize_url_uses_psycopg_for_postgresql(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_sqlite_engine_creates_parent_dir_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert path.parent.is_dir()
    finally:
        engine.dispose()


def test_timestamps_round_trip_as_aware_utc(storage: Storage) -> None:
    moment = datetime(2023, 8, 10, 23, 59, 59, 123456, tzinfo=SHANGHAI)
    with storage.session() as s:
        event = audit.audit(s, action="test", now=moment)
        event_id = event.id
    with storage.session() as s:
        stored = s.get(AuditEvent, event_id)
        assert stored is not None
        assert stored.at.tzinfo is not None
        assert stored.at.utcoffset() == timedelta(0)
        assert stored.at == moment
        assert stored.at == datetime(2023, 8, 10, 15, 59, 59, 123456, tzinfo=UTC)
        # The database holds UTC, whatever the zone it was given in.
        raw = s.connection().execute(text("SELECT at FROM audit_event")).scalar_one()
        if storage.dialect == "sqlite":
            assert str(raw).startswith("2023-08-10 15:59:59.123456")
        else:
            assert raw.astimezone(UTC) == datetime(2023, 8, 10, 15, 59, 59, 123456, tzinfo=UTC)


def test_naive_datetime_is_refused(storage: Storage) -> None:
    with pytest.raises(StatementError) as info, storage.session() as s:
        audit.audit(s, action="test", now=datetime(2023, 8, 10, 12, 0))  # noqa: DTZ001
    assert isinstance(info.value.orig, ValueError)
    assert "naive" in str(info.value.orig)
    with storage.session() as s:
        assert audit.recent_events(s) == []


def test_naive_datetime_in_a_query_is_refused(storage: Storage) -> None:
    from sqlmodel import select

    with pytest.raises(StatementError), storage.session() as s:
        s.exec(select(AuditEvent).where(AuditEvent.at < datetime(2023, 1, 1))).all()  # noqa: DTZ001


def test_migrated_schema_matches_models(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head_revision()
    upgrade(empty_db_url)  # idempotent
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, SQLModel.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_upgrade_does_not_depend_on_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    upgrade("sqlite:///relative/bot.sqlite3")
    assert (tmp_path / "relative" / "bot.sqlite3").is_file()
    assert current_revision("sqlite:///relative/bot.sqlite3") == head_revision()


def test_foreign_keys_are_enforced(storage: Storage, now: datetime) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), storage.session() as s:
        audit.audit(s, action="x", now=now, actor_person_id=9999)


def test_cli_db_upgrade_and_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from bot.cli import db as cli_db

    parser = argparse.ArgumentParser()
    cli_db.add_parser(parser.add_subparsers())
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    args = parser.parse_args(["db", "current", "--url", url])
    assert args.func(args) == 1
    assert "revision none" in capsys.readouterr().out

    args = parser.parse_args(["db", "upgrade", "--url", url])
    assert args.func(args) == 0
    assert f"upgraded from empty to {head_revision()}" in capsys.readouterr().out

    args = parser.parse_args(["db", "current"])
    args.database_url = url  # what the config supplies when --url is absent
    assert args.func(args) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_db_upgrade_uses_the_configured_database_and_explains_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    url = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("LIAISON_BOT_DATABASE_URL", url)  # as `run` would use it: the same database is upgraded
    assert main(["db", "upgrade"]) == 0
    assert f"database {url} upgraded from empty to {head_revision()}" in capsys.readouterr().out

    assert main(["db", "current", "--url", "postgresql://nobody@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("database error:") and "Traceback" not in err and len(err.splitlines()) == 1


def test_a_long_read_holds_up_no_writer(storage: Storage) -> None:
    """`Storage.read()` never takes SQLite's write lock: an export or a dashboard page reading for
    seconds lets an update's claim or a reminder's be written meanwhile (it waited out the busy
    timeout and failed while reads began IMMEDIATE); nothing a read writes is kept."""
    import threading

    from bot.models import Unit

    now = datetime(2024, 1, 1, tzinfo=UTC)
    with storage.read() as r:
        before = len(r.exec(select(Unit)).all())  # the read has begun and holds its snapshot
        done = threading.Event()
        errors: list[BaseException] = []

        def write() -> None:
            try:
                with storage.session() as w:
                    w.add(Unit(code="w1", name="写入单位", tags=[], active=True, created_at=now, updated_at=now))
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
            done.set()

        threading.Thread(target=write, daemon=True).start()
        assert done.wait(3.0), "the writer waited for the reader"
        assert not errors, errors
        assert len(r.exec(select(Unit)).all()) >= before  # the read goes on
    with storage.read() as r:
        assert r.exec(select(Unit).where(Unit.code == "w1")).one().name == "写入单位"
    with pytest.raises(Exception):  # noqa: B017 - what a read must not do: nothing it writes is kept
        with storage.read() as r:
            r.add(Unit(code="w2", name="不保存", tags=[], active=True, created_at=now, updated_at=now))
            r.flush()
            raise RuntimeError("leave")
    with storage.read() as r:
        assert r.exec(select(Unit).where(Unit.code == "w2")).first() is None


@pytest.mark.parametrize("db_backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_connection_the_server_dropped_while_idle_is_replaced_unseen(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pooled connection whose server end went away (a restart) is pinged before use and replaced: the query
    after it succeeds. Only a connection idle for a while is pinged (`PING_IDLE_S`), so the wait here is none."""
    import psycopg

    import bot.db

    monkeypatch.setattr(bot.db, "PING_IDLE_S", 0.0)
    storage = Storage.from_url(db_url)
    try:
        with storage.engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as other:  # not the pool's
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with storage.engine.connect() as connection:  # the pool hands out the dropped one: the ping finds it dead
            again = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert again != pid
        with storage.reading() as session:  # the sessions that only read go through the same pool
            assert session.connection().execute(text("SELECT 1")).scalar_one() == 1
    finally:
        storage.dispose()
