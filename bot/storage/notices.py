"""Queries of the notices wing: coordinators' filing-notice choice, filings to tell of,
announcements and their receipts, the campaign's group chats and their claimed posts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.models import (
    Announcement, AnnouncementReceipt, CampaignGroup, DueItem, FilingNotices, GroupPost, NoticePref, Obligation, Person,
    ReminderSent, Submission, SubmissionStatus, Unit,
)
from bot.storage.sql import insert_ignoring_conflicts

# --- filing notices ----------------------------------------------------------------------------


def get_pref(session: Session, *, person_id: int) -> NoticePref | None:
    """A coordinator's choice; None: never chosen (the digest)."""
    return session.exec(select(NoticePref).where(NoticePref.person_id == person_id)).first()


def set_pref(session: Session, *, person_id: int, filings: FilingNotices, now: datetime) -> NoticePref:
    """Record a coordinator's choice (from `now` on)."""
    pref = get_pref(session, person_id=person_id)
    if pref is None:
        pref = NoticePref(person_id=person_id, filings=filings, since=now)
    elif pref.filings != filings:
        pref.filings, pref.since = filings, now
    session.add(pref)
    session.flush()
    return pref


def told_at_once(session: Session) -> list[NoticePref]:
    """The choices of every coordinator who hears of filings at once."""
    return list(session.exec(select(NoticePref).where(NoticePref.filings == FilingNotices.now)))


def filings_since(session: Session, *, since: datetime) -> list[tuple[Submission, Unit, DueItem]]:
    """Filings (new items, new versions, 零报告) at or after `since` that count (not waiting for sign-off), oldest first."""
    statement = (
        select(Submission, Unit, DueItem)
        .join(Unit, col(Unit.id) == Submission.unit_id)
        .join(Obligation, col(Obligation.id) == Submission.obligation_id)
        .join(DueItem, col(DueItem.id) == Obligation.due_item_id)
        .where(col(Submission.submitted_at) >= since, Submission.status != SubmissionStatus.pending)
        .order_by(col(Submission.submitted_at), col(Submission.id))
    )
    return [(sub, unit, item) for sub, unit, item in session.exec(statement)]


# --- announcements -----------------------------------------------------------------------------


def add_announcement(
    session: Session, *, text: str, attachment_ids: list[int], tag: str | None, unit_ids: list[int], person_id: int | None, now: datetime
) -> Announcement:
    """Record an announcement about to be sent."""
    row = Announcement(text=text, attachment_ids=attachment_ids, tag=tag, unit_ids=unit_ids, created_by_person_id=person_id, created_at=now)
    session.add(row)
    session.flush()
    return row


def get_announcement(session: Session, *, announcement_id: int) -> Announcement | None:
    return session.get(Announcement, announcement_id)


def recent_announcements(session: Session, *, limit: int = 10) -> list[Announcement]:
    """The latest announcements, newest first."""
    statement = select(Announcement).order_by(col(Announcement.created_at).desc(), col(Announcement.id).desc()).limit(limit)
    return list(session.exec(statement))


def add_receipt(session: Session, *, announcement_id: int, unit_id: int, person_id: int) -> None:
    """Note that this liaison of this unit is asked to confirm (once: a second call changes nothing)."""
    insert_ignoring_conflicts(
        session, AnnouncementReceipt, {"announcement_id": announcement_id, "unit_id": unit_id, "person_id": person_id, "confirmed_at": None}
    )


def confirm(session: Session, *, announcement_id: int, person_id: int, now: datetime) -> int:
    """Mark every receipt of this person for the announcement confirmed (the first time); how many were newly confirmed."""
    rows = list(session.exec(select(AnnouncementReceipt).where(
        AnnouncementReceipt.announcement_id == announcement_id, AnnouncementReceipt.person_id == person_id,
    )))
    fresh = [r for r in rows if r.confirmed_at is None]
    for r in fresh:
        r.confirmed_at = now
        session.add(r)
    session.flush()
    return len(fresh) if rows else -1


def receipts_of(session: Session, *, announcement_id: int) -> list[tuple[AnnouncementReceipt, Unit, Person]]:
    """Every receipt of an announcement with its unit and liaison, by unit code."""
    statement = (
        select(AnnouncementReceipt, Unit, Person)
        .join(Unit, col(Unit.id) == AnnouncementReceipt.unit_id)
        .join(Person, col(Person.id) == AnnouncementReceipt.person_id)
        .where(AnnouncementReceipt.announcement_id == announcement_id)
        .order_by(col(Unit.code), col(AnnouncementReceipt.id))
    )
    return [(r, u, p) for r, u, p in session.exec(statement)]


# --- group chats -------------------------------------------------------------------------------


def get_group(session: Session, *, chat_id: int) -> CampaignGroup | None:
    return session.exec(select(CampaignGroup).where(CampaignGroup.chat_id == chat_id)).first()


def set_group(session: Session, *, chat_id: int, title: str, posting: bool, person_id: int | None, now: datetime) -> CampaignGroup:
    """Record (or update) a campaign group and whether the daily summary is posted there."""
    group = get_group(session, chat_id=chat_id)
    if group is None:
        group = CampaignGroup(chat_id=chat_id, title=title[:200], added_by_person_id=person_id, created_at=now)
    group.title, group.posting, group.updated_at = title[:200], posting, now
    if person_id is not None:
        group.added_by_person_id = person_id
    session.add(group)
    session.flush()
    return group


def posting_groups(session: Session) -> list[CampaignGroup]:
    """The groups the daily summary is posted to."""
    return list(session.exec(select(CampaignGroup).where(col(CampaignGroup.posting).is_(True)).order_by(col(CampaignGroup.id))))


def claim_group_post(session: Session, *, chat_id: int, key: str, now: datetime) -> int | None:
    """Claim one post to a group (its row id), or None if it was claimed before."""
    return insert_ignoring_conflicts(session, GroupPost, {"chat_id": chat_id, "key": key, "message_id": None, "created_at": now})


def mark_group_post(session: Session, *, post_id: int, message_id: int | None) -> None:
    row = session.get(GroupPost, post_id)
    if row is not None:
        row.message_id = message_id
        session.add(row)



def last_claim(session: Session, *, person_id: int, prefix: str) -> datetime | None:
    """When this person's latest message keyed `prefix…` (not tied to a due item) was claimed; None if never."""
    statement = (
        select(ReminderSent.created_at)
        .where(ReminderSent.person_id == person_id, col(ReminderSent.due_item_id).is_(None), col(ReminderSent.moment_key).startswith(prefix))
        .order_by(col(ReminderSent.created_at).desc())
        .limit(1)
    )
    return session.exec(statement).first()
