"""The on-time record per unit for the yearly assessment (seed 001: "纳入年度药品安全考核").

Per active unit, over the items past their deadline: due, on time, late (逾期补报), missing, returned,
待审核 (waiting for the unit head's sign-off: not counted as filed) and the on-time rate (on time ÷ due), with a 合计 row. One sheet of the export, and a workbook of
its own (`liaison-bot ontime`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from bot.context import Services
from bot.services.coordinator.paper import Labels, sheet_name
from bot.services.coordinator.xlsx import Column, Kind, Sheet, Sheets, Styled, Workbook
from bot.storage import paperwork
from bot.storage.paperwork import OnTimeRow


def columns(L: Labels) -> list[Column]:
    """The sheet's columns."""
    k = "ontime."
    return [
        Column(L(k + "no"), 7, Kind.integer),
        Column(L(k + "unit-code"), 10, Kind.centred),
        Column(L(k + "unit"), 26),
        *(Column(L(k + c), 11, Kind.integer) for c in ("due", "on-time", "late", "missing", "returned", "awaiting")),
        Column(L(k + "rate"), 12, Kind.percent),
    ]


def rows(record: list[OnTimeRow], L: Labels, *, as_of: str) -> Iterator[list[object] | Styled]:
    """One row per unit, the 合计 row, the note."""
    for n, r in enumerate(record, start=1):
        yield [n, r.unit_code, r.unit_name, r.due, r.on_time, r.late, r.missing, r.returned, r.awaiting, r.rate]
    due = sum(r.due for r in record)
    on_time = sum(r.on_time for r in record)
    totals = [due, on_time, sum(r.late for r in record), sum(r.missing for r in record), sum(r.returned for r in record), sum(r.awaiting for r in record)]
    kinds = (Kind.total, Kind.total, Kind.total, *(Kind.total_integer,) * 6, Kind.percent)
    yield Styled(kinds, ["", "", L("statistics.total"), *totals, on_time / due if due else 1.0])
    yield Styled(Kind.note, [L("ontime.note", as_of=as_of)], merge=True)


def add_sheet(book: Sheets, record: list[OnTimeRow], *, L: Labels, campaign: str, as_of: str, used: set[str]) -> int:
    """Write the on-time sheet into a workbook."""
    sheet = Sheet(sheet_name(L("ontime.sheet"), used), columns(L), title=L("ontime.title", campaign=campaign), lines=[as_of])
    return book.add_sheet(sheet, rows(record, L, as_of=as_of))


def record_of(services: Services, *, now: datetime) -> list[OnTimeRow]:
    """Every active unit's record by `now`."""
    with services.storage.read() as s:
        return paperwork.on_time_record(s, now=now)


def build(services: Services, *, now: datetime, language: str = "zh-CN") -> tuple[bytes, list[OnTimeRow]]:
    """A workbook holding only the on-time sheet, and the record."""
    L = Labels(language)
    c = services.config.campaign
    campaign = (c.name_en or c.name) if language == "en" else c.name
    record = record_of(services, now=now)
    book = Workbook()
    add_sheet(book, record, L=L, campaign=campaign, as_of=L.as_of(now.astimezone(c.tz)), used=set())
    return book.close(), record
