"""The export's reads, sums and writer, made fast for 3,000 units (issue 15), give what the plain versions gave.

Each is compared with the straightforward version it replaced, kept here as the reference: the
register's lines and the statistics filings against the one-statement queries (joins to units,
people and the whole `data` document), the summaries per period against dict-by-dict sums filing
by filing, the writer's body rows against writing cell by cell. The data has what the layout cares
about: versions superseded, returned, 待审核, accepted with a reviewer, late, a second item, a case
without a title, a filer without a profile name, an inactive unit, a period not yet due, cells
missing, empty, unreadable or not texts, a row under its bare key, a cumulative table."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import String, case, func, insert, or_, select, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.config import ReportType
from bot.forms_config import TableForm
from bot.models import DueItem, Obligation, Person, Submission, SubmissionKind, SubmissionStatus, Unit
from bot.services.coordinator import summaries as sums
from bot.services.coordinator import xlsx
from bot.storage import Storage, paperwork
from bot.storage import summaries as summary_store
from bot.storage.register import FiledReport, _raw_utc
from bot.storage.summaries import Owed
from bot.storage.views import CURRENT

NOW = datetime(2024, 1, 12, 2, 0, tzinfo=UTC)
MADE = datetime(2023, 1, 1, tzinfo=UTC)


def _campaign(storage: Storage, rng: random.Random) -> None:
    """6 units (one inactive), 2 reports × 4 periods (the last not due), filings in every state."""
    with storage.engine.begin() as conn:
        conn.execute(insert(Unit), [{"code": f"u{i}", "name": f"第{i}所", "tags": [], "active": i != 4, "created_at": MADE, "updated_at": MADE} for i in range(6)])
        units = [r[0] for r in conn.execute(select(col(Unit.id)).order_by(col(Unit.id)))]
        conn.execute(insert(Person), [
            {"telegram_user_id": 100 + i, "chat_id": 100 + i, "first_name": f"甲{i}", "name": None if i == 2 else f"联络员{i}", "reachable": True, "created_at": MADE, "updated_at": MADE}
            for i in range(7)
        ])
        people = [r[0] for r in conn.execute(select(col(Person.id)).order_by(col(Person.id)))]
        items = [
            {"report_key": key, "period_key": f"2023-{m:02d}", "period_label": f"2023年{m}月", "due_at": datetime(2023, m + 1, day, 15, 59, 59, tzinfo=UTC) if m < 12 else NOW + timedelta(days=3), "created_at": MADE}
            for key, day in (("cases", 2), ("stats", 5)) for m in (9, 10, 11, 12)
        ]
        conn.execute(insert(DueItem), items)
        due = list(conn.execute(select(col(DueItem.id), col(DueItem.report_key), col(DueItem.due_at))))
        conn.execute(insert(Obligation), [
            {"due_item_id": d, "unit_id": u, "status": rng.choice(["open", "done", "returned", "awaiting"]), "late": rng.random() < 0.3, "completed_at": None}
            for d, _, _ in due for u in units
        ])
        obligations = list(conn.execute(select(col(Obligation.id), col(Obligation.unit_id), col(DueItem.report_key), col(DueItem.due_at)).join(DueItem, col(DueItem.id) == Obligation.due_item_id)))
        subs = []
        for ob, unit, key, due_at in obligations:
            if rng.random() < 0.2:
                continue  # not filed
            for item_no in (1, 2) if key == "cases" or rng.random() < 0.15 else (1,):  # a second statistics table sometimes
                versions = rng.choice([1, 1, 2, 3])
                for version in range(1, versions + 1):
                    status = "superseded" if version < versions else rng.choice(["submitted", "accepted", "returned", "pending"])
                    at = (due_at.replace(tzinfo=UTC) if due_at.tzinfo is None else due_at) + timedelta(hours=rng.randint(-48, 96))
                    data = _case(rng) if key == "cases" else _statistics(rng)
                    accepted = status == "accepted"
                    subs.append({
                        "obligation_id": ob, "unit_id": unit, "person_id": rng.choice(people), "item_no": item_no, "version": version,
                        "kind": SubmissionKind.case.value if key == "cases" else SubmissionKind.statistics.value, "data": data, "submitted_at": at,
                        "late": at > (due_at.replace(tzinfo=UTC) if due_at.tzinfo is None else due_at), "status": status,
                        "reviewed_by_person_id": rng.choice(people) if accepted else None, "reviewed_at": at + timedelta(days=1) if accepted else None,
                    })
        conn.execute(insert(Submission), subs)


def _case(rng: random.Random) -> dict[str, Any]:
    title = rng.choice(["销售假药案", "无证经营", "", None])
    return {"values": {"overview": "概述"} | ({} if title is None else {"title": title}), "files": {}}


def _figure(rng: random.Random) -> object:
    return rng.choice(["12", "3", "0", "4.5", "", "abc", " 7 ", 8, 2.25, True, None, [1], {"a": 1}, "1e2", "-2"])


def _statistics(rng: random.Random) -> dict[str, Any]:
    columns = ("inspected", "violating", "fines")
    rows: dict[str, Any] = {}
    for row in ("retail", "users", "online"):
        cells = {c: _figure(rng) for c in columns if rng.random() < 0.85}
        shape = rng.random()
        if shape < 0.1:
            rows[row] = cells  # under its bare key
        elif shape < 0.15:
            rows[f"row_{row}"] = {}  # empty: the bare key is read instead
            rows[row] = cells
        elif shape < 0.2:
            rows[f"row_{row}"] = "not a table"
        else:
            rows[f"row_{row}"] = cells
    return rows if rng.random() < 0.1 else {"values": rows, "files": {}}


TABLE = TableForm.model_validate({
    "title": "统计表",
    "rows": [{"key": k, "label": k, "label_en": k} for k in ("retail", "users", "online")],
    "columns": [{"key": "inspected", "label": "检查", "label_en": "i"}, {"key": "violating", "label": "违规", "label_en": "v"},
                {"key": "fines", "label": "罚没", "label_en": "f", "kind": "amount", "decimals": 2}],
})


# --- the register: the one statement it was -----------------------------------------------------


def _register_reference(storage: Storage) -> list[paperwork.RegisterLine]:
    filer, reviewer = aliased(Person), aliased(Person)
    title = case((col(Submission.kind) == SubmissionKind.case.value, col(Submission.data)["values"]["title"].as_string()), else_=None)
    columns: list[Any] = [
        Unit.code, Unit.name, DueItem.report_key, DueItem.period_key, DueItem.period_label, type_coerce(DueItem.due_at, String),
        type_coerce(Obligation.status, String), Submission.item_no, Submission.version, title, type_coerce(Submission.submitted_at, String),
        func.coalesce(Submission.late, Obligation.late), type_coerce(Submission.status, String),
        func.coalesce(filer.name, filer.first_name), func.coalesce(reviewer.name, reviewer.first_name), type_coerce(Submission.reviewed_at, String),
    ]
    statement = (
        select(*columns)
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .outerjoin(Submission, (col(Submission.obligation_id) == Obligation.id) & (col(Submission.status) != SubmissionStatus.superseded.value))
        .outerjoin(filer, col(filer.id) == Submission.person_id)
        .outerjoin(reviewer, col(reviewer.id) == Submission.reviewed_by_person_id)
        .where(col(Unit.active).is_(True), or_(col(DueItem.due_at) < NOW, col(Submission.id).is_not(None)))
        .order_by(col(DueItem.report_key), col(DueItem.due_at), col(Unit.code), col(Submission.item_no))
    )
    utc = _raw_utc()
    with storage.session() as s:
        return [
            paperwork.RegisterLine(r[0], r[1], r[2], r[3], r[4], utc(r[5]), r[6], r[7], r[8], r[9] or None, utc(r[10]), bool(r[11]), r[12], r[13], r[14], utc(r[15]))
            for r in s.connection().execute(statement)
        ]


def test_the_register_reads_what_the_one_statement_read(storage: Storage) -> None:
    _campaign(storage, random.Random(15))
    with storage.session() as s:
        lines = list(paperwork.register_lines(s, now=NOW))
    reference = _register_reference(storage)
    assert lines == reference
    states = {(line.submission_status, line.case_title is None) for line in lines}
    assert {("returned", True), ("pending", True), ("accepted", False), (None, True)} <= states  # the data has what it claims
    assert any(line.filed_by == "甲2" for line in lines) and not any(line.unit_code == "u4" for line in lines)


# --- the statistics filings and who owed them ---------------------------------------------------


def test_the_statistics_filings_and_owed_units_are_those_the_joins_read(storage: Storage) -> None:
    _campaign(storage, random.Random(16))
    filing_columns: list[Any] = [Unit.code, Unit.name, DueItem.report_key, DueItem.period_key, DueItem.period_label, Submission.item_no, Submission.version,
                                 Submission.kind, Submission.data, Submission.submitted_at, Submission.late, Submission.id]
    owed_columns: list[Any] = [DueItem.report_key, DueItem.period_key, DueItem.period_label, DueItem.due_at, Unit.code, Unit.name, type_coerce(Obligation.status, String)]
    statement = (
        select(*filing_columns)
        .select_from(Submission)
        .join(Obligation, col(Obligation.id) == Submission.obligation_id)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Submission.unit_id)
        .where(col(Submission.status).in_(CURRENT), col(Unit.active).is_(True), col(DueItem.report_key).in_(["stats"]), col(Submission.kind) == "statistics")
        .order_by(col(DueItem.due_at), col(Unit.code), col(Submission.item_no))
    )
    owed_statement = (
        select(*owed_columns)
        .select_from(Obligation)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .join(Unit, col(Unit.id) == Obligation.unit_id)
        .where(col(DueItem.report_key).in_(["stats"]), col(Unit.active).is_(True))
        .order_by(col(DueItem.due_at), col(Unit.code))
    )
    with storage.session() as s:
        reference = [FiledReport(r[0], r[1], r[2], r[3], r[4], r[5], r[6], str(r[7]), dict(r[8] or {}), r[9], bool(r[10]), r[11]) for r in s.execute(statement)]
        owed_reference = [Owed(*r) for r in s.execute(owed_statement)]
        filings = list(summary_store.period_filings(s, report_keys=["stats"], kind="statistics"))
        owed = summary_store.owed(s, report_keys=["stats"])
    assert filings == reference and len(filings) >= 8
    assert owed == owed_reference and {o.status for o in owed} == {"open", "done", "returned", "awaiting"}


# --- the summaries per period: dict-by-dict sums, filing by filing --------------------------------


def _figures_reference(data: dict[str, Any], table: TableForm) -> sums.Figures:
    def number(raw: object) -> Decimal | None:
        if not isinstance(raw, (str, int, float)) or raw in (None, ""):
            return None
        try:
            return Decimal(str(raw))
        except InvalidOperation:
            return None

    values = data.get("values", data)
    out: sums.Figures = {}
    for r in table.rows:
        row = values.get(f"row_{r.key}") or values.get(r.key) or {}
        out[r.key] = {c.key: n for c in table.columns if isinstance(row, dict) and (n := number(row.get(c.key))) is not None}
    return out


def _summaries_reference(table: TableForm, report: ReportType, owed: list[Owed], filings: list[FiledReport]) -> dict[str, tuple[Any, ...]]:
    """period -> (owed, filed units, missing, awaiting, total, increment), the way the export summed before."""
    out: dict[str, dict[str, Any]] = {}
    owing: dict[str, list[Owed]] = {}
    for o in owed:
        owing.setdefault(o.period_key, []).append(o)
        if o.due_at <= NOW:
            out.setdefault(o.period_key, {"filed": {}, "sums": {}, "increment": None})
    previous: dict[str, sums.Figures] = {}
    for f in filings:
        summary = out.setdefault(f.period_key, {"filed": {}, "sums": {}, "increment": None})
        this = _figures_reference(f.data, table)
        old = summary["filed"].get(f.unit_code)
        if old is not None:
            sums.add_into(summary["sums"], old, -1)
        sums.add_into(summary["sums"], this)
        if table.cumulative:
            if summary["increment"] is None:
                summary["increment"] = {r.key: {} for r in table.rows}
            before = previous.get(f.unit_code)
            if before is not None:
                sums.add_into(summary["increment"], {row: {c: v for c, v in cells.items() if c in this.get(row, ())} for row, cells in before.items()}, -1)
        summary["filed"][f.unit_code] = this
        previous[f.unit_code] = this
    result = {}
    for period, summary in out.items():
        if summary["increment"] is not None:
            sums.add_into(summary["increment"], summary["sums"])
        units = owing.get(period, [])
        total = {r.key: dict(summary["sums"].get(r.key, {})) for r in table.rows}
        result[period] = (
            len({o.unit_code for o in units} | set(summary["filed"])),
            sorted(summary["filed"]),
            [o.unit_name for o in units if o.unit_code not in summary["filed"] and o.status != "awaiting"],
            [o.unit_name for o in units if o.unit_code not in summary["filed"] and o.status == "awaiting"],
            total,
            summary["increment"],
        )
    return result


def _random_filings(rng: random.Random) -> tuple[list[Owed], list[FiledReport]]:
    owed: list[Owed] = []
    filings: list[FiledReport] = []
    for m in range(1, 7):
        due = datetime(2023, m + 1, 5, tzinfo=UTC) if m < 6 else NOW + timedelta(days=5)
        for u in range(8):
            owed.append(Owed("stats", f"2023-{m:02d}", f"2023年{m}月", due, f"u{u}", f"第{u}所", rng.choice(["open", "done", "returned", "awaiting"])))
            if rng.random() < 0.75:
                for item_no in (1, 2) if rng.random() < 0.1 else (1,):
                    filings.append(FiledReport(f"u{u}", f"第{u}所", "stats", f"2023-{m:02d}", f"2023年{m}月", item_no, 1, "statistics", _statistics(rng), due, False, len(filings)))
    return owed, filings


def test_the_summaries_per_period_sum_as_filing_by_filing() -> None:
    report = ReportType.model_validate({"key": "stats", "title": "统计", "template": "statistics", "schedule": {"kind": "monthly", "day": 5}})
    for cumulative in (False, True):
        table = TABLE.model_copy(update={"cumulative": cumulative})
        for seed in range(12):
            owed, filings = _random_filings(random.Random(seed))
            found = sums.period_summaries([(report, table)], owed, iter(filings), now=NOW)
            reference = _summaries_reference(table, report, owed, filings)
            assert {p.period_key for p in found} == set(reference)
            for p in found:
                assert (p.owed, sorted(p.filed), p.missing, p.awaiting, p.total(), p.increment) == reference[p.period_key], (cumulative, seed, p.period_key)
            assert any(p.total()["retail"] for p in found) and (not cumulative or any(p.increment for p in found))
    assert sums.figures({"values": {"row_retail": {"inspected": True, "violating": 1, "fines": "x"}}}, TABLE)["retail"] == {"violating": Decimal(1)}


# --- the writer: rows looked up by value, as written cell by cell -------------------------------


def test_body_rows_are_written_as_cell_by_cell() -> None:
    columns = [
        xlsx.Column("no", 7, xlsx.Kind.integer), xlsx.Column("name", 10), xlsx.Column("state", 8, xlsx.Kind.centred),
        xlsx.Column("when", 17, xlsx.Kind.moment), xlsx.Column("amount", 12, xlsx.Kind.money),
    ]
    texts = [(i, c.width) for i, c in enumerate(columns) if c.kind in (xlsx.Kind.text, xlsx.Kind.centred)]
    styles = [c.kind.value for c in columns]
    shanghai = datetime(2024, 1, 1, 10, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    values: list[list[object]] = [
        [1, "平岗所", "按时", datetime(2024, 1, 1, 10), Decimal("4.50")],  # wall-clock times, as the export writes them
        [2, "一个很长很长很长很长的单位名称", "逾期补报", datetime(2024, 1, 1, 10), 4.5],
        [3, "平岗所", None, None, True],
        [True, "平岗所", 1, datetime(2024, 1, 1, 10, tzinfo=UTC), 1],  # 1 and True, and two aware times equal across zones
        [4, "A & <B>", "x\ny\nz", shanghai, 1.0],
        [5, ["a list"], date(2024, 1, 2)],  # unhashable, a day, a short row
        [6, "一个很长很长很长很长的单位名称", "按时", datetime(2024, 1, 1, 10), Decimal("4.50")],  # seen before: from the columns' cells
    ]
    body = xlsx._Body(columns)
    for n, row in enumerate(values, start=4):
        expected = f'<row r="{n}"{xlsx._height(row, texts)}>' + "".join(map(xlsx._cell, row, styles)) + "</row>"
        assert body.row(n, row) == expected
    assert 'ht="' in body.row(99, values[1]) and "<v>1</v>" in body.row(99, values[3]) and 't="b"' in body.row(99, values[2])
