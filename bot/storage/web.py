"""Dashboard credentials: one-time login links and browser sessions, stored by the SHA-256 of their token."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select, update

from bot.models import WebToken

LINK = "link"
SESSION = "session"


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of a token: what the database keeps instead of it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class LinkStatus(StrEnum):
    """What became of an attempt to log in with a link."""

    ok = "ok"
    unknown = "unknown"
    used = "used"
    expired = "expired"


@dataclass(frozen=True)
class LinkUse:
    """The outcome of `consume_link`: the status and, when it went through, whose link it was."""

    status: LinkStatus
    person_id: int | None = None
    language: str = "zh-CN"


def create_token(session: Session, *, token: str, kind: str, person_id: int, language: str, now: datetime, expires_at: datetime) -> WebToken:
    """Store a link or a session by the hash of `token`."""
    row = WebToken(token_hash=hash_token(token), kind=kind, person_id=person_id, language=language, created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def consume_link(session: Session, *, token: str, now: datetime) -> LinkUse:
    """Use a login link once: the first caller gets `ok`, every later one `used` (one conditional UPDATE)."""
    row = session.exec(select(WebToken).where(WebToken.token_hash == hash_token(token), WebToken.kind == LINK)).first()
    if row is None:
        return LinkUse(LinkStatus.unknown)
    if row.used_at is not None:
        return LinkUse(LinkStatus.used)
    if row.expires_at <= now:
        return LinkUse(LinkStatus.expired)
    taken = session.exec(
        update(WebToken).where(col(WebToken.id) == row.id, col(WebToken.used_at).is_(None)).values(used_at=now).execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return LinkUse(LinkStatus.used)
    return LinkUse(LinkStatus.ok, row.person_id, row.language)


def session_of(session: Session, *, token: str, now: datetime) -> WebToken | None:
    """The live browser session with this token, if any."""
    row = session.exec(select(WebToken).where(WebToken.token_hash == hash_token(token), WebToken.kind == SESSION)).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def end_session(session: Session, *, token: str, now: datetime) -> None:
    """Log out: the session can no longer be used."""
    session.exec(
        update(WebToken).where(col(WebToken.token_hash) == hash_token(token), col(WebToken.used_at).is_(None)).values(used_at=now)
    )
