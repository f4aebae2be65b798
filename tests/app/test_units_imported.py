"""Units imported with `liaison-bot import-units`: they owe their reports (and are reminded) without a restart.

The running bot looks every `RESYNC_EVERY_S` at a fingerprint of the active units and the
ad-hoc deadlines and syncs the due items again only when it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main as cli_main
from bot.clock import FixedClock
from bot.config import TemplateKind
from bot.context import SERVICES_KEY, Services
from emulator import Emulator
from bot.models import Person, Unit
from bot.services.deadlines import adhoc
from bot.services.deadlines import due_items as deadlines
from bot.services.reminders import timer
from bot.services.deadlines.due_items import RESYNC_EVERY_S, RESYNC_JOB
from bot.storage import Storage, due
from schedules import When
from tests.app.registration_support import fast_sends
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot

__all__ = ["fast_sends"]

CASES = "典型案例"
MINUS_3D = datetime(2023, 8, 30, 1, 0, tzinfo=UTC)  # 3 days before typical_case 2023-08 is due, 09:00 in Shanghai


def _import(storage: Storage, tmp_path: Path, rows: str) -> int:
    path = tmp_path / "units.csv"
    path.write_text("code,name,tags\n" + rows, encoding="utf-8")
    return cli_main(["import-units", str(path), "--database-url", storage.engine.url.render_as_string(hide_password=False)])


def _owed(storage: Storage, code: str) -> set[str]:
    unit = storage.units.get_unit_by_code(code=code)
    assert unit is not None and unit.id is not None
    with storage.session() as s:
        return {v.due_item.report_key for v in due.open_obligations(s, unit_id=unit.id)}


async def _run_resync_job(bot: RunningBot) -> None:
    """What the job queue does every RESYNC_EVERY_S seconds."""
    assert bot.app.job_queue is not None
    jobs = bot.app.job_queue.get_jobs_by_name(RESYNC_JOB)
    assert len(jobs) == 1 and jobs[0].job.trigger.interval.total_seconds() == RESYNC_EVERY_S  # type: ignore[union-attr]
    await jobs[0].run(bot.app)


async def test_units_imported_into_a_running_bot_owe_their_reports_and_are_reminded(
    bot_app: RunningBot, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    make_person: Callable[..., Person], make_liaison: Callable[..., Any],
) -> None:
    storage = bot_app.storage
    pgs_reports = _owed(storage, "pgs")
    assert _import(storage, tmp_path, "new1,新一所,所队\nnew2,新二组,工作组\n") == 0
    assert "a running bot picks them up within 1 minute" in capsys.readouterr().out
    assert _owed(storage, "new1") == set()  # not yet

    await _run_resync_job(bot_app)

    assert _owed(storage, "new1") == pgs_reports  # a 所队 like 平岗所: the same reports
    assert "group_weekly" in _owed(storage, "new2") and "typical_case" not in _owed(storage, "new2")
    # the liaison of the new unit is reminded like the others
    new1 = storage.units.get_unit_by_code(code="new1")
    make_liaison(new1, make_person(7911, name="新联络员", mobile="13800000011"))
    user = bot_app.emulator.user(7911, first_name="N", language_code="zh-hans")
    await user.ask("/start")
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    bot_app.clock.set(MINUS_3D)
    await timer.process_due_moments(services, bot_app.app.bot, now=MINUS_3D)
    reminder = await user.wait_for(lambda m: CASES in m.text)
    assert "新一所" in reminder.text


async def test_nothing_is_synced_again_while_nothing_changed(bot_app: RunningBot, storage: Storage, make_unit: Callable[..., Unit]) -> None:
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    now = bot_app.clock.now()
    assert await deadlines.resync_if_changed(services, now=now) is None  # as synced at start
    make_unit("late1", name="后加所", tags=["所队"])
    assert await deadlines.resync_if_changed(services, now=now) is not None
    assert "typical_case" in _owed(storage, "late1")
    assert await deadlines.resync_if_changed(services, now=now) is None
    with storage.session() as s:  # a changed tag is a change
        from bot.storage import units

        unit = units.get_unit_by_code(s, code="late1")
        assert unit is not None
        unit.tags = ["所队", "工作组"]
    assert await deadlines.resync_if_changed(services, now=now) is not None
    assert "group_weekly" in _owed(storage, "late1")


async def test_an_ad_hoc_deadline_for_all_units_is_owed_by_units_imported_after_it(bot_app: RunningBot, tmp_path: Path) -> None:
    services: Services = bot_app.app.bot_data[SERVICES_KEY]
    created = adhoc.create(
        services, title="专项检查情况", template=TemplateKind.FREE, when=When(day=datetime(2023, 9, 8).date()),
        tags=[], unit_codes=[], person_id=None, now=bot_app.clock.now(),
    )
    named = adhoc.create(
        services, title="平岗所补充材料", template=TemplateKind.FREE, when=When(day=datetime(2023, 9, 8).date()),
        tags=[], unit_codes=["pgs"], person_id=None, now=bot_app.clock.now(),
    )
    assert _import(bot_app.storage, tmp_path, "new3,新三所,所队\n") == 0
    await _run_resync_job(bot_app)
    owed = _owed(bot_app.storage, "new3")
    assert created.report.key in owed and named.report.key not in owed
    with bot_app.storage.session() as s:  # the ad-hoc item itself is unchanged
        item = due.get_due_item(s, report_key=created.report.key, period_key=adhoc.PERIOD_KEY)
        assert item is not None and item.due_at == created.due_item.due_at and item.period_label == created.due_item.period_label


async def test_units_imported_before_a_start_owe_their_reports(emulator: Emulator, storage: Storage, now: datetime, tmp_path: Path) -> None:
    assert _import(storage, tmp_path, "pre1,先导所,所队\n") == 0
    bot = await start_bot(campaign_config(emulator), storage, FixedClock(now), emulator)
    try:
        assert "typical_case" in _owed(storage, "pre1")
        assert storage.roles.liaisons_of_unit(unit_id=storage.units.get_unit_by_code(code="pre1").id) == []  # type: ignore[union-attr]
    finally:
        await stop_bot(bot)

