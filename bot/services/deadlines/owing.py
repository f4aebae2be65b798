"""Which active units owe a report: those named, else those with one of its tags, else all."""

from __future__ import annotations

from collections.abc import Sequence

from typing import Protocol

class _Tagged(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def tags(self) -> list[str]: ...


def owing(active: Sequence[_Tagged], *, tags: Sequence[str], unit_codes: Sequence[str] = ()) -> list[str]:
    """Codes of the active units that owe: those named, else those with one of the tags, else all."""
    if unit_codes:
        wanted = set(unit_codes)
        return [u.code for u in active if u.code in wanted]
    if tags:
        return [u.code for u in active if set(u.tags) & set(tags)]
    return [u.code for u in active]
