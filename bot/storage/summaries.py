"""Queries for the statistics summaries per period (统计汇总): who owed each period, and what they filed.

Both read tens of thousands of rows at 3,000 units: their statements select ids and states, and the
units and due items (a few thousand rows) are read once beside them and looked up."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, Text, cast, type_coerce
from sqlalchemy import select as sql_select  # more columns than sqlmodel.select types
from sqlmodel import Session, col

from bot.models import DueItem, Obligation, Submission, Unit
from bot.storage import sql
from bot.storage.register import FiledReport, _raw_utc
from bot.storage.views import CURRENT


class Owed(NamedTuple):
    """A unit that owes a period of a report, and where its obligation stands (open, done, returned, awaiting)."""

    report_key: str
    period_key: str
    period_label: str
    due_at: datetime
    unit_code: str
    unit_name: str
    status: str


def _units_and_items(session: Session, report_keys: Sequence[str]) -> tuple[dict[int, tuple[str, str]], dict[int, tuple[str, str, str, datetime]]]:
    """Active units (id -> code, name) and these reports' due items (id -> report, period, label, deadline)."""
    utc = _raw_utc()
    units = {r[0]: (r[1], r[2]) for r in session.execute(sql_select(col(Unit.id), col(Unit.code), col(Unit.name)).where(col(Unit.active).is_(True)))}
    statement = sql_select(col(DueItem.id), col(DueItem.report_key), col(DueItem.period_key), col(DueItem.period_label), type_coerce(DueItem.due_at, String))
    items = {r[0]: (r[1], r[2], r[3], utc(r[4])) for r in session.execute(statement.where(col(DueItem.report_key).in_(list(report_keys))))}
    return units, items


def owed(session: Session, *, report_keys: Sequence[str]) -> list[Owed]:
    """Every active unit's obligation of these reports, by deadline and unit code."""
    if not report_keys:
        return []
    units, items = _units_and_items(session, report_keys)
    statement = (
        sql_select(col(Obligation.due_item_id), col(Obligation.unit_id), type_coerce(Obligation.status, String))
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(DueItem.report_key).in_(list(report_keys)), col(Unit.active).is_(True))
        .order_by(col(DueItem.due_at), col(Unit.code))
    )
    out = []
    for item_id, unit_id, status in session.execute(statement):
        item, unit = items[item_id], units[unit_id]
        out.append(Owed(item[0], item[1], item[2], item[3], unit[0], unit[1], status))
    return out


def period_filings(session: Session, *, report_keys: Sequence[str], kind: str) -> Iterator[FiledReport]:
    """Every current filing of `kind` of these reports, every period (not only each unit's latest), by deadline and unit.

    Streamed (tens of thousands of documents: the caller keeps what it needs of each). The unit is
    joined through the obligation (the same unit): so SQLite walks due item, obligation, submission
    by their keys (through the submission's own unit it scanned a unit's every filing for every due
    item: 4.5 s at 3,000 units)."""
    if not report_keys:
        return
    units, items = _units_and_items(session, report_keys)
    utc = _raw_utc()
    columns: list[Any] = [
        Obligation.due_item_id, Obligation.unit_id, Submission.item_no, Submission.version, type_coerce(Submission.kind, String),
        cast(Submission.data, Text), type_coerce(Submission.submitted_at, String), Submission.late, Submission.id,
    ]
    statement = (
        sql_select(*columns)
        .select_from(Submission)
        .join(Obligation, col(Obligation.id) == Submission.obligation_id)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(DueItem.report_key).in_(list(report_keys)), col(Submission.kind) == kind, col(Submission.status).in_(CURRENT), col(Unit.active).is_(True))
        .order_by(col(DueItem.due_at), col(Unit.code), col(Submission.item_no))
    )
    sql.whole_table_reads(session)
    for item_id, unit_id, item_no, version, filed_kind, data, submitted_at, late, submission_id in session.connection().execute(statement.execution_options(yield_per=2000)):
        item, unit = items[item_id], units[unit_id]
        document = json.loads(data) if data else None  # (read as text: psycopg's own JSON reading took twice the time)
        yield FiledReport(unit[0], unit[1], item[0], item[1], item[2], item_no, version, filed_kind, document or {}, utc(submitted_at), bool(late), submission_id)
