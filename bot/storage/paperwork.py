"""Read queries for the paperwork coordinators hand in: the register line by filing, the on-time record.

One statement each, streamed or grouped in SQL whatever the number of units (see `views` for the
reasons timestamps are read raw). Only active units.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, case, func, or_, type_coerce
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from bot.models import Attachment, DueItem, Obligation, ObligationStatus, Person, Submission, SubmissionKind, SubmissionStatus, Unit
from bot.storage import sql
from bot.storage.register import _raw_utc


class RegisterLine(NamedTuple):
    """One line of the register: a filed item's current version, or an obligation due and not filed."""

    unit_code: str
    unit_name: str
    report_key: str
    period_key: str
    period_label: str
    due_at: datetime
    status: str  # the obligation's: open / done / returned / awaiting
    item_no: int | None
    version: int | None
    case_title: str | None
    submitted_at: datetime | None
    late: bool
    submission_status: str | None  # submitted / accepted / returned / pending (待审核: awaiting sign-off)
    filed_by: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None


def register_lines(session: Session, *, now: datetime) -> Iterator[RegisterLine]:
    """Every obligation due by `now` or filed already, one line per current item, by report, deadline, unit, item.

    The lines' big statement reads ids and states only (a few narrow columns sort fast, and no
    `data` document travels through its joins); units, due items, people's names and the cases'
    titles are read once each beside it and looked up. Streamed: 216,000 lines at 3,000 units."""
    utc = _raw_utc()
    units = {r[0]: (r[1], r[2]) for r in session.execute(select_columns(col(Unit.id), col(Unit.code), col(Unit.name)).where(col(Unit.active).is_(True)))}
    items = {
        r[0]: (r[1], r[2], r[3], utc(r[4]))
        for r in session.execute(select_columns(col(DueItem.id), col(DueItem.report_key), col(DueItem.period_key), col(DueItem.period_label), type_coerce(DueItem.due_at, String)))
    }
    names = {r[0]: r[1] for r in session.execute(select_columns(col(Person.id), func.coalesce(Person.name, Person.first_name)))}
    # a case's title read in SQL (json_extract / #>>): decoding every filing's JSON would cost a third of the export
    title = col(Submission.data)["values"]["title"].as_string()
    cases = select_columns(col(Submission.id), title).where(col(Submission.kind) == SubmissionKind.case.value, col(Submission.status) != SubmissionStatus.superseded.value)
    titles = {r[0]: r[1] for r in session.execute(cases) if r[1]}
    columns: list[Any] = [
        Obligation.due_item_id,
        Obligation.unit_id,
        type_coerce(Obligation.status, String),
        Submission.id,
        Submission.item_no,
        Submission.version,
        type_coerce(Submission.submitted_at, String),
        func.coalesce(Submission.late, Obligation.late),
        type_coerce(Submission.status, String),
        Submission.person_id,
        Submission.reviewed_by_person_id,
        type_coerce(Submission.reviewed_at, String),
    ]
    statement = (
        select_columns(*columns)
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .outerjoin(Submission, (col(Submission.obligation_id) == Obligation.id) & (col(Submission.status) != SubmissionStatus.superseded.value))
        .where(col(Unit.active).is_(True), or_(col(DueItem.due_at) < now, col(Submission.id).is_not(None)))
        .order_by(col(DueItem.report_key), col(DueItem.due_at), col(Unit.code), col(Submission.item_no))
    )
    sql.whole_table_reads(session)
    for r in session.connection().execute(statement.execution_options(yield_per=5000)):
        unit = units[r[1]]
        item = items[r[0]]
        yield RegisterLine(
            unit[0], unit[1], item[0], item[1], item[2], item[3], r[2], r[4], r[5], titles.get(r[3]),
            utc(r[6]), bool(r[7]), r[8], names.get(r[9]), names.get(r[10]), utc(r[11]),
        )


@dataclass(frozen=True)
class OnTimeRow:
    """A unit's record for the yearly assessment (纳入年度考核): items due by a moment and how they went."""

    unit_code: str
    unit_name: str
    due: int
    on_time: int
    late: int
    missing: int
    returned: int
    awaiting: int = 0  # 待审核: filed, waiting for the unit head's sign-off (not on time, not missing)

    @property
    def rate(self) -> float:
        """On-time share of the items due (1.0 when none was due)."""
        return self.on_time / self.due if self.due else 1.0


def on_time_record(session: Session, *, now: datetime, report_keys: list[str] | None = None) -> list[OnTimeRow]:
    """Per active unit, over obligations due before `now`: due, on time, late, missing, returned, 待审核 (one GROUP BY)."""
    due = select(Obligation.unit_id, Obligation.status, Obligation.late).join(DueItem, col(DueItem.id) == Obligation.due_item_id).where(col(DueItem.due_at) < now)
    if report_keys:
        due = due.where(col(DueItem.report_key).in_(report_keys))
    d = due.subquery()

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    done = d.c.status == ObligationStatus.done.value
    columns: list[Any] = [
        Unit.code,
        Unit.name,
        count(d.c.unit_id.is_not(None)),
        count(done & (d.c.late.is_(False))),
        count(done & (d.c.late.is_(True))),
        count(d.c.status == ObligationStatus.open.value),
        count(d.c.status == ObligationStatus.returned.value),
        count(d.c.status == ObligationStatus.awaiting.value),
    ]
    statement = (
        select_columns(*columns)
        .select_from(Unit)
        .outerjoin(d, d.c.unit_id == Unit.id)
        .where(col(Unit.active).is_(True))
        .group_by(Unit.code, Unit.name)
        .order_by(col(Unit.code))
    )
    return [OnTimeRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7])) for r in session.execute(statement)]


@dataclass(frozen=True)
class FileRef:
    """A file attached to a filing: its name as sent and where it is kept."""

    id: int
    submission_id: int
    file_name: str | None
    storage_path: str
    size: int
    sha256: str


def attachments_for(session: Session, *, submission_ids: list[int]) -> dict[int, list[FileRef]]:
    """The files of these submissions, by submission, in the order they were sent (one query)."""
    out: dict[int, list[FileRef]] = {}
    if not submission_ids:
        return out
    statement = select(Attachment).where(col(Attachment.submission_id).in_(submission_ids)).order_by(col(Attachment.id))
    for a in session.exec(statement):
        sid = a.submission_id or 0
        out.setdefault(sid, []).append(FileRef(a.id or 0, sid, a.file_name, a.storage_path, a.size, a.sha256))
    return out
