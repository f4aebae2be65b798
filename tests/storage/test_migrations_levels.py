"""Migrations 0005–0007 from the schema before them (0004) with data in it, on both backends, and back."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from bot.db import alembic_config, current_revision, head_revision, make_engine, upgrade


def _downgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


def test_levels_problems_and_tasks_migrate_from_the_current_schema(empty_db_url: str) -> None:
    upgrade(empty_db_url, "0004")
    engine = make_engine(empty_db_url)
    now = "2023-08-16 02:00:00+00:00"
    try:
        with engine.begin() as c:  # a running campaign: a unit with its liaison
            c.execute(sa.text("INSERT INTO unit (code, name, tags, active, created_at, updated_at) VALUES ('pgs', '平岗市场监管所', '[]', true, :t, :t)"), {"t": now})
            c.execute(sa.text("INSERT INTO person (telegram_user_id, reachable, created_at, updated_at) VALUES (7001, true, :t, :t)"), {"t": now})
            c.execute(sa.text("INSERT INTO role_assignment (person_id, unit_id, role, started_at) VALUES (1, 1, 'primary', :t)"), {"t": now})
        upgrade(empty_db_url)
        assert current_revision(empty_db_url) == head_revision()
        with engine.begin() as c:
            assert c.execute(sa.text("SELECT code, parent_id FROM unit")).all() == [("pgs", None)]  # flat: top level
            assert c.execute(sa.text("SELECT role, unit_id FROM role_assignment")).all() == [("primary", 1)]
            c.execute(sa.text(
                "INSERT INTO problem (number, unit_id, description, source, severity, responsible, due_at, status, returned_times, created_at, updated_at)"
                " VALUES (1, 1, '问题', '', '一般', '张三', :t, 'open', 0, :t, :t)"), {"t": now})
            c.execute(sa.text("INSERT INTO task (key, \"group\", title, content, source, active, created_at, updated_at) VALUES ('1', '', '任务', '', 'config', true, :t, :t)"), {"t": now})
        tables = set(sa.inspect(engine).get_table_names())
        assert {"problem", "problem_event", "task", "task_unit", "task_report"} <= tables
        if engine.dialect.name == "sqlite":
            return  # (SQLite cannot drop the parent column while other tables' rows point at unit: see 0005's downgrade)
        _downgrade(empty_db_url, "0004")
        assert current_revision(empty_db_url) == "0004"
        assert not {"problem", "problem_event", "task", "task_unit", "task_report"} & set(sa.inspect(engine).get_table_names())
        with engine.begin() as c:
            assert c.execute(sa.text("SELECT code FROM unit")).all() == [("pgs",)]
        upgrade(empty_db_url)  # and up again
        assert current_revision(empty_db_url) == head_revision()
    finally:
        engine.dispose()
