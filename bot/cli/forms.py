"""`liaison-bot forms [--config F] [--json]` and `liaison-bot template REPORT [--config F] -o X.xlsx`.

`forms` prints each report type's form as a coordinator reads it (declared in the config, or the
template's shipped one); `template` writes the blank workbook of a report's table (附件1) that
liaisons fill and upload.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError, ReportType, load_config
from bot.forms_config import Form, FormField


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the two subcommands."""
    f = sub.add_parser("forms", help="print every report type's form (fields, table and checks) as a coordinator reads it")
    f.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
    f.add_argument("--json", action="store_true", help="the declarations as JSON")
    f.set_defaults(func=run_forms)
    t = sub.add_parser("template", help="write the blank Excel workbook of a report's table (附件1) that liaisons fill")
    t.add_argument("report", help="the report type's key (see `liaison-bot forms`)")
    t.add_argument("-o", "--out", required=True, type=Path, metavar="FILE.xlsx")
    t.add_argument("--config", default=None, help="config file (default: the project's config.toml)")
    t.set_defaults(func=run_template)


def _load(path: str | None) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as e:
        print(f"{e.path}: {len(e.problems)} problem(s):", file=sys.stderr)
        for problem in e.problems:
            print(f"  - {problem}", file=sys.stderr)
        return None


def _form(report: ReportType) -> Form | None:
    from bot.services.submissions.forms import form_of

    return form_of(report)


def _field_line(f: FormField) -> str:
    limits: list[str] = []
    if f.kind in ("text", "section"):
        limits.append(f"{f.min_length}–{f.max_length} 字")
    if f.kind == "whole":
        limits.append(f"{'≥ 0' if f.min is None else f.min}{'' if f.max is None else f'–{f.max}'}{f.unit or ''}")
    if f.kind == "amount":
        limits.append(f"{f.unit}，{f.decimals} 位小数")
    if f.kind == "choice":
        limits.append(" / ".join(o.label for o in f.options))
    if f.types:
        limits.append(", ".join(f.types))
    if f.optional:
        limits.append("可跳过")
    if f.optional_if:
        limits.append(f"{f.optional_if} 为“是”时可跳过")
    extra = f"（{'；'.join(limits)}）" if limits else ""
    return f"    - {f.label} / {f.label_en} [{f.kind}]{extra}"


def describe(report: ReportType, form: Form | None) -> list[str]:
    """A report type's form as lines of text."""
    items = f"{report.min_items}–{report.max_items}" if report.max_items > 1 else str(report.min_items or 1)
    own = "declared" if report.form is not None else f"shipped '{report.template}'"
    lines = [f"{report.key}: {report.title} ({report.title_en or ''}) · {report.template} · {items} item(s) a period · form: {own}"]
    if form is None:
        lines.append("    (filed by registering: no form)")
        return lines
    lines += [_field_line(f) for f in form.fields]
    if form.whole_file:
        lines.append(f"    or the whole as one file: {', '.join(form.whole_file)}")
    if form.table is not None:
        table = form.table
        lines.append(f"    table: {table.title}")
        lines.append(f"      rows: {' / '.join(r.label for r in table.rows)}")
        lines.append(f"      columns: {' / '.join(c.label for c in table.columns)}")
        if table.checks:
            lines.append(f"      checks: {'; '.join(table.checks)}")
        if table.cumulative:
            since = f" since {table.since.isoformat()}" if table.since else ""
            lines.append(f"      cumulative{since}: never lower than the unit's previous filing unless confirmed")
    return lines


def run_forms(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 2
    if args.json:
        out: dict[str, Any] = {}
        for report in config.report_types:
            form = _form(report)
            out[report.key] = form.model_dump(mode="json", exclude_defaults=True) if form is not None else None
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for report in config.report_types:
        print("\n".join(describe(report, _form(report))))
    return 0


def run_template(args: argparse.Namespace) -> int:
    from bot.services.submissions.forms.workbook import blank_workbook

    config = _load(args.config)
    if config is None:
        return 2
    report = next((r for r in config.report_types if r.key == args.report), None)
    if report is None:
        print(f"no report type {args.report!r}; the report types: {', '.join(r.key for r in config.report_types)}", file=sys.stderr)
        return 2
    form = _form(report)
    if form is None or form.table is None:
        with_table = [r.key for r in config.report_types if (f := _form(r)) is not None and f.table is not None]
        print(f"report type {args.report!r} has no table to fill in a workbook; those with one: {', '.join(with_table) or 'none'}", file=sys.stderr)
        return 2
    args.out.write_bytes(blank_workbook(table=form.table))
    print(f"{args.out}: the blank {form.table.title} ({len(form.table.rows)} rows × {len(form.table.columns)} columns)")
    return 0
