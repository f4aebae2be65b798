"""One-time registration invites; only a SHA-256 of each token is ever stored."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select, update

from bot.models import UNIT_SCOPED_ROLES, Invite, Role

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def new_token() -> str:
    """A fresh random invite token, usable as a Telegram /start parameter (≤ 64 of [A-Za-z0-9_-])."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) of an invite token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InviteStatus(StrEnum):
    """Outcome of trying to use an invite."""

    ok = "ok"
    unknown = "unknown"
    used = "used"
    expired = "expired"
    revoked = "revoked"


@dataclass
class InviteUse:
    """Result of `consume_invite`: the status and, when the invite exists, the invite."""

    status: InviteStatus
    invite: Invite | None

    @property
    def ok(self) -> bool:
        return self.status is InviteStatus.ok


def create_invite(
    session: Session,
    *,
    token_hash: str,
    role: Role,
    now: datetime,
    expires_at: datetime,
    unit_id: int | None = None,
    created_by_person_id: int | None = None,
) -> Invite:
    """Store a new invite by the hash of its token (see `hash_token`)."""
    if not _SHA256_HEX.fullmatch(token_hash):
        raise ValueError("token_hash must be the SHA-256 hex digest of the token, not the token")
    role = Role(role)
    if role in UNIT_SCOPED_ROLES and unit_id is None:
        raise ValueError(f"an invite for role {role.value} needs a unit")
    if expires_at <= now:
        raise ValueError("an invite must expire after it is created")
    invite = Invite(
        token_hash=token_hash,
        unit_id=unit_id,
        role=role,
        created_by_person_id=created_by_person_id,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invite)
    session.flush()
    return invite


def get_invite_by_hash(session: Session, *, token_hash: str) -> Invite | None:
    """The invite with this token hash."""
    return session.exec(select(Invite).where(Invite.token_hash == token_hash)).first()


def consume_invite(session: Session, *, token_hash: str, person_id: int, now: datetime) -> InviteUse:
    """Use an invite once: a conditional UPDATE, so of two concurrent users exactly one wins."""
    statement = (
        update(Invite)
        .where(
            col(Invite.token_hash) == token_hash,
            col(Invite.used_at).is_(None),
            col(Invite.revoked).is_(False),
            col(Invite.expires_at) > now,
        )
        .values(used_at=now, used_by_person_id=person_id)
        .execution_options(synchronize_session=False)
    )
    won = session.exec(statement).rowcount == 1
    invite = get_invite_by_hash(session, token_hash=token_hash)
    if invite is None:
        return InviteUse(InviteStatus.unknown, None)
    session.refresh(invite)
    if won:
        return InviteUse(InviteStatus.ok, invite)
    if invite.used_at is not None:
        return InviteUse(InviteStatus.used, invite)
    if invite.revoked:
        return InviteUse(InviteStatus.revoked, invite)
    return InviteUse(InviteStatus.expired, invite)


def revoke_invite(session: Session, *, invite_id: int) -> bool:
    """Revoke an unused invite; False if it was already used or revoked."""
    statement = (
        update(Invite)
        .where(col(Invite.id) == invite_id, col(Invite.used_at).is_(None), col(Invite.revoked).is_(False))
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    revoked = session.exec(statement).rowcount == 1
    invite = session.get(Invite, invite_id)
    if invite is not None:
        session.refresh(invite)
    return revoked


def open_invites(session: Session, *, now: datetime, unit_id: int | None = None) -> list[Invite]:
    """Invites that can still be used, newest first."""
    statement = (
        select(Invite)
        .where(
            col(Invite.used_at).is_(None), col(Invite.revoked).is_(False), col(Invite.expires_at) > now
        )
        .order_by(col(Invite.created_at).desc(), col(Invite.id).desc())
    )
    if unit_id is not None:
        statement = statement.where(Invite.unit_id == unit_id)
    return list(session.exec(statement))
