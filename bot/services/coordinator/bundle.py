"""The compilation with its files: one .zip holding the Word document, every file attached to a
compiled filing (行政处罚决定书, summaries sent as files) named 单位_案件名称_文件名, and a
manifest sheet (附件清单.xlsx) saying what each file is and whether it was found.

Files are read from the files directory by their stored path; one that is missing is named in the
manifest as missing instead of failing the whole bundle.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.context import Services
from bot.services.coordinator.compile import Compiled, Piece
from bot.services.coordinator.paper import safe_name
from bot.services.coordinator.xlsx import Column, Kind, Sheet, Workbook
from bot.services.submissions.files import files_dir

MANIFEST = "附件清单.xlsx"
SEND_LIMIT = 50 * 1000 * 1000  # what Telegram lets a bot send
FOUND, MISSING = "已收入", "文件缺失"


@dataclass(frozen=True)
class Bundle:
    """The zip's bytes and what went into it."""

    data: bytes
    files: int
    missing: int


def piece_name(piece: Piece) -> str:
    """What a file is named after: a case's title, or a summary's heading without the unit."""
    values = piece.filing.data.get("values", piece.filing.data)
    if piece.filing.kind == "case":
        return str(values.get("title") or piece.heading)
    return piece.heading.removeprefix(piece.filing.unit_name)


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    candidate, n = name, 2
    while candidate in used:
        candidate = f"{stem}({n}){dot}{ext}"
        n += 1
    used.add(candidate)
    return candidate


def build(services: Services, compiled: Compiled, *, document_name: str) -> Bundle:
    """The .zip of the document, the files and the manifest."""
    root = files_dir(services)
    out = io.BytesIO()
    used = {document_name, MANIFEST}
    lines: list[list[object]] = []
    found = missing = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(document_name, compiled.data)
        for piece in compiled.pieces:
            for f in piece.files:
                original = f.file_name or f"{f.sha256[:12]}"
                name = _unique(f"附件/{safe_name(piece.filing.unit_name, 40)}_{safe_name(piece_name(piece), 60)}_{safe_name(original, 80)}", used)
                path = root / f.storage_path
                state = FOUND
                if _inside(path, root) and path.is_file():
                    z.write(path, name)
                    found += 1
                else:
                    state = MISSING
                    missing += 1
                kind = piece.kinds.get(f.id, "")
                lines.append([len(lines) + 1, piece.filing.unit_name, piece_name(piece), kind, name if state == FOUND else None, original, round(f.size / 1024, 1), f.sha256, state])
        z.writestr(MANIFEST, _manifest(services, compiled, lines))
    return Bundle(data=out.getvalue(), files=found, missing=missing)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _manifest(services: Services, compiled: Compiled, lines: list[list[object]]) -> bytes:
    columns = [
        Column("序号", 7, Kind.integer),
        Column("单位名称", 20),
        Column("案件名称（材料）", 26),
        Column("材料类别", 14, Kind.centred),
        Column("包内文件名", 40),
        Column("原文件名", 24),
        Column("大小（KB）", 11, Kind.money),
        Column("SHA-256", 20),
        Column("状态", 10, Kind.centred),
    ]
    book = Workbook()

    def rows() -> Iterator[list[object]]:
        yield from lines

    book.add_sheet(Sheet("附件清单", columns, title=f"{services.config.campaign.name}报送材料附件清单（{compiled.period}）"), rows())
    return book.close()
