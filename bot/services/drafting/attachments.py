"""The 附件 of a notice: each section found by its heading (附件 8：), its title and its form.

A title is the short lines after the heading until one ends in a form word (表, 报告, 报送, 职责 …).
What the form holds is read from the section: 一、二、 headings (a case, a summary), the cells of a
table (a liaison form's labels; a statistics table's header and row names; a 任务分工表's
责任单位 column), and the 注/报送要求 lines (每月3日前报送1-2个案例).
"""

from __future__ import annotations

import re

from bot.services.drafting.model import Attachment
from bot.services.drafting.text import paragraphs, plain, squeeze

_SECTION = re.compile(r"^(?:#+\s*)?附件\s*(\d{1,2})\s*[：:]?\s*$")
_TITLE_END = ("表", "报告", "报送", "职责", "措施", "总结", "案例", "模板", "清单", "方案", "台账", "提纲")
_NOT_TITLE = re.compile(r"^(?:填报|报送要求|注|时间|[（(]参考模板[）)]|[一二三四五六七八九十]+、|\S{1,8}[：:]$)")  # 学校名称：
_HEADING = re.compile(r"^(?:#+\s*)?([一二三四五六七八九十]+)、\s*(\S.*)$")


def kind_of(title: str) -> str:
    """What a form is, from its title."""
    if "联络员" in title:
        return "liaison"
    if "案例" in title:
        return "case"
    if "总结" in title:
        return "summary"
    if "统计" in title:
        return "statistics"
    if "分工" in title:
        return "tasks"
    return "other"


def _cells(line: str) -> list[str]:
    parts = line.split("\t") if "\t" in line else re.split(r"[ \u3000]+", line)
    return [squeeze(p) for p in parts]


def _title(lines: list[str]) -> tuple[str, int]:
    """The title and how many lines it takes."""
    title, used = "", 0
    for line in lines:
        text = squeeze(line.lstrip("#").strip())
        if "\t" in line or len(text) > 40 or _NOT_TITLE.match(text) or (title and len(title) > 60):
            break
        title += text
        used += 1
        if re.sub(r"[（(]参考模板[）)]$", "", text).endswith(_TITLE_END):
            break
    return re.sub(r"[（(]参考模板[）)]$", "", title), used


def _read(number: int, lines: list[str]) -> Attachment:
    title, used = _title(lines)
    attachment = Attachment(number, title, kind_of(title), lines=lines)
    body = lines[used:]
    rows = [_cells(line) for line in body if "\t" in line]
    for line in body:
        text = squeeze(line.lstrip("#").strip())
        m = _HEADING.match(text)
        if m and len(text) <= 30:
            attachment.headings.append(f"{m[1]}、{m[2].strip()}")
    for text in paragraphs(body):
        if re.match(r"^(?:\d[.、．]|注[：:])", text) and re.search(r"报送|数据|累计|日前", text):
            attachment.notes.append(text)
    if attachment.kind == "liaison":
        cells = [c for line in body for c in (_cells(line) if "\t" in line or len(squeeze(line)) <= 20 else [])]
        seen: list[str] = []
        for c in cells:
            if c and c not in seen and len(c) <= 8 and c != "联络员":
                seen.append(c)
        attachment.fields = seen
    if attachment.kind == "other" and attachment.title.endswith(("表", "台账", "清单")) and any(len([c for c in r if c]) >= 3 for r in rows):
        attachment.kind = "statistics"  # a table to fill in (情况表, 周报表): rows × columns
    if attachment.kind == "statistics" and rows:
        header = next((r for r in rows if len([c for c in r if c]) >= 3), None)
        if header is not None:
            attachment.columns = [c for c in header[1:] if c]
            after = rows[rows.index(header) + 1 :]
            attachment.rows = [r[0] for r in after if r and r[0] and r[0] != header[0]]
    elif attachment.kind == "tasks" and rows:
        for r in rows:
            if "责任单位" in r:
                column = r.index("责任单位")
                continue
            if "column" in locals() and len(r) > column and r[column] and r[column] not in attachment.responsible:
                attachment.responsible.append(r[column])
    return attachment


def attachments(lines: list[str]) -> dict[int, Attachment]:
    """Every 附件 section of the notice, by number (the first section of a number wins)."""
    starts = [(i, int(m[1])) for i, line in enumerate(lines) if (m := _SECTION.match(plain(line)))]
    found: dict[int, Attachment] = {}
    for n, (i, number) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        if number not in found:
            found[number] = _read(number, lines[i + 1 : end])
            found[number].first_line, found[number].end_line = i, end
    return found


def referenced(text: str) -> list[int]:
    """The 附件 numbers a sentence points to: （附件1）, （参考模板见附件 8）, 详见附件2."""
    return [int(n) for n in re.findall(r"附件\s*(\d{1,2})", plain(text))]
