"""Units from a CSV (or XLSX) file: `code,name,tags[,parent]` with a header row; all rows or none.

`parent` (optional) is the code of the unit above, in the file or already known: units in levels.

How imported units live beside `config.toml`'s: the config's units are synced at every start
(added, updated, and deactivated when removed from the file); imported units are additional
and are never deactivated by that sync (the import is recorded in the audit trail, which is
how the sync knows them). A code present in both is the config's (its name and tags win).
Report obligations come from the config's report types and tags: at start, and in a running
bot within `bot.services.deadlines.due_items.RESYNC_EVERY_S` of the import (no restart needed).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.models import Unit
from bot.storage import Storage, audit, units
from bot.storage.units import IMPORT_ACTION, UnitSpec, UnitSync

COLUMNS = ("code", "name", "tags", "parent")
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass
class UnitFile:
    """What a file holds: the units, or the problems by line (then nothing is imported)."""

    units: list[UnitSpec] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _rows_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValueError("cannot decode the file")
    return [list(r) for r in csv.reader(io.StringIO(text))]


def _rows_xlsx(path: Path) -> list[list[str]]:
    try:
        import openpyxl  # optional: not a dependency yet
    except ImportError:
        raise ValueError("reading .xlsx needs openpyxl (pip install openpyxl==3.1.5); or save the sheet as CSV") from None
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()  # a read-only workbook keeps its file open until closed


def read_units_file(path: str | Path) -> UnitFile:
    """Read and check every row; `problems` names each bad line."""
    path = Path(path)
    out = UnitFile()
    try:
        rows = _rows_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _rows_csv(path)
    except (OSError, ValueError) as e:
        out.problems.append(f"{path}: {e}")
        return out
    if not rows:
        out.problems.append("line 1: the file is empty; expected a header row code,name,tags")
        return out
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] != ["code", "name"] or (len(header) > 2 and header[2] not in ("tags", "")) or (len(header) > 3 and header[3] not in ("parent", "")):
        out.problems.append(f"line 1: header {rows[0]!r}; expected code,name,tags or code,name,tags,parent")
        return out
    with_parent = len(header) > 3 and header[3] == "parent"
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row] + ["", "", ""]
        if not any(cells):
            continue
        code, name, tags = cells[0], cells[1], cells[2]
        parent = cells[3] if with_parent else ""
        if not _CODE.fullmatch(code):
            out.problems.append(f"line {line}: code {code!r}: expected 1–64 of A-Z a-z 0-9 _ . -")
        elif code in seen:
            out.problems.append(f"line {line}: code {code!r} already on line {seen[code]}")
        else:
            seen[code] = line
        if not 1 <= len(name) <= 200:
            out.problems.append(f"line {line}: name {name!r}: expected 1–200 characters")
        if len([c for c in row[4 if with_parent else 3:] if c.strip()]):
            out.problems.append(f"line {line}: {len(row)} columns; expected code,name,tags (separate tags with ';' or '、')")
        if parent and parent == code:
            out.problems.append(f"line {line}: parent {parent!r}: a unit cannot be its own parent")
        out.units.append(UnitSpec(code, name, [t.strip() for t in re.split(r"[;；、]", tags) if t.strip()], parent or None))
    if not out.units and not out.problems:
        out.problems.append("the file has a header but no units")
    return out


def import_units(storage: Storage, specs: list[UnitSpec], *, now: datetime) -> UnitSync:
    """Create or update these units in one transaction; nothing is deactivated.

    Raises ValueError naming a parent code that is neither in the file nor already known."""
    with storage.session() as s:
        known = {u.code for u in units.list_units(s, active_only=False)} | {u.code for u in specs}
        unknown = sorted({u.parent for u in specs if u.parent and u.parent not in known})
        if unknown:
            raise ValueError(f"unknown parent unit code(s): {', '.join(unknown)}")
        result = units.upsert_units(s, units=specs, now=now, deactivate_missing=False)
        audit.audit(s, action=IMPORT_ACTION, now=now, details={"codes": [u.code for u in specs]})
    storage.analyze(Unit)  # the obligations follow from the bot's due-item sync, which analyzes them
    return result
