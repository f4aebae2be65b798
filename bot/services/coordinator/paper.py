"""What every document handed on shares: its texts in the reader's language, dates, file names.

Documents are not Telegram HTML: texts come from the catalog (`paperwork.*` keys) unescaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.texts.catalog import DEFAULT_LANGUAGE, texts

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Labels:
    """The catalog of one language, for documents (no HTML escaping)."""

    language: str = DEFAULT_LANGUAGE

    def __call__(self, key: str, /, **params: object) -> str:
        return texts(self.language)[f"paperwork.{key}"].format(**params)

    @property
    def zh(self) -> bool:
        return self.language == "zh-CN"

    def day(self, value: date | datetime) -> str:
        """A calendar day as the language writes it (2023年9月5日 / 2023-9-5)."""
        return self("date", year=value.year, month=value.month, day=value.day)

    def as_of(self, moment: datetime) -> str:
        """截至2023年9月5日."""
        return self("as-of", date=self.day(moment))


def safe_name(text: str, limit: int = 60) -> str:
    """A piece of a file name: no path separators or characters Windows refuses, bounded in length."""
    cleaned = _UNSAFE.sub("_", text).strip(" ._")
    return cleaned[:limit] or "_"


def sheet_name(name: str, used: set[str]) -> str:
    """A sheet name Excel takes (31 characters, no []:*?/\\), unique in the workbook."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"~{n}"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.lower())
    return candidate
