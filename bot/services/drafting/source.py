"""Reading a notice file as hostile input: .txt (UTF-8, GB18030) or .docx (paragraphs and tables).

A .docx is a zip: its size is bounded before opening, and every member is read back through a
bounded stream before python-docx sees it, so a small file that inflates to gigabytes is refused
rather than unpacked. Tables become tab-separated rows (merged cells once), in document order.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

MAX_FILE = 10 * 1024 * 1024  # a notice with its 附件 is well under a megabyte
MAX_UNPACKED = 40 * 1024 * 1024  # all members of a .docx, decompressed
MAX_MEMBERS = 2000
MAX_TEXT = 2_000_000  # characters of text taken from a notice


class NoticeError(Exception):
    """The file cannot be read as a notice; the message says why and what is expected."""


def read_notice(path: Path) -> str:
    """The notice's text: lines, table rows with tabs between cells."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise NoticeError(f"{path}: cannot be read ({e.strerror})") from None
    if size > MAX_FILE:
        raise NoticeError(f"{path}: {size} bytes; a notice is expected to be under {MAX_FILE // (1024 * 1024)} MB")
    data = path.read_bytes()
    if path.suffix.lower() == ".docx" or data.startswith(b"PK\x03\x04"):
        return docx_text(data, name=str(path))
    return _decoded(data, name=str(path))


def _decoded(data: bytes, *, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text[:MAX_TEXT]
    raise NoticeError(f"{name}: not a text file (expected UTF-8 or GB18030 text, or a .docx document)")


def checked_zip(data: bytes, *, name: str, limit: int = MAX_UNPACKED) -> None:
    """Refuse a zip with too many members or more than `limit` bytes once inflated (counted, not trusted)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise NoticeError(f"{name}: not a readable .docx (expected a Word 2007+ document)") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise NoticeError(f"{name}: {len(members)} parts inside; a Word document has far fewer")
        total = 0
        for member in members:
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(1024 * 1024):
                        total += len(chunk)
                        if total > limit:
                            raise NoticeError(f"{name}: inflates beyond {limit // (1024 * 1024)} MB; not a notice")
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as e:
                raise NoticeError(f"{name}: a damaged or encrypted part ({member.filename}): {e}") from None


def _cells(row: object) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:  # type: ignore[attr-defined]  # python-docx has no type hints
        if id(cell._tc) in seen:
            continue  # a merged cell is listed once per grid column it spans
        seen.add(id(cell._tc))
        out.append(" ".join(cell.text.split()))
    return out


def docx_text(data: bytes, *, name: str = "document") -> str:
    """Paragraphs and table rows of a .docx, in the order of the document body."""
    from docx import Document  # (here: the bot loads the document libraries when a document is read, not at its start)
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    checked_zip(data, name=name)
    try:
        document = Document(io.BytesIO(data))
    except MemoryError:  # not a damaged file: a parse worker's cap (`bot.parsing`)
        raise
    except Exception as e:  # python-docx raises KeyError, ValueError, XML errors … on a malformed package
        raise NoticeError(f"{name}: not a readable .docx ({type(e).__name__})") from None
    lines: list[str] = []
    size = 0  # characters so far (counted as they come: summing the lines at each block took minutes for 40,000 empty paragraphs)
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
            size += len(lines[-1]) + 1
        elif tag == "tbl":
            for row in Table(block, document).rows:
                lines.append("\t".join(_cells(row)))
                size += len(lines[-1]) + 1
        if size > MAX_TEXT:
            break
    return "\n".join(lines)
