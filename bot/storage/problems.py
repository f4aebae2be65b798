"""问题清单: problems, their lifecycle steps and the append-only trail (every change adds a `ProblemEvent`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.models import Person, Problem, ProblemEvent, ProblemStatus, Unit

OPEN_STATES = (ProblemStatus.open, ProblemStatus.reported, ProblemStatus.verified)


@dataclass(frozen=True)
class NewProblem:
    """What registering a problem needs (by chat or from a workbook row)."""

    unit_id: int
    description: str
    source: str
    severity: str
    responsible: str
    due_at: datetime


class StaleStep(Exception):
    """The problem is no longer in the state the step expects (someone acted first)."""


def add_problems(session: Session, *, items: Sequence[NewProblem], actor_person_id: int | None, now: datetime, how: str) -> list[Problem]:
    """Register problems (numbered on from the highest 序号), each with its first trail step."""
    top = session.exec(select(func.max(Problem.number))).one() or 0
    out = []
    for i, item in enumerate(items, start=1):
        problem = Problem(
            number=int(top) + i, unit_id=item.unit_id, description=item.description, source=item.source, severity=item.severity,
            responsible=item.responsible, due_at=item.due_at, created_by_person_id=actor_person_id, created_at=now, updated_at=now,
        )
        session.add(problem)
        session.flush()
        assert problem.id is not None
        session.add(ProblemEvent(problem_id=problem.id, at=now, actor_person_id=actor_person_id, action="register", to_status=ProblemStatus.open.value, details={"how": how}))
        out.append(problem)
    session.flush()
    return out


def get_problem(session: Session, *, problem_id: int) -> Problem | None:
    """A problem by id."""
    return session.get(Problem, problem_id)


def step(
    session: Session, *, problem_id: int, action: str, expect: Collection[ProblemStatus], to: ProblemStatus | None,
    actor_person_id: int | None, now: datetime, comment: str | None = None, attachment_ids: Sequence[int] = (),
    changes: dict[str, Any] | None = None,
) -> Problem:
    """Move a problem one step (from one of `expect` to `to`, or stay) and add the step to its trail.

    The row is locked (FOR UPDATE on PostgreSQL) so two people pressing at once cannot both pass."""
    problem = session.exec(select(Problem).where(Problem.id == problem_id).with_for_update()).first()
    if problem is None:
        raise LookupError(f"no problem {problem_id}")
    if problem.status not in expect:
        raise StaleStep(problem.status.value)
    before = problem.status
    for key, value in (changes or {}).items():
        setattr(problem, key, value)
    if to is not None:
        problem.status = to
    problem.updated_at = now
    session.add(ProblemEvent(
        problem_id=problem_id, at=now, actor_person_id=actor_person_id, action=action, from_status=before.value,
        to_status=problem.status.value, comment=comment, attachment_ids=list(attachment_ids),
    ))
    session.flush()
    return problem


def note(session: Session, *, problem_id: int, action: str, now: datetime, details: dict[str, Any] | None = None, actor_person_id: int | None = None) -> None:
    """Add a step that changes nothing (a reminder or an escalation sent) to the trail."""
    session.add(ProblemEvent(problem_id=problem_id, at=now, actor_person_id=actor_person_id, action=action, details=details or {}))
    session.flush()


@dataclass(frozen=True)
class TrailStep:
    """One step of the trail with the name of who did it."""

    event: ProblemEvent
    actor: str | None


def trail(session: Session, *, problem_id: int) -> list[TrailStep]:
    """A problem's steps, oldest first."""
    statement = (
        select(ProblemEvent, Person)
        .outerjoin(Person, col(Person.id) == ProblemEvent.actor_person_id)
        .where(ProblemEvent.problem_id == problem_id)
        .order_by(col(ProblemEvent.at), col(ProblemEvent.id))
    )
    return [TrailStep(e, (p.name or p.first_name or str(p.telegram_user_id)) if p else None) for e, p in session.exec(statement)]


@dataclass(frozen=True)
class ProblemRow:
    """A problem with its unit's name and code."""

    problem: Problem
    unit_code: str
    unit_name: str


def list_problems(
    session: Session, *, unit_ids: Collection[int] | None = None, statuses: Collection[ProblemStatus] | None = None,
    due_before: datetime | None = None, limit: int | None = None,
) -> list[ProblemRow]:
    """Problems (of `unit_ids`, in `statuses`, due before a moment), earliest deadline first."""
    statement = select(Problem, Unit.code, Unit.name).join(Unit, col(Unit.id) == Problem.unit_id)
    if unit_ids is not None:
        statement = statement.where(col(Problem.unit_id).in_(sorted(unit_ids)))
    if statuses is not None:
        statement = statement.where(col(Problem.status).in_([s.value for s in statuses]))
    if due_before is not None:
        statement = statement.where(col(Problem.due_at) < due_before)
    statement = statement.order_by(col(Problem.due_at), col(Problem.number))
    if limit is not None:
        statement = statement.limit(limit)
    return [ProblemRow(p, code, name) for p, code, name in session.exec(statement)]


def unacknowledged(session: Session, *, created_before: datetime) -> list[Problem]:
    """Open problems nobody of their unit has acknowledged (签收), registered at or before a moment."""
    statement = select(Problem).where(
        col(Problem.acknowledged_at).is_(None), Problem.status == ProblemStatus.open, col(Problem.created_at) <= created_before
    )
    return list(session.exec(statement.order_by(col(Problem.number))))
