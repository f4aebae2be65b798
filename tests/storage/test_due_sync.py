"""Due items synced as a set: a restart with nothing changed writes nothing; a change writes only the difference."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlmodel import func, select

from bot.config import Config, UnitConfig, load_config
from bot.models import DueItem, Obligation
from bot.services.deadlines.due_items import sync_due_items
from bot.services.people.campaign import sync_campaign
from bot.storage import Storage
from schedules import ChinaCalendar


def _counts(storage: Storage) -> tuple[int, int]:
    with storage.session() as s:
        return s.exec(select(func.count()).select_from(DueItem)).one(), s.exec(select(func.count()).select_from(Obligation)).one()


def _sync(storage: Storage, config: Config, now: datetime) -> int | None:
    return sync_due_items(storage, config, calendar=ChinaCalendar(config.calendar), now=now)


def _writes_during(storage: Storage, run: Callable[[], object]) -> list[str]:
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            statements.append(statement)

    event.listen(storage.engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(storage.engine, "before_cursor_execute", seen)
    return statements


def test_first_sync_creates_every_item_and_obligation_then_a_restart_writes_nothing(storage: Storage, now: datetime) -> None:
    config = load_config()
    sync_campaign(storage, config, now=now)
    added = _sync(storage, config, now)
    items, obligations = _counts(storage)
    assert items > 0 and added == obligations > items  # every unit owes something

    assert _writes_during(storage, lambda: _sync(storage, config, now + timedelta(hours=1))) == []
    assert _sync(storage, config, now + timedelta(hours=2)) is None
    assert _counts(storage) == (items, obligations)


def test_a_new_unit_owes_its_reports_and_only_its_obligations_are_written(storage: Storage, now: datetime) -> None:
    config = load_config()
    sync_campaign(storage, config, now=now)
    _sync(storage, config, now)
    items, obligations = _counts(storage)
    tag = config.units[0].tags[0]
    grown = config.model_copy(update={"units": [*config.units, UnitConfig(code="newunit", name="新设所", tags=[tag])]})
    sync_campaign(storage, grown, now=now)
    added = _sync(storage, grown, now)
    assert added is not None and added > 0
    assert _counts(storage) == (items, obligations + added)
    with storage.session() as s:
        owed = s.exec(select(func.count()).select_from(Obligation).join(DueItem).where(DueItem.report_key == config.report_types[0].key)).one()
    assert owed > 0


def test_a_changed_due_day_moves_the_stored_deadlines(storage: Storage, now: datetime) -> None:
    config = load_config()
    sync_campaign(storage, config, now=now)
    _sync(storage, config, now)
    monthly = next(r for r in config.report_types if getattr(r.schedule, "kind", None) == "monthly")
    with storage.session() as s:
        before = {i.period_key: i.due_at for i in s.exec(select(DueItem).where(DueItem.report_key == monthly.key))}
    day = monthly.schedule.day  # type: ignore[union-attr]
    moved_schedule = monthly.schedule.model_copy(update={"day": 10 if day != 10 else 11})
    moved = config.model_copy(update={"report_types": [r.model_copy(update={"schedule": moved_schedule}) if r.key == monthly.key else r for r in config.report_types]})
    _, obligations = _counts(storage)
    assert _sync(storage, moved, now) == 0  # no new obligation, only dates moved
    with storage.session() as s:
        after = {i.period_key: i.due_at for i in s.exec(select(DueItem).where(DueItem.report_key == monthly.key))}
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in before)
    assert _counts(storage)[1] == obligations
