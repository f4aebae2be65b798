"""A typical case (附件8/附件2) pasted whole in chat, read into the case form's fields.

Three layouts are read: with the template's headings (标题, 一、案情概述, 二、查办结果, also
【案情概述】 or 案情概述：), without headings (a title line, then the facts, then from the first
sentence that cites a law or states a penalty (依据…, 决定…, 处以…), the result), and either with the
行政处罚决定书 number in the text (叶市监罚〔2023〕15号). Besides the sections: the decision date
(the date of the 处罚决定), the 罚没款 (没收违法所得 plus 罚款, or a stated total) and whether the case
was transferred to the police. What is not found stays out; the form asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.services.drafting.sections import core, heading_of
from bot.services.submissions.forms import validators
from schedules.numerals import normalise_width

_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十\d]+\s*[、.．]\s*|【)?\s*(?P<name>案情概述|案件概述|基本案情|案情简介|简要案情|查办结果|查处结果|处理结果|处罚结果|处理情况)"
    r"\s*[】:：]?\s*(?P<rest>.*)$"
)
_SECTION = {"案情概述": "overview", "案件概述": "overview", "基本案情": "overview", "案情简介": "overview", "简要案情": "overview",
            "查办结果": "result", "查处结果": "result", "处理结果": "result", "处罚结果": "result", "处理情况": "result"}
_TITLE = re.compile(r"^\s*(?:标题|案件名称|案名)\s*[:：\t]\s*(?P<t>.+)$")
# The template's own lines (附件8/附件2 as sent by the notice) left in a filled document: never the case.
_BOILERPLATE = re.compile(
    r"^(?:附件\s*\d+\s*[:：]?|[（(]参考模板[)）]|填报(?:单位|日期|人)\s*[:：\t].*|联系(?:人|电话)\s*[:：\t].*|报送要求\s*[:：]?|"
    r"\d+\s*[.．、].{0,80}(?:案例|行政处罚决定书).*|.{0,40}典型案例报送)$"
)
_GUIDANCE = re.compile(r"^(?:简要介绍案件主要违法情形|说明违法行为定性裁量)")  # the template's hints under its headings
_RESULT_CUE = re.compile(r"依据《|根据《|依照《|违反了?《|决定(?:给予|对|作出)|作出.{0,12}处罚|处以|责令|没收|罚款|移送")
_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d{1,6}\s*号")
_DATE = r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_DECIDED = [
    re.compile(rf"(?P<d>{_DATE})[^。；;\n]{{0,30}}?(?:作出|下达|送达|签发|出具)[^。；;\n]{{0,20}}?处罚决定"),
    re.compile(rf"(?:处罚决定书?|决定书)[^。；;\n]{{0,40}}?(?P<d>{_DATE})"),
    re.compile(rf"(?P<d>{_DATE})[^。；;\n]{{0,12}}?(?:决定|处以)"),
]
_MONEY = r"(?:人民币)?\s*(?P<n>\d[\d,，]*(?:\.\d+)?)\s*(?P<u>万元|元)"
_TOTAL = re.compile(r"(?:罚没款|罚没)(?:金额)?(?:合计|共计|总计)?\s*[:：]?" + _MONEY)
_PARTS = re.compile(r"(?:没收违法所得|并处罚款|处罚款|罚款)\s*[:：]?" + _MONEY)
_POLICE_NO = re.compile(r"(?:未|不|无需|没有|尚未)(?:涉嫌犯罪|移送)")
_POLICE_YES = re.compile(r"(?:已|依法|并)?移送(?:至|给)?(?:\S{0,8}?)(?:公安|司法)")
MAX_CASE = 4000  # one Telegram message
MAX_DOCUMENT = 60_000  # a case uploaded as a Word document: a few pages


@dataclass(frozen=True)
class PastedCase:
    """What a pasted case holds; None for what it does not say."""

    title: str
    overview: str
    result: str
    decided_on: date | None = None
    fine: Decimal | None = None
    police: bool | None = None
    decision_number: str | None = None

    def values(self) -> dict[str, object]:
        """The case form's answers, as its steps store them (only what was found)."""
        out: dict[str, object] = {"title": self.title, "overview": self.overview, "result": self.result}
        if self.decided_on is not None:
            out["decided_on"] = self.decided_on.isoformat()
        if self.fine is not None:
            out["fine"] = str(self.fine)
        if self.police is not None:
            out["police"] = self.police
        return out


def _lines(text: str) -> list[str]:
    """Non-empty lines; a table row (tab-separated, from a .docx) whose cells repeat is read once."""
    out = []
    for raw in text.replace("\r", "\n").split("\n"):
        cells = list(dict.fromkeys(c.strip() for c in raw.split("\t") if c.strip()))
        line = "\t".join(cells)
        if line and not _GUIDANCE.match(line):
            out.append(line)
    return out


def _sections(lines: list[str], declared: dict[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    """Lines before the first heading, and each section's lines (`declared`: the form's own headings, by part)."""
    head: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    cores = {part: core(label) for part, label in declared.items() if core(label)}
    for line in lines:
        m = _HEADING.match(line)
        found = (_SECTION[m["name"]], m["rest"]) if m else (heading_of(line, cores) if cores else None)
        if found is not None:
            part, rest = found
            current = sections.setdefault(part, [])
            if rest.strip():
                current.append(rest.strip())
        elif current is None:
            head.append(line)
        else:
            current.append(line)
    return head, sections


def _short(line: str) -> bool:
    return len(line) <= 60 and "\t" not in line and not line.endswith(("。", "；", ";", "：", ":"))


def _title(head: list[str], *, headed: bool) -> tuple[str | None, list[str]]:
    """The title among the lines before the sections, and the lines after it.

    With headings the title is the last short line before them (a filled template's 填报单位 and 报送要求
    come first); without, the first line."""
    for i, line in enumerate(head):
        m = _TITLE.match(line)
        if m:
            return m["t"].strip(), head[i + 1 :]
    order = range(len(head) - 1, -1, -1) if headed else range(min(len(head), 1))
    for i in order:
        if _short(head[i]):
            return re.sub(r"[（(]参考模板[)）]$", "", head[i]).strip(), head[i + 1 :]
    return None, head


def _decided(text: str, *, now: datetime, tz: ZoneInfo) -> date | None:
    for pattern in _DECIDED:
        for m in pattern.finditer(text):
            try:
                return validators.past_date(re.sub(r"\s+", "", m["d"]), now=now, tz=tz)
            except validators.Invalid:
                continue
    return None


def _yuan(m: re.Match[str]) -> Decimal | None:
    try:
        return validators.amount_yuan(m["n"].replace("，", "").replace(",", "") + m["u"])
    except validators.Invalid:
        return None


def _fine(text: str) -> Decimal | None:
    total = next((v for m in _TOTAL.finditer(text) if (v := _yuan(m)) is not None), None)
    if total is not None:
        return total
    parts = [v for m in _PARTS.finditer(text) if (v := _yuan(m)) is not None]
    return sum(parts, Decimal("0.00")) if parts else None


def _police(text: str) -> bool | None:
    if _POLICE_NO.search(text):
        return False
    if _POLICE_YES.search(text):
        return True
    return None


def read_case(text: str, *, now: datetime, tz: ZoneInfo, headings_only: bool = False, limit: int = MAX_CASE,
              headings: dict[str, str] | None = None) -> PastedCase | None:
    """The case in a pasted text, or None when the text is not a whole case (a title alone, one paragraph).

    `headings_only`: only a text with the template's headings counts (a long answer to 案情概述 is no case).
    `limit`: the longest text read (a message; MAX_DOCUMENT for a Word document's text).
    `headings`: the form's own headings of the "overview" and "result" parts (一、违法事实), besides the usual ones.
    """
    if len(text) > limit:
        return None
    lines = _lines(text)
    head, sections = _sections(lines, headings or {})
    if sections:
        head = [line for line in head if not _BOILERPLATE.match(line)]
    title, rest = _title(head, headed=bool(sections))
    if sections.get("overview") and sections.get("result"):
        overview, result = "\n".join(rest + sections["overview"]), "\n".join(sections["result"])
    elif headings_only or not rest or title is None:
        return None
    else:  # no headings: the facts, then the result from the first sentence citing a law or a penalty
        body = "".join(rest) if all(not s.endswith(("。", "；")) for s in rest[:-1]) and len(rest) > 1 else "\n".join(rest)
        sentences = re.findall(r"[^。；\n]+[。；]?\n?", body)
        cut = next((i for i, s in enumerate(sentences) if i > 0 and _RESULT_CUE.search(s)), None)
        if cut is None:
            return None
        overview, result = "".join(sentences[:cut]).strip(), "".join(sentences[cut:]).strip()
    if title is None or not overview or not result:
        return None
    whole = normalise_width("\n".join(lines))
    number = _NUMBER.search("\n".join(lines))
    return PastedCase(
        title=title[:200], overview=overview, result=result,
        decided_on=_decided(whole, now=now, tz=tz), fine=_fine(whole), police=_police(whole),
        decision_number=re.sub(r"\s+", "", number[0]) if number else None,
    )
