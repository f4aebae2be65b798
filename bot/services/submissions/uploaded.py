"""Files whose content fills the form, read off the event loop: a case or a summary as a Word document,
a table as the unit's own workbook.

- A .docx sent at a case form's text step (案件名称, 案情概述 …) is read like a case pasted whole
  (`pasted.take_whole_case`); the document is kept with the filing. A .docx without a case's sections
  says so and the step goes on.
- A .docx sent at any of a summary's section steps is read by the form's headings
  (`pasted.take_whole_summary`); without them it is the whole summary as one file, as before.
- A workbook at a table's step is read (`steps.read_table`) before the flow uses it; one sent before
  the report was chosen is read when it is (the handler runs that `launch` in a worker thread).

Word documents are read by `drafting.source.docx_text` (size bounded before and after inflating); the file
is read from storage in a worker thread and parsed in a worker process with a time and memory limit
(`bot.parsing`), so a large or hostile file never holds up the other users. A file refused there is
answered (`reliability.parse.*`) and the step stays where it was.
"""

from __future__ import annotations

import asyncio

from bot import parsing
from bot.context import Services
from bot.models import Attachment
from bot.replies import Reply
from bot.services.drafting.pasted import MAX_DOCUMENT
from bot.services.drafting.source import NoticeError, docx_text
from bot.services.submissions import files
from bot.services.submissions.filing import Filing
from bot.services.submissions.forms import Kind, Step
from bot.services.submissions.pasted import case_fields, take_whole_case, take_whole_summary
from bot.services.submissions.steps import TableRead, buttons_for, read_table
from bot.texts.catalog import t

DOCX = ("DOCX",)


def takes_document(f: Filing, st: Step) -> bool:
    """Whether a Word document at `st` is a whole case (a case form's text steps)."""
    return st.kind in (Kind.TEXT, Kind.SECTION) and not f.edit and bool(case_fields(f.form))


def accepted(f: Filing, st: Step) -> files.Accepted | None:
    """The files step `st` takes: its own, or a .docx of the whole case at a case form's text step."""
    if st.files is None and takes_document(f, st):
        return DOCX
    if st.files is None and st.kind is Kind.SECTION and f.form is not None and f.form.whole_file and not f.edit:
        return tuple(f.form.whole_file)  # the whole summary at any of its sections, not only the first
    return st.files


def _text(services: Services, attachment: Attachment) -> str | None:
    """The document's text (the file read here, parsed in a worker process); None: not a readable .docx.
    `ParseRefused` when it takes too long or too much memory."""
    try:
        data = files.read(services, attachment)
        return parsing.parse(docx_text, data, name=attachment.file_name or "document", limits=services.config.files.parse_limits)
    except (NoticeError, OSError):
        return None


async def take_upload(services: Services, f: Filing, st: Step, attachment: Attachment, name: str) -> list[Reply] | None:
    """The replies when the uploaded file fills the form whole; None: the step uses it as usual."""
    assert attachment.id is not None
    if files.type_of(attachment.file_name or "", attachment.mime_type) != "DOCX":
        return None
    is_case = takes_document(f, st)
    if not is_case and st.kind is not Kind.SECTION:
        return None
    try:
        text = await asyncio.to_thread(_text, services, attachment)
    except parsing.ParseRefused as e:  # the step stays where it was: what was typed is kept
        return [Reply(t(f.language, f"reliability.parse.{e.reason}"), buttons_for(f, st))]
    if text is None:
        return [Reply(t(f.language, "pasted.document-unreadable", name=name), buttons_for(f, st))] if is_case else None
    if is_case:
        whole = await services.writes(take_whole_case, services, f, st, text, limit=MAX_DOCUMENT, document=attachment.id)
        return whole or [Reply(t(f.language, "pasted.document-no-case", name=name), buttons_for(f, st))]
    return await services.writes(take_whole_summary, services, f, st, text, limit=MAX_DOCUMENT, document=attachment.id)


async def table_read(services: Services, f: Filing, st: Step, attachment: Attachment) -> TableRead | None:
    """A workbook at a table's step, read in a worker thread (None: not a table's step)."""
    if st.kind is not Kind.STATS_ROW or attachment.id is None:
        return None
    return await asyncio.to_thread(read_table, services, f, attachment.id)
