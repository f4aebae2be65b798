"""Ad-hoc report types (临时报送事项) added by coordinators with /deadline."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.models import AdhocReport


def add_adhoc_report(
    session: Session,
    *,
    title: str,
    template: str,
    due_at: datetime,
    has_time: bool,
    owed_by: Sequence[str],
    unit_codes: Sequence[str],
    created_by_person_id: int | None,
    now: datetime,
) -> AdhocReport:
    """Record an ad-hoc report type; its key is `adhoc_<id>`."""
    row = AdhocReport(
        key=f"adhoc_new_{secrets.token_hex(8)}",  # renamed below, once the id is known
        title=title,
        template=template,
        due_at=due_at,
        has_time=has_time,
        owed_by=list(owed_by),
        unit_codes=list(unit_codes),
        created_by_person_id=created_by_person_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    row.key = f"adhoc_{row.id}"
    session.flush()
    return row


def list_adhoc_reports(session: Session) -> list[AdhocReport]:
    """Every ad-hoc report type, oldest first."""
    return list(session.exec(_ALL))


_ALL = select(AdhocReport).order_by(col(AdhocReport.id))  # built once: every /due and /submit reads them


def get_adhoc_report(session: Session, *, key: str) -> AdhocReport | None:
    """An ad-hoc report by its key (adhoc_<id>)."""
    return session.exec(select(AdhocReport).where(AdhocReport.key == key)).first()


def adhoc_fingerprint(session: Session) -> tuple[int, int]:
    """(how many ad-hoc report types, their highest id): changes whenever one is added or removed."""
    count, top = session.exec(select(func.count(col(AdhocReport.id)), func.max(AdhocReport.id))).one()
    return int(count or 0), int(top or 0)
