"""Tables of the notices wing: coordinators' notice settings, announcements with receipts (通知 + 回执),
and the campaign's group chats.

Imported at the end of `bot.models`. Queries live in `bot.storage.notices`. The messages themselves
are claimed as `ReminderSent` rows (kinds filing, announce, notice), so each goes out once.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db import EnumString
from bot.models.base import _fk, _ts


class FilingNotices(StrEnum):
    """When a coordinator hears of a unit's filing: at once, or in the daily digest (the default)."""

    now = "now"
    digest = "digest"


class NoticePref(SQLModel, table=True):
    """A coordinator's choice of when to hear of filings; no row: the digest."""

    __tablename__ = "notice_pref"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _fk("person.id", index=False)
    filings: FilingNotices = Field(default=FilingNotices.digest, sa_type=EnumString(FilingNotices))
    since: datetime = _ts()  # when the choice was made: filings from then on are told at once
    __table_args__ = (UniqueConstraint("person_id"),)


class Announcement(SQLModel, table=True):
    """A notice (通知) a coordinator sent to the liaisons of some units, asking each to confirm (回执)."""

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    attachment_ids: list[int] = Field(default_factory=list, sa_type=JSON)
    tag: str | None = Field(default=None, max_length=100)  # None: every unit (of the sender's subtree)
    unit_ids: list[int] = Field(default_factory=list, sa_type=JSON)  # the units it went to, fixed when sent
    created_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    created_at: datetime = _ts()


class AnnouncementReceipt(SQLModel, table=True):
    """One liaison of one unit an announcement was sent to, and when they confirmed it."""

    __tablename__ = "announcement_receipt"
    __table_args__ = (UniqueConstraint("announcement_id", "unit_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = _fk("announcement.id", index=False)
    unit_id: int = _fk("unit.id", index=False)
    person_id: int = _fk("person.id")
    confirmed_at: datetime | None = _ts(nullable=True)


class CampaignGroup(SQLModel, table=True):
    """A group chat a coordinator joined the bot to: the daily outstanding summary is posted there while `posting`."""

    __tablename__ = "campaign_group"

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    title: str = Field(default="", max_length=200)
    added_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    posting: bool = False
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class GroupPost(SQLModel, table=True):
    """A post to a group claimed under a unique (chat, key), e.g. the summary of one day: sent once."""

    __tablename__ = "group_post"
    __table_args__ = (UniqueConstraint("chat_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    key: str = Field(max_length=100)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = _ts()
