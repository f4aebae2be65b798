"""Units in levels: what the units below a unit have filed for a due item (rolled up into the unit above)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.models import Obligation, ObligationStatus, Unit


@dataclass(frozen=True)
class ChildState:
    """One unit below: its name and whether it has filed the due item."""

    parent_id: int
    unit_id: int
    unit_name: str
    filed: bool


def children_states(session: Session, *, due_item_id: int, parent_ids: Sequence[int]) -> list[ChildState]:
    """The active units directly below `parent_ids` that owe `due_item_id`, with whether each has filed (one query)."""
    if not parent_ids:
        return []
    statement = (
        select(Unit.parent_id, Unit.id, Unit.name, Obligation.status)
        .join(Obligation, col(Obligation.unit_id) == Unit.id)
        .where(col(Unit.parent_id).in_(list(parent_ids)), col(Unit.active).is_(True), Obligation.due_item_id == due_item_id)
        .order_by(col(Unit.code))
    )
    return [
        ChildState(parent_id=int(p), unit_id=int(u), unit_name=n, filed=ObligationStatus(s) is ObligationStatus.done)
        for p, u, n, s in session.exec(statement)
        if p is not None and u is not None
    ]
