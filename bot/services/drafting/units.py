"""The units a notice addresses: the 主送 line's groups, the working groups it sets up, the
任务分工表's 责任单位.

A notice mostly names units collectively (各所、队; 各县（市、区）局): each such group becomes one
placeholder unit whose tag the report types use, marked TODO for the coordinator to list the real
units (or import them). Working groups named one by one ((一)综合协调组) become units themselves.
"""

from __future__ import annotations

import re

from bot.services.drafting.model import Attachment, Source, UnitDraft
from bot.services.drafting.text import plain, quote, squeeze

_GROUP = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*(\S{2,12}组)$")


def _split_outside_brackets(text: str, mark: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "（(" and 1 or 0
        depth -= ch in "）)" and 1 or 0
        if ch == mark and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [p for p in [*parts, current] if p]


def tag_of(group: str) -> str:
    """The tag of a collective group: 各所、队 → 所队, 机关相关股室 → 股室, 各县（市、区）市场监督管理局 → 县（市、区）局."""
    text = re.sub(r"^各|^直属各", lambda m: "直属" if m[0] == "直属各" else "", group)
    text = text.replace("机关", "").replace("相关", "").replace("市场监督管理局", "局").replace("市场监管局", "局")
    text = re.sub(r"^(\S+?)各(\S+)$", r"\1\2", text)  # 直属各分局 → 直属分局
    return text.replace("、", "") if not re.search(r"[（(]", text) else text


def addressees(lines: list[str]) -> tuple[list[str], str] | None:
    """The 主送 line's groups and the line itself: the first short line ending in '：' that names units."""
    for line in lines[:40]:
        text = squeeze(line.lstrip("#").strip())
        if re.match(r"^\S{2,60}[：:]$", text) and not re.search(r"附件|联系人|电话|邮箱|填报|时间|组长|成员|主任|职责", text) \
                and re.search(r"各|局|单位|部门|股室|所|队", text):
            body = text.rstrip("：:")
            parts = body.split("，") if "，" in body else _split_outside_brackets(body, "、")
            return [p.strip() for p in parts if p.strip()], text
    return None


def draft_units(lines: list[str], paragraphs: list[str], sections: dict[int, Attachment]) -> list[UnitDraft]:
    """Placeholder units for the addressed groups, then the named working groups."""
    out: list[UnitDraft] = []
    found = addressees(lines)
    if found is not None:
        groups, line = found
        for group in groups:
            tag = tag_of(group)
            todo = f"the notice names {group} only as a group: list each unit with its own code (or `liaison-bot import-units FILE.csv`)"
            out.append(UnitDraft(f"g{len(out) + 1:02d}", tag, (tag,), Source(quote(line), todo)))
    if any("工作组" in p for p in paragraphs):
        for line in lines:
            m = _GROUP.match(plain(line))
            if m and not any(u.name == m[1] for u in out):
                out.append(UnitDraft(f"wg{len(out) + 1:02d}", m[1], ("工作组",), Source(quote(squeeze(line)))))
    if not out:
        for attachment in sections.values():
            for cell in attachment.responsible:
                for name in _split_outside_brackets(plain(cell), "、"):
                    tag = tag_of(name)
                    if not any(tag in u.tags for u in out):
                        todo = f"from the 任务分工表's 责任单位 「{cell}」: list each unit with its own code"
                        out.append(UnitDraft(f"g{len(out) + 1:02d}", tag, (tag,), Source(quote(cell), todo)))
    return out


def subject_tags(text: str, units: list[UnitDraft]) -> list[str]:
    """The tags of the groups a clause names as its subject (各所、队于每月2日前 → 所队); empty: every unit."""
    key = plain(text)
    tags: list[str] = []
    for unit in units:
        for tag in unit.tags:
            forms = {plain(tag), plain(unit.name)}
            if tag == "所队":
                forms.add("所、队")
            if tag == "工作组":
                forms = {"工作组"}
            if any(f and f in key for f in forms) and tag not in tags:
                tags.append(tag)
    return tags
