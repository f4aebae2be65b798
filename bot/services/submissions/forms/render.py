"""Render a submission as the coordinator will see it (HTML, user text escaped)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from bot.config import TemplateKind
from bot.services.submissions.forms import SUMMARY_SECTIONS, steps_of
from bot.services.submissions.forms.statistics import CATEGORIES, COLUMNS
from bot.services.submissions.forms.validators import format_yuan
from bot.texts.catalog import t

_WEEKDAYS_ZH = "一二三四五六日"


def format_day(day: date | str, language: str) -> str:
    """A full date with its weekday: 2023年8月10日（星期四） / Thu 10 Aug 2023."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    if language == "zh-CN":
        return f"{d.year}年{d.month}月{d.day}日（星期{_WEEKDAYS_ZH[d.weekday()]}）"
    return d.strftime("%a %d %b %Y")


def field_label(template: str, key: str, language: str) -> str:
    """The name of a form field (案件名称, 零售药店 …)."""
    if key.startswith("row_"):
        category = next(c for c in CATEGORIES if c.key == key.removeprefix("row_"))
        return category.name(language)
    return t(language, f"submissions.field.{key}")


def _value(template: str, key: str, value: Any, language: str) -> str:
    if key == "decided_on":
        return html.escape(format_day(value, language))
    if key == "fine":
        return html.escape(format_yuan(value)) if value is not None else t(language, "submissions.preview.none")
    if key == "police":
        return t(language, "submissions.button.yes" if value else "submissions.button.no")
    if key.startswith("row_"):
        return "\n".join(f"  {c.name(language)}: {html.escape(str(value.get(c.key, '')))}" for c in COLUMNS)
    return html.escape(str(value))


def body(template: str, kind: str, values: dict[str, Any], file_names: dict[str, list[str]], language: str) -> str:
    """The fields of a submission, labelled, user text escaped."""
    lines: list[str] = []
    if kind == "zero":
        return t(language, "submissions.preview.zero")
    if template == TemplateKind.SUMMARY and values.get("as_file"):
        lines.append(t(language, "submissions.preview.summary-file"))
    elif template == TemplateKind.CONFIRMATION:
        lines.append(t(language, "submissions.preview.confirmed"))
    for step in steps_of(template):
        if template == TemplateKind.SUMMARY and values.get("as_file"):
            break
        if step.key in values and step.key != "decision_file":
            value = values[step.key]
            if step.key in ("note", "content") and not value:
                continue
            lines.append(f"<b>{html.escape(field_label(template, step.key, language))}</b>")
            lines.append(_value(template, step.key, value, language))
    names = [n for group in file_names.values() for n in group]
    if names:
        lines.append(f"<b>{t(language, 'submissions.preview.files')}</b>")
        lines.extend(f"📎 {html.escape(n)}" for n in names)
    elif template == TemplateKind.CASE:
        lines.append(f"<b>{t(language, 'submissions.field.decision_file')}</b>")
        lines.append(t(language, "submissions.preview.none"))
    return "\n".join(lines)


def summary_complete(values: dict[str, Any]) -> bool:
    return bool(values.get("as_file")) or all(k in values for k in SUMMARY_SECTIONS)


