"""SQLModel tables: units, people and their roles, invites, deadlines, submissions, reminders.

Every timestamp is a `UTCDateTime` (aware UTC in Python); enums are stored as plain strings.
Queries on these tables live in `bot.storage`, nowhere else. One metadata for every table:
`base` (vocabularies, helpers), `tables`, and the wings' own (`problems`, `tasks`).
"""

from bot.models.base import ObligationStatus, ReminderKind, ReminderStatus, Role, SubmissionKind, SubmissionStatus, UNIT_ROLES, UNIT_SCOPED_ROLES, id_of
from bot.models.problems import Problem, ProblemEvent, ProblemStatus, TrailIsAppendOnly
from bot.models.tables import AdhocReport, Attachment, AuditEvent, CommandMenu, Draft, DueItem, Invite, Obligation, PROFILE_FIELDS, Person, PersonBase, PersonProfile, PollerLease, ProcessedUpdate, ReminderSent, RoleAssignment, SendSlot, Submission, SyncState, Unit, UnitBase, WebToken
from bot.models.tasks import Task, TaskReport, TaskRole, TaskUnit
from bot.models.notices import Announcement, AnnouncementReceipt, CampaignGroup, FilingNotices, GroupPost, NoticePref

__all__ = [
    "AdhocReport",
    "Announcement",
    "AnnouncementReceipt",
    "CampaignGroup",
    "FilingNotices",
    "GroupPost",
    "NoticePref",
    "Attachment",
    "AuditEvent",
    "Draft",
    "DueItem",
    "Invite",
    "Obligation",
    "ObligationStatus",
    "PROFILE_FIELDS",
    "Person",
    "PersonBase",
    "PersonProfile",
    "PollerLease",
    "CommandMenu",
    "Problem",
    "ProblemEvent",
    "ProblemStatus",
    "ProcessedUpdate",
    "ReminderKind",
    "ReminderSent",
    "ReminderStatus",
    "Role",
    "RoleAssignment",
    "SendSlot",
    "Submission",
    "SubmissionKind",
    "SubmissionStatus",
    "SyncState",
    "Task",
    "TaskReport",
    "TaskRole",
    "TaskUnit",
    "TrailIsAppendOnly",
    "UNIT_ROLES",
    "UNIT_SCOPED_ROLES",
    "Unit",
    "UnitBase",
    "WebToken",
    "id_of",
]

