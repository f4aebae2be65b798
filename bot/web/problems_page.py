"""The problem list page (问题清单): filters by unit, status and overdue; red for overdue, yellow for due soon."""

from __future__ import annotations

from bot.services.dashboard.login import Viewer
from bot.services.dashboard.problems import STATUSES, ProblemsPage, SHOWN
from bot.texts.catalog import t
from bot.web.html import e, frame


def _option(value: object, label: str, chosen: bool) -> str:
    return f'<option value="{e(value)}"{" selected" if chosen else ""}>{e(label)}</option>'


def problems_page(viewer: Viewer, p: ProblemsPage) -> str:
    """The viewer's problems kept by the filters, earliest deadline first."""
    lang = viewer.language
    units = _option("", t(lang, "web.problems.all-units"), p.unit_id is None) + "".join(_option(uid, name, uid == p.unit_id) for uid, name in p.units)
    statuses = "".join(_option(s, t(lang, f"web.problems.status.{s}"), s == p.status) for s in STATUSES)
    filters = (
        f'<form method="get" action="/problems"><nav class="filters">'
        f'<label>{t(lang, "web.problems.unit")} <select name="unit" id="unit">{units}</select></label>'
        f'<label>{t(lang, "web.problems.status-filter")} <select name="status" id="status">{statuses}</select></label>'
        f'<label><input type="checkbox" name="overdue" value="1" id="overdue"{" checked" if p.overdue else ""}> {t(lang, "web.problems.overdue-only")}</label>'
        f'<button type="submit" id="show">{t(lang, "web.matrix.show")}</button></nav></form>'
    )
    legend = (
        f'<p id="legend"><span class="pill overdue">{t(lang, "web.problems.overdue")}</span> '
        f'<span class="pill due_soon">{t(lang, "web.problems.due-soon")}</span> '
        f'<span id="problem-counts">{t(lang, "web.problems.counts", count=p.total, overdue=p.overdue_total)}</span></p>'
    )
    columns = ("number", "unit", "description", "source", "severity", "responsible", "due", "status")
    head = "".join(f"<th>{t(lang, f'web.problems.col.{c}')}</th>" for c in columns)
    rows = []
    for line in p.lines:
        problem = line.row.problem
        rows.append(
            f'<tr class="{e(line.urgency)}" data-number="{problem.number}" data-urgency="{e(line.urgency)}"><td>№{problem.number}</td>'
            f'<td><a href="/unit/{problem.unit_id}">{e(line.row.unit_name)}</a></td><td>{e(problem.description)}</td><td>{e(problem.source)}</td>'
            f'<td>{e(problem.severity)}</td><td>{e(problem.responsible)}</td><td>{e(line.due)}</td>'
            f'<td>{t(lang, f"problems.status.{problem.status.value}")}</td></tr>'
        )
    table = (f'<table id="problems"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
             if rows else f'<p id="no-problems">{t(lang, "web.problems.none")}</p>')
    more = f'<p>{t(lang, "web.problems.more", shown=SHOWN)}</p>' if p.total > len(p.lines) else ""
    body = f'<p><a href="/">{t(lang, "web.back")}</a></p><h2>{t(lang, "web.problems.title")}</h2>{filters}{legend}{table}{more}'
    return frame(lang, t(lang, "web.problems.title"), body, who=viewer.name, csrf=viewer.csrf)
