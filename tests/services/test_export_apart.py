"""The export's 统计汇总 sheets laid out in a worker process (at scale) are the ones laid out in the export's own process.

The worker reads the database anew and hands the sheets back rendered; the workbook must be the
same member for member. A worker that dies or fails leaves the export whole: the sheets are then
laid out where the export runs."""

from __future__ import annotations

import io
import logging
import os
import zipfile
from datetime import datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import load_config
from bot.context import Services, open_services
from bot.models import SubmissionKind
from bot.services.coordinator import apart, export, statistics_sheets
from bot.services.deadlines.due_items import sync_due_items
from bot.services.people.campaign import sync_campaign
from bot.storage import Storage
from schedules import ChinaCalendar
from tests.app.helpers_coordinator import STATISTICS, case_data, file, liaison, statistics_data


def _campaign(storage: Storage, now: datetime) -> Services:
    base = load_config()
    config = base.model_copy(update={"report_types": [*base.report_types, STATISTICS]})
    sync_campaign(storage, config, now=now)
    sync_due_items(storage, config, calendar=ChinaCalendar(config.calendar), now=now)
    for n, code in enumerate(("pgs", "shs", "sys", "sgs")):
        person = liaison(storage, code, telegram_user_id=7001 + n, name=f"联络员{n}", mobile=f"1380000000{n}", now=now)
        for period in ("2023-08", "2023-09"):
            file(storage, code, STATISTICS.key, period, person=person, kind=SubmissionKind.statistics, data=statistics_data(n + int(period[-1])), at=now)  # (filed ahead)
        if n == 0:
            file(storage, code, "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data("销售假药"), at=now)
    return open_services(config, storage, secret=b"test", clock=FixedClock(now))


LATER = timedelta(days=60)  # the export is made after both periods' deadlines


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture
def shutdown_workers() -> object:
    yield None
    apart.shutdown()


def test_the_sheets_laid_out_in_a_worker_are_those_laid_out_here(storage: Storage, now: datetime, monkeypatch: pytest.MonkeyPatch, shutdown_workers: object) -> None:
    services = _campaign(storage, now)
    here = export.build_workbook(services, now=now + LATER)
    assert here.worker_cpu_s == 0.0
    monkeypatch.setattr(export, "PROCESS_FROM_UNITS", 0)
    for language in ("zh-CN", "en"):
        apart_ = export.build_workbook(services, now=now + LATER, language=language)
        assert apart_.worker_cpu_s > 0  # the worker laid them out
        local = here if language == "zh-CN" else None
        if local is None:
            monkeypatch.setattr(export, "PROCESS_FROM_UNITS", 10**9)
            local = export.build_workbook(services, now=now + LATER, language=language)
            monkeypatch.setattr(export, "PROCESS_FROM_UNITS", 0)
        assert (apart_.register_rows, apart_.units, apart_.statistics_units, apart_.statistics_periods) == (
            local.register_rows, local.units, local.statistics_units, local.statistics_periods)
        assert local.statistics_units == 4 and local.statistics_periods >= 2
        assert _members(apart_.data) == _members(local.data)


def _dies(job: statistics_sheets.Job) -> statistics_sheets.Done:
    os._exit(3)  # as a worker killed for its memory would


def _fails(job: statistics_sheets.Job) -> statistics_sheets.Done:
    raise RuntimeError("the worker's database went away")


@pytest.mark.parametrize("worker", [_dies, _fails])
def test_a_worker_that_dies_or_fails_leaves_the_export_whole(
    storage: Storage, now: datetime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, shutdown_workers: object, worker: object
) -> None:
    services = _campaign(storage, now)
    whole = export.build_workbook(services, now=now + LATER)
    monkeypatch.setattr(export, "PROCESS_FROM_UNITS", 0)
    monkeypatch.setattr(statistics_sheets, "lay_out_apart", worker)
    with caplog.at_level(logging.WARNING):
        result = export.build_workbook(services, now=now + LATER)
    assert result.worker_cpu_s == 0.0 and "laid out here" in caplog.text
    assert _members(result.data) == _members(whole.data)
    monkeypatch.undo()
    monkeypatch.setattr(export, "PROCESS_FROM_UNITS", 0)
    again = export.build_workbook(services, now=now + LATER)  # a new worker for the next export
    assert again.worker_cpu_s > 0 and _members(again.data) == _members(whole.data)
