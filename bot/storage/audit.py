"""The audit trail: who did what, when. Secrets (tokens, passwords) are never stored."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.models import AuditEvent

REDACTED = "[redacted]"
_SECRET_WORDS = ("token", "secret", "password")


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if any(w in str(k).lower() for w in _SECRET_WORDS) else _redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    return value


def audit(
    session: Session,
    *,
    action: str,
    now: datetime,
    actor_person_id: int | None = None,
    subject: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record an event; any detail whose key names a token, secret or password is redacted."""
    event = AuditEvent(
        at=now,
        actor_person_id=actor_person_id,
        action=action,
        subject=subject,
        details=_redact(dict(details or {})),
    )
    session.add(event)
    session.flush()
    return event


def recent_events(
    session: Session, *, limit: int = 50, action: str | None = None, actor_person_id: int | None = None
) -> list[AuditEvent]:
    """The latest events, newest first."""
    statement = select(AuditEvent).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    if actor_person_id is not None:
        statement = statement.where(AuditEvent.actor_person_id == actor_person_id)
    return list(session.exec(statement))


def events_of(session: Session, *, action: str, actor_person_id: int, subject: str | None = None) -> list[AuditEvent]:
    """Every `action` event of one actor (about `subject`, if given), oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.actor_person_id == actor_person_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    if subject is not None:
        statement = statement.where(AuditEvent.subject == subject)
    return list(session.exec(statement))
