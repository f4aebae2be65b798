"""A notice as text: its lines, its paragraphs rebuilt from wrapped lines, sentences and clauses.

Notices come as page-wrapped text (a sentence broken over lines, 2023 年 8 月 8 日 with spaces) or as
one paragraph per line. A paragraph starts at a heading (一、 （一） 1. 附件 #) or after a line
ending a sentence; a heading without a comma or full stop stands alone. Matching is done on a
normalised copy (full-width punctuation to ASCII, spaces between Chinese characters and digits
dropped); the quote shown to a reader is the same text with Chinese punctuation kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_HAN = r"[\u3007\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’《》]"
_SPACE = re.compile(rf"(?<={_HAN})[ \u3000]+(?={_HAN}|\d)|(?<=\d)[ \u3000]+(?={_HAN})")
HEADING = re.compile(r"^(?:#+\s*)?(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|附件\s*\d*)")
_ENDS = ("。", "！", "？", "：", ":", "；")


def squeeze(text: str) -> str:
    """Drop spaces between Chinese characters and digits (2023 年 8 月 → 2023年8月); markdown marks too."""
    text = text.replace("\\_", "_").replace("**", "")
    return _SPACE.sub("", text).strip()


def plain(text: str) -> str:
    """The matching form: NFKC (full-width punctuation and digits to ASCII), spaces squeezed."""
    return squeeze(unicodedata.normalize("NFKC", squeeze(text)))


@dataclass(frozen=True, slots=True)
class Clause:
    """A part of a sentence between semicolons: `text` to quote, `key` to match, and its sentence."""

    text: str
    key: str
    sentence: str


def lines_of(raw: str) -> list[str]:
    """The non-empty lines, stripped (tabs inside kept: they separate table cells)."""
    return [line.strip(" \u3000\r") for line in raw.splitlines() if line.strip(" \t\u3000\r")]


def paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs rebuilt from wrapped lines; table rows (with tabs) stand alone."""
    out: list[str] = []
    current = ""
    for line in lines:
        text = squeeze(line.lstrip("#").strip()) if "\t" not in line else line
        starts = bool(HEADING.match(text)) or "\t" in line or "\t" in current
        if current and (starts or current.endswith(_ENDS)):
            out.append(current)
            current = ""
        current += text
        if HEADING.match(text) and not re.search(r"[，。；,;]", text) and "\t" not in text:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph, each with its end mark."""
    return [s for s in re.findall(r"[^。！？]+[。！？]?", paragraph) if s.strip()]


def clauses(paragraphs_: list[str]) -> list[Clause]:
    """Every clause (split at ；) of every sentence, in order."""
    out: list[Clause] = []
    for p in paragraphs_:
        if "\t" in p:
            continue
        for s in sentences(p):
            for part in re.split(r"(?<=；)", s):
                if part.strip("；。 "):
                    out.append(Clause(part, plain(part), s))
    return out


def quote(text: str, around: str = "", width: int = 150) -> str:
    """The text as a comment may quote it: one line, shortened around `around` when long."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= width:
        return text
    at = text.find(around) if around else -1
    if at < 0:
        return text[: width - 1] + "…"
    start = max(0, min(at - width // 3, len(text) - width + 1))
    cut = text[start : start + width - 2]
    return ("…" if start else "") + cut + ("…" if start + width - 2 < len(text) else "")
