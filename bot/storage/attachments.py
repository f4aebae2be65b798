"""Attachments, kept once by checksum and linked to the submissions that carry them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select, update

from bot.models import (
    Attachment,
)


def add_attachment(
    session: Session,
    *,
    sha256: str,
    size: int,
    storage_path: str,
    now: datetime,
    mime_type: str | None = None,
    file_name: str | None = None,
    telegram_file_id: str | None = None,
    submission_id: int | None = None,
) -> Attachment:
    """Record a stored file (content-addressed by `sha256`), optionally already for a submission."""
    attachment = Attachment(
        submission_id=submission_id,
        sha256=sha256.lower(),
        size=size,
        mime_type=mime_type,
        file_name=file_name,
        telegram_file_id=telegram_file_id,
        storage_path=storage_path,
        created_at=now,
    )
    session.add(attachment)
    session.flush()
    return attachment


def link_attachments(session: Session, *, attachment_ids: Iterable[int], submission_id: int) -> int:
    """Attach files uploaded during a draft to the submission they ended up in."""
    ids = list(attachment_ids)
    if not ids:
        return 0
    result = session.exec(
        update(Attachment)
        .where(col(Attachment.id).in_(ids))
        .values(submission_id=submission_id)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def attachments_of(session: Session, *, submission_id: int) -> list[Attachment]:
    """The files of a submission version, in upload order."""
    statement = (
        select(Attachment).where(Attachment.submission_id == submission_id).order_by(col(Attachment.id))
    )
    return list(session.exec(statement))


def find_attachment(session: Session, *, sha256: str) -> Attachment | None:
    """Any stored file with this checksum (to reuse its stored copy)."""
    statement = select(Attachment).where(Attachment.sha256 == sha256.lower()).order_by(col(Attachment.id))
    return session.exec(statement).first()


def get_attachment(session: Session, *, attachment_id: int) -> Attachment | None:
    """The attachment with this id."""
    return session.get(Attachment, attachment_id)


def attachments_by_ids(session: Session, *, attachment_ids: Iterable[int]) -> list[Attachment]:
    """Attachments by id, in upload order."""
    ids = list(attachment_ids)
    if not ids:
        return []
    return list(session.exec(select(Attachment).where(col(Attachment.id).in_(ids)).order_by(col(Attachment.id))))
