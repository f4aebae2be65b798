"""A report written under its form's headings (a 工作总结 in the 附件9/附件3 layout), read into the sections.

The headings are the form's own section labels ("一、基本情况" … "五、其他"), recognised whatever the
numbering (一、 / 1. / (一) / none), in 【】, or followed by a colon and the text on the same line. The
text before the first heading (the title, 填报单位) is left out; a heading with nothing under it, or
one the text does not have, stays unanswered, so the form asks for it. Pure: no clock, no I/O.
"""

from __future__ import annotations

import re

from schedules.numerals import normalise_width

_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[)）]?\s*[、.．:：]?|第[一二三四五六七八九十]+部分\s*[:：]?)\s*")
_FILLER = re.compile(r"[\s【】\[\]（）()]")
_GUIDANCE = re.compile(r"^[（(](?:参考模板|此部分内容需对照.*|.{0,8}可另附.*)[)）]$")
MIN_HEADINGS = 2  # fewer: an ordinary answer, not a whole report


def core(label: str) -> str:
    """A heading's words without its numbering, spaces or brackets: '一、基本情况' -> '基本情况'."""
    return _FILLER.sub("", _NUMBERING.sub("", normalise_width(label)))


def heading_of(line: str, cores: dict[str, str]) -> tuple[str, str] | None:
    """(section key, text on the same line) when `line` starts with one of the headings."""
    bare = line.strip()
    m = re.match(r"^【(?P<h>[^】]{1,30})】(?P<rest>.*)$", bare)
    head, rest = (m["h"], m["rest"]) if m else (bare, "")
    if not m:
        split = re.match(r"^(?P<h>[^:：。；]{1,40})[:：](?P<rest>.*)$", bare)
        if split:
            head, rest = split["h"], split["rest"]
    if not core(head) and rest:  # 第四部分：意见建议 — the numbering before the colon, the heading after it
        head, rest = rest, ""
    word = core(head)
    for key, name in cores.items():
        if word == name:
            return key, rest.strip()
    return None


def read_sections(text: str, headings: list[tuple[str, str]], *, limit: int) -> dict[str, str] | None:
    """Each section's text by its key, or None when the text holds fewer than two of the headings.

    `headings`: (key, label) of the form's sections in order; `limit`: the longest text read.
    """
    if len(text) > limit or not headings:
        return None
    cores = {key: core(label) for key, label in headings if core(label)}
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.replace("\r", "\n").split("\n"):
        line = raw.replace("\t", " ").strip()
        if not line:
            continue
        hit = heading_of(line, cores)
        if hit is not None and hit[0] not in found:
            current = found.setdefault(hit[0], [])
            if hit[1]:
                current.append(hit[1])
        elif current is not None and not _GUIDANCE.match(line):
            current.append(line)
    if len(found) < min(MIN_HEADINGS, len(cores)):
        return None
    return {key: "\n".join(lines) for key, lines in found.items() if lines}
