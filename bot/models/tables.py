"""The tables of units, people and their roles, invites, deadlines, submissions, reminders, audit,
the dashboard's tokens and the operations' bookkeeping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.db import EnumString
from bot.models.base import ReminderKind, ReminderStatus, Role, ObligationStatus, SubmissionKind, SubmissionStatus, _fk, _ts


# --- units -------------------------------------------------------------------------------------


class UnitBase(SQLModel):
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    active: bool = True


class Unit(UnitBase, table=True):
    """A reporting unit (所/队/股室, 县区局, 工作组) that owes reports; `parent_id` puts it in levels
    (自治区 → 市 → 县(区)): the unit above drives it ("上报一级、下抓一级"). Flat campaigns leave it empty."""

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", nullable=True, index=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


# --- people ------------------------------------------------------------------------------------


class PersonProfile(SQLModel):
    """The 附件10 fields of a liaison: 姓名, 所在部门, 职务, 办公电话, 移动电话, 电子邮箱."""

    name: str | None = Field(default=None, max_length=100)
    department: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=100)
    office_phone: str | None = Field(default=None, max_length=50)
    mobile: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=254)


PROFILE_FIELDS = tuple(PersonProfile.model_fields)


class PersonBase(PersonProfile):
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    first_name: str | None = Field(default=None, max_length=200)
    username: str | None = Field(default=None, max_length=64)
    # 'zh-CN', 'en', or None: follow the Telegram client's language.
    language: str | None = Field(default=None, max_length=16)
    reachable: bool = True


class Person(PersonBase, table=True):
    """Anyone who has talked to the bot; a row is created on first contact."""

    id: int | None = Field(default=None, primary_key=True)
    unreachable_since: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class RoleAssignment(SQLModel, table=True):
    """A person holding a role, for a unit (primary/backup) or the campaign; history is kept.

    A coordinator or leader with a `unit_id` is bound to that unit and acts for its subtree only.
    """

    __tablename__ = "role_assignment"
    __table_args__ = (
        Index("ix_role_assignment_unit_role_active", "unit_id", "role", "ended_at"),
        # At most one active primary liaison per unit, even with concurrent writers.
        Index(
            "uq_role_assignment_active_primary",
            "unit_id",
            unique=True,
            sqlite_where=text("role = 'primary' AND ended_at IS NULL"),
            postgresql_where=text("role = 'primary' AND ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _fk("person.id")
    unit_id: int | None = _fk("unit.id", nullable=True, index=False)
    role: Role = Field(sa_type=EnumString(Role))
    started_at: datetime = _ts()
    ended_at: datetime | None = _ts(nullable=True)
    ended_reason: str | None = Field(default=None, max_length=100)


class Invite(SQLModel, table=True):
    """A one-time registration invite; only the SHA-256 of its token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    unit_id: int | None = _fk("unit.id", nullable=True)
    role: Role = Field(sa_type=EnumString(Role))
    created_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)
    used_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    revoked: bool = False


# --- deadlines and submissions -----------------------------------------------------------------


class DueItem(SQLModel, table=True):
    """One deadline of one report type for one period (e.g. cases, 2023-08)."""

    __tablename__ = "due_item"
    __table_args__ = (UniqueConstraint("report_key", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    report_key: str = Field(max_length=64, index=True)
    period_key: str = Field(max_length=64)
    period_label: str = Field(default="", max_length=200)
    due_at: datetime = _ts(index=True)
    created_at: datetime = _ts()


class Obligation(SQLModel, table=True):
    """What one unit owes for one due item."""

    __table_args__ = (
        UniqueConstraint("due_item_id", "unit_id"),
        Index("ix_obligation_unit_status", "unit_id", "status"),
        # /outstanding counts and pages the pending obligations of each due item from this index alone.
        Index("ix_obligation_status_item_unit", "status", "due_item_id", "unit_id"),
        # The dashboard's matrix counts a report's obligations by state from this index alone.
        Index("ix_obligation_item_state", "due_item_id", "status", "late", "unit_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    due_item_id: int = _fk("due_item.id", index=False)
    unit_id: int = _fk("unit.id", index=False)
    status: ObligationStatus = Field(
        default=ObligationStatus.open, sa_type=EnumString(ObligationStatus), index=True
    )
    completed_at: datetime | None = _ts(nullable=True)
    late: bool = False


class Submission(SQLModel, table=True):
    """One version of one item filed for an obligation; a change adds a version."""

    __table_args__ = (
        UniqueConstraint("obligation_id", "item_no", "version"),
        # The filings waiting for review (待审核), by obligation: the dashboard's matrix counts and cells.
        Index("ix_submission_waiting", "obligation_id", postgresql_where=text("status = 'submitted'"), sqlite_where=text("status = 'submitted'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = _fk("obligation.id", index=False)
    unit_id: int = _fk("unit.id")
    person_id: int = _fk("person.id")
    item_no: int = 1
    version: int = 1
    kind: SubmissionKind = Field(sa_type=EnumString(SubmissionKind))
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    submitted_at: datetime = _ts(index=True)
    late: bool = False
    status: SubmissionStatus = Field(
        default=SubmissionStatus.submitted, sa_type=EnumString(SubmissionStatus), index=True
    )
    reviewed_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    reviewed_at: datetime | None = _ts(nullable=True)
    review_comment: str | None = Field(default=None, sa_type=Text)
    signed_off_by_person_id: int | None = _fk("person.id", nullable=True, index=False)  # the unit head who approved it
    signed_off_at: datetime | None = _ts(nullable=True)


class Attachment(SQLModel, table=True):
    """A file kept by content (its SHA-256); may exist before the submission it belongs to."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int | None = _fk("submission.id", nullable=True)
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_type=BigInteger)
    mime_type: str | None = Field(default=None, max_length=200)
    file_name: str | None = Field(default=None, max_length=255)
    telegram_file_id: str | None = Field(default=None, max_length=255)
    storage_path: str = Field(max_length=500)
    created_at: datetime = _ts()


class Draft(SQLModel, table=True):
    """The state of an unfinished conversation, so it survives a restart."""

    __table_args__ = (UniqueConstraint("person_id", "flow"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _fk("person.id", index=False)
    flow: str = Field(max_length=64)
    state: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = _ts()


class AdhocReport(SQLModel, table=True):
    """An ad-hoc deadline (临时报送事项) a coordinator added in chat: a one-off report type.

    Its due item is `(key, 'once')` with an obligation per owing unit, like any configured
    report type; `bot.services.deadlines.adhoc.report_types` turns these rows into `ReportType`s.
    """

    __tablename__ = "adhoc_report"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=200)
    template: str = Field(max_length=32)
    due_at: datetime = _ts()
    has_time: bool = False  # the deadline named a time of day (else: end of the day)
    owed_by: list[str] = Field(default_factory=list, sa_type=JSON)  # tags; with unit_codes both empty: all units
    unit_codes: list[str] = Field(default_factory=list, sa_type=JSON)
    created_by_person_id: int | None = _fk("person.id", nullable=True, index=False)
    created_at: datetime = _ts()


# --- reminders and audit -----------------------------------------------------------------------


class ReminderSent(SQLModel, table=True):
    """A reminder claimed for sending; its unique key makes a doubled reminder impossible.

    The key is (due item, unit, person, moment): one person may be liaison of two units that
    owe the same due item, and each unit's obligation gets its own reminder. A row tied to a
    due item always has its unit (a NULL would let duplicates past the key; `claim_reminder`
    refuses one). Messages not tied to one due item (e.g. a coordinator digest) leave
    `due_item_id` and `unit_id` empty and are unique by (person, moment_key) instead.
    """

    __tablename__ = "reminder_sent"
    __table_args__ = (
        UniqueConstraint("due_item_id", "unit_id", "person_id", "moment_key"),
        Index(
            "uq_reminder_sent_person_moment_no_due_item",
            "person_id",
            "moment_key",
            unique=True,
            sqlite_where=text("due_item_id IS NULL"),
            postgresql_where=text("due_item_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    due_item_id: int | None = _fk("due_item.id", nullable=True, index=False)
    unit_id: int | None = _fk("unit.id", nullable=True)
    person_id: int = _fk("person.id")
    moment_key: str = Field(max_length=100)
    kind: ReminderKind = Field(sa_type=EnumString(ReminderKind))
    status: ReminderStatus = Field(
        default=ReminderStatus.pending, sa_type=EnumString(ReminderStatus), index=True
    )
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # the highest message id known in the chat when it was claimed: a probe for it looks above only
    probe_floor: int | None = Field(default=None, sa_type=BigInteger)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)


class AuditEvent(SQLModel, table=True):
    """Who did what, when; never holds tokens."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor_person_id: int | None = _fk("person.id", nullable=True)
    action: str = Field(max_length=64, index=True)
    subject: str | None = Field(default=None, max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


# --- the web dashboard -------------------------------------------------------------------------


class WebToken(SQLModel, table=True):
    """A dashboard credential: a one-time login link (kind "link") or a browser session ("session").

    Only the SHA-256 of the token is stored, as for invites. A link is used once (`used_at`);
    a session ends at `expires_at` or when `used_at` (logout) is set.
    """

    __tablename__ = "web_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    kind: str = Field(max_length=16)
    person_id: int = _fk("person.id")
    language: str = Field(default="zh-CN", max_length=16)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)


# ── Operations: several workers on one database (bot.ops) ────────────────────────────────────


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update taken by one worker: behind one webhook URL, each update is handled once."""

    __tablename__ = "processed_update"

    update_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    received_at: datetime = _ts(index=True)


class PollerLease(SQLModel, table=True):
    """The one process that may poll getUpdates for a bot (by its numeric id), until `expires_at`."""

    __tablename__ = "poller_lease"

    bot_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    holder: str = Field(max_length=200)
    acquired_at: datetime = _ts()
    expires_at: datetime = _ts()


class CommandMenu(SQLModel, table=True):
    """The command menu last set for a person's chat (`handlers/menus.py`), as a digest of its commands and
    descriptions in every client language: a restart republishes only the menus that changed."""

    __tablename__ = "command_menu"

    telegram_user_id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    digest: str = Field(max_length=64)
    set_at: datetime = _ts()


class SendSlot(SQLModel, table=True):
    """Messages sent in one second (Unix time) by all workers together: the shared flood limit."""

    __tablename__ = "send_slot"

    second: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    used: int = 0


class SyncState(SQLModel, table=True):
    """What a derived set of rows was last built from: a digest of its sources, so a restart with
    nothing changed rebuilds nothing (key "due_items": the config's report types, the active
    units and the ad-hoc deadlines)."""

    __tablename__ = "sync_state"

    key: str = Field(primary_key=True, max_length=64)
    fingerprint: str = Field(max_length=64)
    synced_at: datetime = _ts()
