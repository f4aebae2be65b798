"""The 问题清单 as officials keep it, the counts per unit, and the 情况通报 (progress bulletin).

- `register_rows`: 序号 / 问题描述 / 责任单位 / 责任人 / 整改时限 / 整改情况 / 验收情况 / 销号时间 (+ 状态), one
  line per problem, by number;
- `counts`: per unit 发现 / 已整改 (reported, verified or closed) / 已销号 / 逾期 (open past its deadline);
- `bulletin`: a text per unit with those counts and the overdue problems, and the tasks' progress
  periods not reported in time, for the coordinator to send up or circulate.
A coordinator of one level gets their subtree's problems only (`unit_ids`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.models import ProblemStatus
from bot.services.coordinator.xlsx import Bold
from bot.services.tasks import deadlines as task_deadlines
from bot.storage import problems
from bot.storage.problems import ProblemRow
from bot.texts.catalog import t, tn

STATUS_ZH = {ProblemStatus.open: "待整改", ProblemStatus.reported: "整改已报待验收", ProblemStatus.verified: "已验收待销号", ProblemStatus.closed: "已销号"}
REGISTER_WIDTHS = (6, 40, 24, 10, 12, 40, 20, 17, 14)
COUNT_WIDTHS = (24, 8, 8, 8, 8)


@dataclass
class UnitCounts:
    """发现 / 已整改 / 已销号 / 逾期 of one unit."""

    unit: str
    found: int = 0
    rectified: int = 0
    closed: int = 0
    overdue: int = 0


def _rows(services: Services, unit_ids: frozenset[int] | None) -> list[ProblemRow]:
    with services.storage.session() as s:
        found = problems.list_problems(s, unit_ids=unit_ids)
    return sorted(found, key=lambda r: r.problem.number)


def register_rows(services: Services, *, unit_ids: frozenset[int] | None, now: datetime) -> Iterator[list[object]]:
    """The 问题清单 sheet: title, header, one row per problem."""
    tz = services.config.campaign.tz
    yield [Bold(f"{services.config.campaign.name}问题清单（截至{now.astimezone(tz):%Y年%m月%d日}）")]
    yield [Bold(h) for h in ("序号", "问题描述", "责任单位", "责任人", "整改时限", "整改情况", "验收情况", "销号时间", "状态")]
    for r in _rows(services, unit_ids):
        p = r.problem
        status = STATUS_ZH[p.status] + ("（逾期）" if p.status is ProblemStatus.open and p.due_at < now else "")
        closed = p.closed_at.astimezone(tz).replace(tzinfo=None) if p.closed_at else None
        yield [p.number, p.description, r.unit_name, p.responsible, p.due_at.astimezone(tz).date(), p.rectification or "", p.verification or "", closed, status]


def counts(services: Services, *, unit_ids: frozenset[int] | None, now: datetime) -> list[UnitCounts]:
    """Per unit with problems, by unit name."""
    out: dict[str, UnitCounts] = {}
    for r in _rows(services, unit_ids):
        c = out.setdefault(r.unit_name, UnitCounts(r.unit_name))
        c.found += 1
        c.rectified += r.problem.status is not ProblemStatus.open
        c.closed += r.problem.status is ProblemStatus.closed
        c.overdue += r.problem.status is ProblemStatus.open and r.problem.due_at < now
    return [out[k] for k in sorted(out)]


def count_rows(services: Services, *, unit_ids: frozenset[int] | None, now: datetime) -> Iterator[list[object]]:
    """The 问题统计 sheet: per unit and in all."""
    yield [Bold(h) for h in ("责任单位", "发现", "已整改", "已销号", "逾期")]
    total = UnitCounts("合计")
    for c in counts(services, unit_ids=unit_ids, now=now):
        yield [c.unit, c.found, c.rectified, c.closed, c.overdue]
        total.found, total.rectified, total.closed, total.overdue = total.found + c.found, total.rectified + c.rectified, total.closed + c.closed, total.overdue + c.overdue
    yield [Bold(total.unit), total.found, total.rectified, total.closed, total.overdue]


def bulletin(services: Services, *, unit_ids: frozenset[int] | None, language: str, now: datetime) -> str:
    """情况通报: the counts per unit and each overdue problem, then the tasks' progress not reported in time, as one text."""
    tz = services.config.campaign.tz
    rows = _rows(services, unit_ids)
    per_unit = counts(services, unit_ids=unit_ids, now=now)
    with services.storage.session() as s:
        late_tasks = task_deadlines.overdue(s, unit_ids=unit_ids, now=now)
    if not rows and not late_tasks:
        return t(language, "problems.bulletin.none")
    lines = [t(language, "problems.bulletin.title", campaign=services.config.campaign.name, day=now.astimezone(tz).date().isoformat())]
    if rows:
        lines.append(tn(language, "problems.bulletin.total", len(rows), rectified=sum(c.rectified for c in per_unit),
                       closed=sum(c.closed for c in per_unit), overdue=sum(c.overdue for c in per_unit)))
    for c in per_unit:
        lines.append(t(language, "problems.bulletin.unit", unit=c.unit, found=c.found, rectified=c.rectified, closed=c.closed, overdue=c.overdue))
    late = [r for r in rows if r.problem.status is ProblemStatus.open and r.problem.due_at < now]
    if late:
        lines.append(t(language, "problems.bulletin.overdue-title"))
        for r in late:
            days = (now.astimezone(tz).date() - r.problem.due_at.astimezone(tz).date()).days
            lines.append(tn(language, "problems.bulletin.overdue", days, number=r.problem.number, unit=r.unit_name, text=r.problem.description[:40]))
    if late_tasks:
        lines.append(t(language, "problems.bulletin.tasks-title"))
        for x in late_tasks:
            lines.append(t(language, "problems.bulletin.task", key=x.task_key, title=x.title, period=x.period, units="、".join(x.units)))
    return "\n".join(lines)
