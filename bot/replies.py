"""What any service answers: `Reply` messages with `Btn` buttons and made `Document`s; `split` for Telegram's limit.

Services return these; handlers only send them (`handlers/replies.py`), signing the buttons for the
user they are shown to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import Person

TELEGRAM_LIMIT = 4096


@dataclass(frozen=True)
class Btn:
    """A button to show: its label and the (signed by the handler) action and arguments."""

    label: str
    action: str
    args: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Document:
    """A file made for the user (not a stored attachment), such as the blank 附件1 workbook."""

    name: str
    data: bytes


@dataclass
class Reply:
    """A message to send: HTML text, rows of buttons, stored files and made documents to send after it.

    Answering a pressed button, `edit` makes the reply replace the pressed message (its text and
    buttons; with no text, the message keeps its text and loses its buttons), `alert` is shown
    as an alert on the button (a reply with only an alert sends no message), and `toast` as a
    passing notice on it.
    """

    text: str
    buttons: list[list[Btn]] = field(default_factory=list)
    attachment_ids: list[int] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    edit: bool = False
    alert: str | None = None
    toast: str | None = None
    to: Person | None = None  # someone else to tell, privately (the unit head asked to sign off); None: the user


def drop_buttons() -> Reply:
    """Take the buttons off the pressed message, its text unchanged (it was answered)."""
    return Reply("", edit=True)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML text into messages within Telegram's limit, at line breaks where possible.

    Tags never span lines in our texts, so a line is a safe cut; a longer line (escaped user
    text) is cut between characters, never inside an entity such as '&amp;'.
    """
    if _utf16(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while _utf16(line) > limit:
            cut = limit
            while _utf16(line[:cut]) > limit:
                cut -= 1
            amp = line.rfind("&", 0, cut)
            if amp != -1 and ";" not in line[amp:cut]:
                cut = amp
            piece, line = line[:cut], line[cut:]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece)
        candidate = f"{current}\n{line}" if current else line
        if _utf16(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
