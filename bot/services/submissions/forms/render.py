"""Render a submission as the coordinator will see it (HTML, user text escaped)."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from bot.config import TemplateKind
from bot.forms_config import Form, FormField
from bot.services.submissions.forms import SUMMARY_SECTIONS, Kind, Step, default_form, steps_of
from bot.services.submissions.forms.validators import format_yuan
from bot.texts.catalog import t

_WEEKDAYS_ZH = "一二三四五六日"


def format_day(day: date | str, language: str) -> str:
    """A full date with its weekday: 2023年8月10日（星期四） / Thu 10 Aug 2023."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    if language == "zh-CN":
        return f"{d.year}年{d.month}月{d.day}日（星期{_WEEKDAYS_ZH[d.weekday()]}）"
    return d.strftime("%a %d %b %Y")


def plain_day(day: date, language: str) -> str:
    """A date without its weekday: 2023年7月1日 / 1 July 2023."""
    return f"{day.year}年{day.month}月{day.day}日" if language == "zh-CN" else f"{day.day} {day.strftime('%B %Y')}"


def _value(st: Step, form: Form, value: Any, language: str) -> str:
    f = st.field
    if st.kind is Kind.DATE:
        return html.escape(format_day(value, language))
    if st.kind is Kind.AMOUNT:
        if value is None:
            return t(language, "submissions.preview.none")
        if f is not None and f.unit == "元":
            return html.escape(format_yuan(value))
        return html.escape(f"{value}{_unit(f, language)}")
    if st.kind is Kind.WHOLE:
        return html.escape(f"{value}{_unit(f, language)}") if value is not None else t(language, "submissions.preview.none")
    if st.kind is Kind.YES_NO:
        return t(language, "submissions.button.yes" if value else "submissions.button.no")
    if st.kind is Kind.CHOICE and f is not None:
        option = next((o for o in f.options if o.key == value), None)
        return html.escape(option.name(language) if option is not None else str(value))
    if st.kind is Kind.STATS_ROW and form.table is not None:
        return "\n".join(f"  {c.name(language)}: {html.escape(str(value.get(c.key, '')))}" for c in form.table.columns)
    return html.escape(str(value))


def _unit(f: FormField | None, language: str) -> str:
    if f is None or not f.unit:
        return ""
    return f.unit if language == "zh-CN" or not f.unit_en else f" {f.unit_en}"


def body(template: str, kind: str, values: dict[str, Any], file_names: dict[str, list[str]], language: str, form: Form | None = None) -> str:
    """The fields of a submission, labelled, user text escaped (`form`: the report's; default its template's)."""
    form = form or default_form(template)
    lines: list[str] = []
    if kind == "zero":
        return t(language, "submissions.preview.zero")
    as_file = bool(values.get("as_file"))
    if as_file:
        lines.append(t(language, "submissions.preview.summary-file"))
    elif template == TemplateKind.CONFIRMATION:
        lines.append(t(language, "submissions.preview.confirmed"))
    for st in steps_of(form) if not as_file else ():
        if st.key in values and st.kind is not Kind.FILE:
            value = values[st.key]
            if st.kind is Kind.NOTE and not value:
                continue
            assert form is not None
            lines.append(f"<b>{html.escape(st.label(language))}</b>")
            lines.append(_value(st, form, value, language))
    names = [n for group in file_names.values() for n in group]
    if names:
        lines.append(f"<b>{t(language, 'submissions.preview.files')}</b>")
        lines.extend(f"📎 {html.escape(n)}" for n in names)
    else:
        for st in steps_of(form):
            if st.kind is Kind.FILE:  # a file the form asks for, not sent (the 决定书 of a case referred to police)
                lines.append(f"<b>{html.escape(st.label(language))}</b>")
                lines.append(t(language, "submissions.preview.none"))
    return "\n".join(lines)


def summary_complete(values: dict[str, Any], form: Form | None = None) -> bool:
    """Every section answered, or the whole summary sent as one file."""
    keys = [f.key for f in form.fields] if form is not None else list(SUMMARY_SECTIONS)
    return bool(values.get("as_file")) or all(k in values for k in keys)


