"""Queries for the statistics summaries per period (统计汇总): who owed each period, and what they filed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, type_coerce
from sqlalchemy import select as sql_select  # seven columns: more than sqlmodel.select types
from sqlmodel import Session, col

from bot.models import DueItem, Obligation, Submission, Unit
from bot.storage.register import FiledReport, _filing, _filing_select


@dataclass(frozen=True)
class Owed:
    """A unit that owes a period of a report, and where its obligation stands (open, done, returned, awaiting)."""

    report_key: str
    period_key: str
    period_label: str
    due_at: datetime
    unit_code: str
    unit_name: str
    status: str


def owed(session: Session, *, report_keys: Sequence[str]) -> list[Owed]:
    """Every active unit's obligation of these reports, by deadline and unit code."""
    if not report_keys:
        return []
    statement = (
        sql_select(
            col(DueItem.report_key), col(DueItem.period_key), col(DueItem.period_label), col(DueItem.due_at),
            col(Unit.code), col(Unit.name), type_coerce(Obligation.status, String),
        )
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(DueItem.report_key).in_(list(report_keys)), col(Unit.active).is_(True))
        .order_by(col(DueItem.due_at), col(Unit.code))
    )
    return [Owed(*row) for row in session.execute(statement)]


def period_filings(session: Session, *, report_keys: Sequence[str], kind: str) -> list[FiledReport]:
    """Every current filing of `kind` of these reports, every period (not only each unit's latest), by deadline and unit."""
    if not report_keys:
        return []
    statement = (
        _filing_select()
        .where(col(DueItem.report_key).in_(list(report_keys)), col(Submission.kind) == kind)
        .order_by(col(DueItem.due_at), col(Unit.code), col(Submission.item_no))
    )
    return [_filing(r) for r in session.connection().execute(statement)]  # Core rows: no ORM loading of thousands of filings
