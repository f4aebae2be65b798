"""A `Draft` written as a config file: every value line ends with a comment quoting its sentence
(or saying it is a default), and a `# TODO:` line above each value the notice left open."""

from __future__ import annotations

import json
from datetime import date, time

from bot.services.drafting.forms import declaration
from bot.services.drafting.model import Draft, ReportDraft, Source

DEFAULT = "not in the notice: the project's default"
REMINDERS = {"weekly": ["0d@09:00", "+1d@09:00"], "any_time": []}
DEFAULT_REMINDERS = ["-3d@09:00", "-1d@09:00", "0d@09:00", "+1d@09:00"]
_EN_KIND = {"case": "Typical cases", "summary": "Work summary", "liaison": "Liaison officer form", "statistics": "Statistics",
            "confirmation": "Confirmation", "free": "Report"}


def value(v: object) -> str:
    """A TOML value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON's escapes are TOML's
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def _comment(text: str) -> str:
    return " ".join(text.split())


def line(key: str, v: object, source: Source | str) -> list[str]:
    """`key = value  # 「quote」`, with a `# TODO:` line above when the source has one."""
    src = Source(source) if isinstance(source, str) else source
    out = [f"# TODO: {_comment(src.todo)}"] if src.todo else []
    said = f"「{_comment(src.quote)}」" if src.quote and not src.quote.startswith(("not in", "the notice", "(")) else _comment(src.quote)
    out.append(f"{key} = {value(v)}  # {said}")
    return out


def _schedule(r: ReportDraft) -> dict[str, object]:
    if r.kind == "monthly":
        return {"kind": "monthly", "day": r.day, "covers": r.covers if r.day != 31 else "current_month"}
    if r.kind in ("quarterly", "half_yearly", "yearly"):
        s: dict[str, object] = {"kind": r.kind}
        if r.days_after is not None:
            s["days_after"] = r.days_after
        else:
            s["day"] = r.day
            if r.month is not None:
                s["month"] = r.month
        return s
    if r.kind == "weekly":
        return {"kind": "weekly", "weekday": r.weekday or "fri"}
    if r.kind == "once":
        return {"kind": "once", "date": r.dates[0].day, "label": r.dates[0].label}
    return {"kind": "any_time"}


def _form(r: ReportDraft) -> list[str]:
    """The 附件's form as comments, when it is not declared (a liaison form, a table without rows): sections, fields, table."""
    a = r.attachment
    if a is None:
        return []
    out = [f"# form: 附件{a.number} 「{a.title}」"]
    if a.headings:
        out.append(f"#   sections: {' / '.join(a.headings)}")
    if a.fields:
        out.append(f"#   fields: {' / '.join(a.fields)}")
    if a.rows or a.columns:
        out.append(f"#   table: {len(a.rows)} rows × {len(a.columns)} columns")
        out.append(f"#   rows = {value(a.rows)}")
        out.append(f"#   columns = {value(a.columns)}")
    out.extend(f"#   「{_comment(n)}」" for n in a.notes)
    return out


def _declared(r: ReportDraft) -> list[str]:
    """`[report_types.form]` drawn from the report's 附件 (`drafting.forms`), each line quoting where it came from."""
    a = r.attachment
    form = declaration(r.template, a)
    if form is None or a is None:
        return []
    whence = f"「附件{a.number} {_comment(a.title)}」"
    out = ["", "[report_types.form]"] if "fields" in form else []
    if "whole_file" in form:
        out.append(f"whole_file = {value(form['whole_file'])}  # {whence}: or the whole summary as one file (the bot's default)")
    if "fields" in form:
        out.append(f"fields = [  # {whence}")
        for f in form["fields"]:
            said = f"「{f['label']}」" if f["label"] in a.headings else (
                "「如已作出行政处罚，附《行政处罚决定书》」" if f["key"] in ("decided_on", "fine", "police", "decision_file") else DEFAULT)
            if f["label_en"].startswith(("Section ", "Row ", "Column ")):
                out.append("    # TODO: an English label for the interface")
            out.append(f"    {value(f)},  # {said}")
        out.append("]")
    table = form.get("table")
    if table:
        out += ["", "[report_types.form.table]"]
        for name in ("title", "cumulative", "since", "note"):
            if name in table:
                out.append(f"{name} = {value(table[name])}  # {whence}")
        out += line("checks", table["checks"], Source(DEFAULT, "checks between columns are the usual ones of such tables: review them"))
        for part in ("rows", "columns"):
            out.append(f"{part} = [  # {whence}")
            for item in table[part]:
                if item["label_en"].startswith(("Row ", "Column ")):
                    out.append("    # TODO: an English label for the interface")
                out.append(f"    {value(item)},  # 「{item['label']}」")
            out.append("]")
    return out


def _report(r: ReportDraft, draft: Draft) -> list[str]:
    s = r.sources
    out = ["", "[[report_types]]"]
    out += [f"# {_comment(c)}" for c in r.comments] + ([] if declaration(r.template, r.attachment) else _form(r))
    out += line("key", r.key, s["key"].quote)
    out += line("title", r.title, s["title"])
    out += line("title_en", _EN_KIND.get(r.template, "Report"), "not in the notice: an English title for the interface")
    out += line("template", r.template, s["template"])
    if r.attachment is not None:
        out += line("attachment", f"附件{r.attachment.number}", f"附件{r.attachment.number}：{r.attachment.title}")
    if r.owed_by:
        out += line("owed_by", r.owed_by, s["owed_by"])
    if r.min_items is not None:
        out += line("min_items", r.min_items, s["min_items"])
    if r.max_items is not None:
        out += line("max_items", max(r.max_items, r.min_items or 1), s.get("max_items", Source(DEFAULT)))
    if r.kind != "any_time":
        if r.holiday_rule is not None and r.holiday_rule != draft.holiday_rule:  # a day assumed by convention (settle)
            out += line("holiday_rule", r.holiday_rule, Source("not in the notice", "an assumed day is moved off weekends and holidays"))
        else:
            out += line("holiday_rule", draft.holiday_rule, draft.holiday_source)
        out += line("reminders", REMINDERS.get(r.kind, DEFAULT_REMINDERS), DEFAULT + " reminders")
    if r.due_time is not None:
        out += line("due_time", r.due_time, s["due_time"])
    schedule_source = s.get("schedule") or s.get("title") or Source(DEFAULT)
    if r.kind == "fixed":
        out += ["", "[report_types.schedule]"]
        out += line("kind", "fixed", schedule_source)
        out.append(f"dates = [  # {'one' if len(r.dates) == 1 else len(r.dates)} dated deadline(s), each quoted below")
        for d in r.dates:
            if d.source.todo:
                out.append(f"    # TODO: {_comment(d.source.todo)}")
            out.append(f"    {value({'date': d.day, 'label': d.label})},  # 「{_comment(d.source.quote)}」")
        out.append("]")
    else:
        if r.kind == "once":
            schedule_source = Source(r.dates[0].source.quote, s["schedule"].todo if "schedule" in s else None)
        out += line("schedule", _schedule(r), schedule_source)
    return out + _declared(r)


def render(draft: Draft, source_name: str) -> str:
    """The config file text."""
    c = draft.campaign
    out = [
        f"# Draft campaign configuration read from {_comment(source_name)} by `liaison-bot draft-config`.",
        "# Review every line: each comment quotes the sentence of the notice a value came from; a `# TODO:`",
        "# line marks what the notice leaves open, and the value under it is the likeliest reading.",
        "# Check it with `liaison-bot check-config FILE` and `liaison-bot deadlines --config FILE`.",
        "",
        *line("language", "zh-CN", DEFAULT + ": Chinese interface"),
        "",
        "[campaign]",
        *line("name", c.name, c.name_source),
        *line("timezone", "Asia/Shanghai", DEFAULT + ": China's time zone"),
        *line("start", c.start, c.start_source),
        *line("end", c.end, c.end_source),
    ]
    for u in draft.units:
        out += ["", "[[units]]"]
        out += line("code", u.code, Source(u.source.quote, u.source.todo))
        out += line("name", u.name, u.source.quote)
        out += line("tags", list(u.tags), u.source.quote)
    for a in draft.sections.values():
        if a.kind == "tasks" and a.responsible:
            out += ["", f"# 附件{a.number} 「{a.title}」 names these 责任单位 (units above, or to add): " + "；".join(a.responsible)]
    if not draft.reports:
        out += ["", "# TODO: no reporting deadline was found in the notice; add the report types by hand"]
    for r in draft.reports:
        out += _report(r, draft)
    return "\n".join(out) + "\n"
