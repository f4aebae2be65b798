"""Drafts: unfinished conversations, one per person and flow, so they survive a restart."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from bot.models import Draft
from bot.storage.sql import insert_ignoring_conflicts


def save_draft(
    session: Session, *, person_id: int, flow: str, state: str, data: Mapping[str, Any], now: datetime
) -> Draft:
    """Create or replace the person's draft for `flow`."""
    values = {"person_id": person_id, "flow": flow, "state": state, "data": dict(data), "updated_at": now}
    if insert_ignoring_conflicts(session, Draft, values) is None:
        draft = get_draft(session, person_id=person_id, flow=flow)
        assert draft is not None
        draft.state = state
        draft.data = dict(data)
        draft.updated_at = now
        session.flush()
    draft = get_draft(session, person_id=person_id, flow=flow)
    assert draft is not None
    session.refresh(draft)
    return draft


def get_draft(session: Session, *, person_id: int, flow: str) -> Draft | None:
    """The person's draft for `flow`."""
    return session.exec(select(Draft).where(Draft.person_id == person_id, Draft.flow == flow)).first()


def drafts_of(session: Session, *, person_id: int) -> list[Draft]:
    """All of the person's drafts, most recently touched first."""
    statement = select(Draft).where(Draft.person_id == person_id).order_by(col(Draft.updated_at).desc())
    return list(session.exec(statement))


def delete_draft(session: Session, *, person_id: int, flow: str) -> bool:
    """Drop the person's draft for `flow` (finished or cancelled); True if there was one."""
    result = session.exec(
        delete(Draft)
        .where(col(Draft.person_id) == person_id, col(Draft.flow) == flow)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount > 0
