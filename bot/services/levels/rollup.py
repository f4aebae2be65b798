"""A unit's report rolled up from the units below it: the 市 files after its 县 have filed.

`rollups` tells, for each parent unit of a due item, how many of its children have filed and
which have not (shown under the parent's row in /status).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.context import Services
from bot.storage import levels


@dataclass
class Rollup:
    """The children of one unit for one due item."""

    filed: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.filed == self.total


def rollups(services: Services, *, due_item_id: int, unit_ids: Sequence[int]) -> dict[int, Rollup]:
    """For each of `unit_ids` that has units below it owing the due item: how they stand."""
    out: dict[int, Rollup] = {}
    with services.storage.read() as s:
        for child in levels.children_states(s, due_item_id=due_item_id, parent_ids=unit_ids):
            r = out.setdefault(child.parent_id, Rollup())
            r.total += 1
            if child.filed:
                r.filed += 1
            else:
                r.missing.append(child.unit_name)
    return out
