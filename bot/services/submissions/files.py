"""Files liaisons send: checked by size and type, downloaded, kept content-addressed with their checksum.

Files live under the files directory (`services.files_dir`, `LIAISON_BOT_FILES_DIR`, or `[files] dir` of the config,
default `data/files/`) at `<sha256[:2]>/<sha256>`: the same file sent twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from telegram import Bot

from bot.context import Services
from bot.models import Attachment
from bot.services.submissions.forms import FileGroup
from bot.storage import attachments

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # Telegram bots download files up to 20 MB
FILES_DIR_ENV = "LIAISON_BOT_FILES_DIR"

# type name -> (extensions, MIME types, magic prefixes)
_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[bytes, ...]]] = {
    "PDF": ((".pdf",), ("application/pdf",), (b"%PDF",)),
    "JPEG": ((".jpg", ".jpeg"), ("image/jpeg",), (b"\xff\xd8",)),
    "PNG": ((".png",), ("image/png",), (b"\x89PNG",)),
    "DOC": ((".doc",), ("application/msword",), (b"\xd0\xcf\x11\xe0",)),
    "DOCX": ((".docx",), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",), (b"PK\x03\x04",)),
    # known only to be refused with a reason: the 统计表 reader takes .xlsx, not the old format
    "XLS": ((".xls",), ("application/vnd.ms-excel",), (b"\xd0\xcf\x11\xe0",)),
    "XLSX": ((".xlsx",), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",), (b"PK\x03\x04",)),
}
# What each kind of step takes; every type listed is one the bot can use there.
GROUPS: dict[FileGroup, tuple[str, ...]] = {
    FileGroup.DECISION: ("PDF", "JPEG", "PNG", "DOC", "DOCX"),  # 行政处罚决定书
    FileGroup.DOCUMENT: ("PDF", "DOC", "DOCX"),  # a summary as a whole
    FileGroup.SPREADSHEET: ("XLSX",),  # the 附件1 统计表, read by `forms.workbook`
    FileGroup.ANY: ("PDF", "JPEG", "PNG", "DOC", "DOCX", "XLSX"),
}


@dataclass(frozen=True)
class Incoming:
    """A file in a message, before it is downloaded."""

    file_id: str
    file_name: str
    mime_type: str | None
    size: int | None


class Refused(Exception):
    """A file not taken: `key` (submissions.file.<key>) and `params` say why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def files_dir(services: Services) -> Path:
    """Where files are kept."""
    configured = services.files_dir or os.environ.get(FILES_DIR_ENV) or services.config.files.dir
    return Path(configured)


def type_of(file_name: str, mime_type: str | None) -> str | None:
    """The file's type by its name or MIME type (PDF, JPEG, DOCX …), or None if unknown."""
    lower = file_name.lower()
    for name, (extensions, mimes, _) in _TYPES.items():
        if lower.endswith(extensions) or (mime_type or "").lower() in mimes:
            return name
    return None


Accepted = FileGroup | tuple[str, ...]  # a group, or the types a form's field declares


def types_of(group: Accepted) -> tuple[str, ...]:
    return GROUPS[group] if isinstance(group, FileGroup) else group


def allowed(group: Accepted) -> str:
    """The types a group accepts, for a message: 'PDF, JPEG, PNG, DOC, DOCX'."""
    return ", ".join(types_of(group))


def check(incoming: Incoming, group: Accepted) -> str:
    """The file's type if a step of `group` takes it; Refused (before any download) if not."""
    if incoming.size is not None and incoming.size > DOWNLOAD_LIMIT:
        raise Refused("too-big", size=f"{incoming.size / 1024 / 1024:.1f}", limit=DOWNLOAD_LIMIT // 1024 // 1024)
    kind = type_of(incoming.file_name, incoming.mime_type)
    if kind == "XLS" and "XLSX" in types_of(group) and "PDF" not in types_of(group):  # a table's step
        raise Refused("xls-old", name=incoming.file_name)
    if kind not in types_of(group):
        raise Refused("type", name=incoming.file_name, allowed=allowed(group))
    return kind


def _sniff(data: bytes, kind: str) -> bool:
    return data.startswith(_TYPES[kind][2])


def store(services: Services, data: bytes, incoming: Incoming, kind: str, *, now: datetime) -> Attachment:
    """Keep downloaded bytes by checksum and record the attachment (not yet tied to a submission)."""
    if len(data) > DOWNLOAD_LIMIT:
        raise Refused("too-big", size=f"{len(data) / 1024 / 1024:.1f}", limit=DOWNLOAD_LIMIT // 1024 // 1024)
    if not _sniff(data, kind):
        raise Refused("content", name=incoming.file_name, kind=kind)
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{digest[:2]}/{digest}"
    path = files_dir(services) / relative
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # never a half-written file under its checksum
    mime = incoming.mime_type or _TYPES[kind][1][0]
    return services.storage.attachments.add_attachment(
        sha256=digest,
        size=len(data),
        storage_path=relative,
        mime_type=mime,
        file_name=incoming.file_name[:255],
        telegram_file_id=incoming.file_id[:255],
        now=now,
    )


async def download(services: Services, bot: Bot, incoming: Incoming, group: Accepted, *, now: datetime) -> Attachment:
    """Check, download and keep a file a user sent; Refused says why it was not taken."""
    kind = check(incoming, group)
    data = bytes(await (await bot.get_file(incoming.file_id)).download_as_bytearray())
    return await services.writes(store, services, data, incoming, kind, now=now)  # (a file written, a row added: off the loop)


def by_ids(services: Services, attachment_ids: list[int]) -> list[Attachment]:
    """Stored attachments by id, in upload order (unknown ids are left out)."""
    with services.storage.read() as s:
        return attachments.attachments_by_ids(s, attachment_ids=attachment_ids)


def read(services: Services, attachment: Attachment) -> bytes:
    """The bytes of a stored file."""
    return (files_dir(services) / attachment.storage_path).read_bytes()


def copy_for(services: Services, attachment_ids: list[int], *, now: datetime) -> list[int]:
    """New attachment rows for the same stored files (a new version keeps its own list)."""
    out = []
    with services.storage.session() as s:
        for attachment_id in attachment_ids:
            old = attachments.get_attachment(s, attachment_id=attachment_id)
            if old is None:
                continue
            new = attachments.add_attachment(
                s,
                sha256=old.sha256,
                size=old.size,
                storage_path=old.storage_path,
                mime_type=old.mime_type,
                file_name=old.file_name,
                telegram_file_id=old.telegram_file_id,
                now=now,
            )
            assert new.id is not None
            out.append(new.id)
    return out
