"""Test data for the coordinator views: filings made through the storage functions, shaped like issue 6's forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import ReportType
from bot.models import Person, Role, SubmissionKind
from bot.storage import Storage, due, people, roles, submissions, units

# Seed 001's 附件1 statistics report, added to the shipped campaign by the `export_bot` fixture.
STATISTICS = ReportType.model_validate(
    {
        "key": "drug_statistics",
        "title": "药品经营使用环节巩固提升行动工作情况统计",
        "template": "statistics",
        "attachment": "附件1",
        "owed_by": ["所队"],
        "schedule": {"kind": "monthly", "day": 5, "covers": "previous_month"},
    }
)


def liaison(storage: Storage, code: str, *, telegram_user_id: int, name: str, mobile: str, now: datetime, reachable: bool = True) -> Person:
    """Register a primary liaison with a 附件10 profile for unit `code`."""
    with storage.session() as s:
        person = people.get_or_create_person(s, telegram_user_id=telegram_user_id, chat_id=telegram_user_id, first_name=name, now=now)
        people.set_profile(s, person_id=person.id, profile={"name": name, "mobile": mobile, "department": "办公室", "title": "科员", "office_phone": "0564-1234567", "email": f"{telegram_user_id}@example.cn"}, now=now)  # type: ignore[arg-type]
        unit = units.get_unit_by_code(s, code=code)
        assert unit is not None
        roles.assign_role(s, person_id=person.id, role=Role.primary, unit_id=unit.id, now=now)  # type: ignore[arg-type]
        if not reachable:
            people.mark_unreachable(s, person_id=person.id, now=now)  # type: ignore[arg-type]
    return person


def file(
    storage: Storage, code: str, report_key: str, period_key: str, *, person: Person, kind: SubmissionKind, data: dict[str, Any], at: datetime, item_no: int = 1
) -> int:
    """File (and complete) a unit's obligation; returns the submission id."""
    with storage.session() as s:
        item = due.get_due_item(s, report_key=report_key, period_key=period_key)
        unit = units.get_unit_by_code(s, code=code)
        assert item is not None and unit is not None
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[arg-type]
        assert obligation is not None
        sub = submissions.file_and_complete(s, obligation_id=obligation.id, person_id=person.id, kind=kind, data=data, now=at, item_no=item_no)  # type: ignore[arg-type]
        return sub.id  # type: ignore[return-value]


def case_data(title: str, overview: str = "某药店销售假药。", result: str = "罚款5万元。") -> dict[str, Any]:
    return {"values": {"title": title, "overview": overview, "result": result, "decided_on": "2023-08-01", "fine": "50000", "police": False}, "files": {}}


def summary_data(**sections: str) -> dict[str, Any]:
    values = {k: sections.get(k, f"{k}内容") for k in ("basic", "progress", "highlights", "suggestions", "other")}
    return {"values": values, "files": {}}


def statistics_data(base: int) -> dict[str, Any]:
    """附件1: row_<category>: {column: 'number'} with fines in 万元."""
    rows = {}
    for i, cat in enumerate(("retail", "users", "online")):
        n = base + i
        rows[f"row_{cat}"] = {"inspected": str(10 * n), "violating": str(n), "rectified": str(n), "cases": str(n), "fines": f"{n}.5", "revoked": "0", "police": "1"}
    return {"values": rows, "files": {}}
