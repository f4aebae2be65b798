"""A report's form declared from its 附件 (`[report_types.form]`, `bot.forms_config`): what the draft writes.

- a table (附件1 统计表): its rows × columns become `[report_types.form.table]`; a column's unit in
  brackets ((家), (件), (万元)) makes it a count or an amount; a 合计 row or column is left out (the
  bot adds up); 注：自…起累计 makes the figures cumulative since that day; checks: every cell >= 0, and the
  usual order of such tables (发现违规 <= 检查, 完成整改 <= 发现违规) when those columns are there;
- a case (附件8/附件2): 案件名称, one text field per heading, and when the 报送要求 ask for the
  《行政处罚决定书》: the decision date, the 罚没款, the transfer to the police (公安司法 when the
  notice says so) and the decision as a file, which a case referred to the police may go without;
- a summary (附件9/附件3): one section per heading, or the whole summary as one Word/PDF file.

Keys are English words for the labels officials commonly use, else row_1, column_1, section_1 (with
a TODO for the English label). A declaration that does not validate is left out (the shipped form of
the template applies), so the draft always loads.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.forms_config import Form
from bot.services.drafting.model import Attachment
from schedules.numerals import normalise_width

_WORDS: dict[str, tuple[str, str]] = {
    "零售药店": ("retail", "Retail pharmacies"), "药品使用单位": ("users", "Drug-using institutions"),
    "药品网络销售单位": ("online", "Online drug sellers"), "药品批发企业": ("wholesale", "Wholesalers"),
    "医疗器械经营企业": ("device_sellers", "Medical device sellers"), "化妆品经营者": ("cosmetic_sellers", "Cosmetics sellers"),
    "检查": ("inspected", "Units inspected"), "发现违规": ("violating", "Units found in violation"),
    "发现问题": ("problems", "Problems found"), "完成整改": ("rectified", "Units rectified"),
    "立案": ("cases", "Cases opened"), "罚没款": ("fines", "Fines and confiscations"),
    "吊销": ("revoked", "Licences revoked"), "罚款": ("fines", "Fines"), "排查": ("checked", "Checked"),
    "发现隐患": ("hazards", "Hazards found"), "移送公安": ("police", "Cases referred to police"),
    "案情概述": ("overview", "Case overview"), "查办结果": ("result", "Outcome"),
    "基本情况": ("basic", "Overview"), "主要工作进展": ("progress", "Main progress"), "工作亮点": ("highlights", "Highlights"),
    "意见建议": ("suggestions", "Suggestions"), "存在问题": ("problems", "Problems"), "下步打算": ("plans", "Next steps"),
    "工作开展情况": ("work", "Work done"), "取得成效": ("results", "Results"), "主要做法": ("practice", "Practice"),
    "下一步工作打算": ("plans", "Next steps"), "医疗机构": ("clinics", "Medical institutions"), "整改": ("rectified", "Rectified"),
    "其他": ("other", "Other"),
}
_UNIT = re.compile(r"[（(]\s*(家次|人次|批次|家|件|个|人|次|户|份|场|项|处|起|批|吨|台|所|名|万元|元)\s*[)）]\s*$")
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+、\s*")
_SINCE = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]\s*起累计")


def _label(text: str) -> str:
    """A cell or heading as a label: spaces out, brackets full-width (检查单位数量（家）)."""
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def _named(label: str, used: set[str], fallback: str) -> tuple[str, str | None, str]:
    """(key, short name, English label) for a label; the key is unique among `used`."""
    bare = _ORDINAL.sub("", _UNIT.sub("", _label(label)))
    word = next((w for w in sorted(_WORDS, key=len, reverse=True) if w in bare), None)
    key, english = _WORDS[word] if word else (fallback, "")
    while key in used:
        key += "_2"
    used.add(key)
    return key, word, english or fallback.replace("_", " ").capitalize()


def _table(a: Attachment) -> dict[str, Any]:
    used: set[str] = set()
    rows = []
    for i, name in enumerate(n for n in (_label(r) for r in a.rows) if n and not re.fullmatch(r"合计|总计|小计", n)):
        key, _, english = _named(name, used, f"row_{i + 1}")
        rows.append({"key": key, "label": name, "label_en": english})
    columns = []
    for i, raw in enumerate(n for n in (_label(c) for c in a.columns) if not re.fullmatch(r"合计|总计|小计", n)):
        key, word, english = _named(raw, used, f"column_{i + 1}")
        unit = _UNIT.search(raw)
        column: dict[str, Any] = {"key": key, "label": raw, "label_en": english}
        if word:
            column["short"] = word
        if unit and unit[1] in ("万元", "元"):
            column.update(kind="amount", decimals=2)
        if unit:
            column["unit"] = unit[1]
        columns.append(column)
    shorts = {c.get("short") for c in columns}
    checks = [f"{small} <= {big}" for small, big in (("发现违规", "检查"), ("完成整改", "发现违规"), ("完成整改", "发现问题"), ("整改", "发现隐患")) if {small, big} <= shorts]
    table: dict[str, Any] = {"title": a.title, "rows": rows, "columns": columns, "checks": [*checks, ">= 0"]}
    note = next((n for n in a.notes if n.lstrip().startswith("注")), None)
    since = next((m for n in a.notes if (m := _SINCE.search(normalise_width(n)))), None)
    if since:
        table.update(cumulative=True, since=date(int(since[1]), int(since[2]), int(since[3])))
    if note:  # as the notice prints it
        table["note"] = next((line.strip() for line in a.lines if re.sub(r"\s+", "", line) == re.sub(r"\s+", "", note)), note.strip())
    return table


def _case(a: Attachment) -> list[dict[str, Any]]:
    used = {"title"}
    fields: list[dict[str, Any]] = [{"key": "title", "kind": "text", "label": "案件名称", "label_en": "Case name", "max_length": 200}]
    for i, heading in enumerate(a.headings):
        key, _, english = _named(heading, used, f"section_{i + 1}")
        fields.append({"key": key, "kind": "text", "label": _label(heading), "label_en": english})
    notes = re.sub(r"\s+", "", "".join([*a.notes, *a.lines]))  # its 报送要求, lines broken anywhere
    if "处罚决定书" in notes:
        police = "是否移送公安司法机关" if "公安司法" in notes else "是否移送公安机关"
        fields += [
            {"key": "decided_on", "kind": "date", "label": "处罚决定日期", "label_en": "Decision date"},
            {"key": "fine", "kind": "amount", "label": "罚没款金额", "label_en": "Fine and confiscation", "unit": "元",
             "unit_en": "yuan", "decimals": 2, "optional": True},
            {"key": "police", "kind": "yes_no", "label": police, "label_en": "Referred to the police"},
            {"key": "decision_file", "kind": "file", "label": "行政处罚决定书", "label_en": "Penalty decision",
             "types": ["PDF", "JPEG", "PNG", "DOC", "DOCX"], "optional_if": "police"},
        ]
    return fields


def _summary(a: Attachment) -> list[dict[str, Any]]:
    used: set[str] = set()
    out = []
    for i, heading in enumerate(a.headings):
        key, _, english = _named(heading, used, f"section_{i + 1}")
        out.append({"key": key, "kind": "section", "label": _label(heading), "label_en": english})
    return out


def declaration(template: str, a: Attachment | None) -> dict[str, Any] | None:
    """The form of a report of `template` drawn from its 附件, or None (the template's shipped form applies)."""
    if a is None:
        return None
    form: dict[str, Any]
    if template == "statistics" and a.rows and a.columns:
        form = {"table": _table(a)}
    elif template == "case" and a.headings:
        form = {"fields": _case(a)}
    elif template == "summary" and a.headings:
        form = {"whole_file": ["PDF", "DOC", "DOCX"], "fields": _summary(a)}
    else:
        return None
    try:
        Form.model_validate(form)
    except ValidationError:
        return None
    return form
