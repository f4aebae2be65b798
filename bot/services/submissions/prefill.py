"""Statistics prefilled from the unit's last filing: a cumulative table changes in a few cells a month.

At each row the liaison sees last period's figures and may press “与上次相同” (keep the row), type
only the cells that changed (`1=15 5=0.8`: cell 1 is now 15, cell 5 is 0.8), or type the whole row
as before. The result is checked like a typed row (`statistics.parse_row`), and the whole table
is compared with the previous filing before the preview (`steps.after_steps`).
"""

from __future__ import annotations

import re
from typing import Any

from bot.context import Services
from bot.models import SubmissionKind
from bot.services.submissions.common import view
from bot.services.submissions.filing import Filing
from bot.services.submissions.forms import statistics as stats
from bot.storage import submissions
from bot.texts.catalog import t
from schedules.numerals import normalise_width

_CHANGE = re.compile(r"(\d{1,2})\s*[=:：＝]\s*([^\s,，、;；]+)")
_CHANGES = re.compile(r"\s*(?:\d{1,2}\s*[=:：＝]\s*[^\s,，、;；]+[\s,，、;；]*)+")


def previous_rows(services: Services, obligation_id: int) -> dict[str, Any]:
    """The unit's rows (`row_<key>` → row) in its filing of the period before, if any."""
    found = view(services, obligation_id)
    with services.storage.session() as s:
        before = submissions.previous_filing(
            s, unit_id=found.unit.id or 0, report_key=found.due_item.report_key, kind=SubmissionKind.statistics, before_obligation_id=obligation_id,
        )
    if before is None:
        return {}
    return {k: dict(v) for k, v in before.data.get("values", {}).items() if k.startswith("row_") and isinstance(v, dict)}


def shown(row: dict[str, str], table: stats.TableForm) -> str:
    """A row as it is typed: its figures in column order."""
    return " ".join(str(row.get(c.key, "0")) for c in table.columns)


def note(f: Filing, key: str) -> str:
    """What the row's question adds when last period's figures are known ('' otherwise)."""
    table = f.form.table if f.form is not None else None
    row = f.previous.get(key)
    if table is None or not row:
        return ""
    return "\n\n" + t(f.language, "prefill.last", figures=shown(row, table))


def merged(f: Filing, key: str, text: str) -> str | None:
    """The whole row when `text` changes only some cells of last period's row (`1=15 5=0.8`), else None."""
    table = f.form.table if f.form is not None else None
    row = f.previous.get(key)
    s = normalise_width(text)
    if table is None or not row or not _CHANGES.fullmatch(s):
        return None
    cells = [str(row.get(c.key, "0")) for c in table.columns]
    for number, value in _CHANGE.findall(s):
        index = int(number) - 1
        if not 0 <= index < len(cells):
            return f"{s} "  # a cell that does not exist: parse_row says the count is wrong
        cells[index] = value
    return " ".join(cells)
