"""Button labels that fit: a long name is shortened at a word boundary with "…", and what tells two
buttons apart (the period, the item number) is never the part cut off."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

LIMIT = 60  # characters a button shows without wrapping badly on a phone
_BREAK = re.compile(r"[\s、，,;；:：·（(—\-/]")


def _wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F")


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters: cut at the last word boundary that fits, "…" added."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"
    head = text[: limit - 1]
    cut = len(head)
    if not _wide(text[cut]) and not _wide(head[-1]) and not _BREAK.match(text[cut]):  # inside a Latin word: back to its start
        spaces = [m.start() for m in _BREAK.finditer(head)]
        if spaces and spaces[-1] > 0:
            cut = spaces[-1]
    return head[:cut].rstrip(" 、，,;；:：·（(—-/") + "…"


def fit(make: Callable[[str], str], name: str, limit: int = LIMIT) -> str:
    """The label `make(name)`, with `name` (a unit or report title) shortened until the label fits."""
    label = make(name)
    excess = len(label) - limit
    if excess <= 0:
        return label
    return make(shorten(name, max(len(name) - excess, 1)))
