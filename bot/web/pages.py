"""The dashboard's pages as HTML, from the records of `bot.services.dashboard`."""

from __future__ import annotations

from typing import Any

from bot.services.dashboard.filing import FilingPage
from bot.services.dashboard.login import Viewer
from bot.services.dashboard.matrix import STATES, Matrix
from bot.services.dashboard.unit import UnitPage
from bot.services.deadlines.reports import report_title
from bot.texts.catalog import t
from bot.web.html import csrf_field, e, frame, state_pill, url, when


def login_page(language: str, token: str) -> str:
    """The page a login link opens: one button, so a link previewer fetching the URL does not use it up."""
    body = (
        f'<p>{t(language, "web.login.prompt")}</p>'
        f'<form method="post" action="/login/{e(token)}"><button type="submit" id="login">{t(language, "web.login.button")}</button></form>'
    )
    return frame(language, t(language, "web.login.title"), body)


def _flash(flash: str | None) -> str:
    # The flash is Telegram HTML made by the review service from escaped parts (or a catalog text).
    return f'<div class="msg" id="flash">{flash}</div>' if flash else ""


def matrix_page(viewer: Viewer, m: Matrix, *, flash: str | None = None, problems: bool = False) -> str:
    """Units × periods of one report, with the counts per period and a filter by report and tag."""
    lang = viewer.language
    reports = "".join(
        f'<option value="{e(r.key)}"{" selected" if r.key == m.report.key else ""}>{e(report_title(r, lang))}</option>' for r in m.reports
    )
    tags = f'<option value="">{t(lang, "web.matrix.all-tags")}</option>' + "".join(
        f'<option value="{e(tag)}"{" selected" if tag == m.tag else ""}>{e(tag)}</option>' for tag in m.tags
    )
    levels = f'<option value="">{t(lang, "web.matrix.all-levels")}</option>' + "".join(
        f'<option value="{uid}"{" selected" if uid == m.level else ""}>{e(name)}</option>' for uid, name in m.levels
    )
    level_filter = f'<label>{t(lang, "web.matrix.level")} <select name="level" id="level">{levels}</select></label>' if m.levels else ""
    filters = (
        f'<form method="get" action="/"><nav class="filters"><label>{t(lang, "web.matrix.report")} <select name="report" id="report">{reports}</select></label>'
        f'<label>{t(lang, "web.matrix.tag")} <select name="tag" id="tag">{tags}</select></label>{level_filter}'
        f'<button type="submit" id="show">{t(lang, "web.matrix.show")}</button></nav></form>'
    )
    legend = " ".join(f'{state_pill(lang, s)} <b id="total-{s}">{m.totals.get(s, 0)}</b>' for s in STATES)
    head = f'<th>{t(lang, "web.matrix.unit")}</th>' + "".join(f'<th>{e(p.label)}</th>' for p in m.periods)
    count_rows = "".join(
        f'<tr class="counts"><th>{t(lang, f"web.state.{s}")}</th>' + "".join(f'<td class="s">{p.counts.get(s, 0)}</td>' for p in m.periods) + "</tr>"
        for s in STATES
    )
    rows = []
    for u in m.units:
        cells = []
        for p in m.periods:
            found = m.cells.get((u.id, p.item.id or 0))
            if found is None:
                cells.append("<td></td>")
                continue
            state, _ = found
            cells.append(f'<td class="s {e(state)}" data-state="{e(state)}">{t(lang, f"web.state.{state}")}</td>')
        rows.append(f'<tr data-unit="{e(u.code)}"><td><a href="/unit/{u.id}">{e(u.name)}</a></td>{"".join(cells)}</tr>')
    first = m.page * 100 + 1 if m.units else 0
    pager = t(lang, "web.matrix.counts", units=m.total_units, first=first, last=first + len(m.units) - 1 if m.units else 0)
    if m.pages > 1:
        links = []
        if m.page > 0:
            links.append(f'<a href="{e(url("/", report=m.report.key, tag=m.tag, level=m.level, page=m.page - 1))}">{t(lang, "web.matrix.prev")}</a>')
        links.append(t(lang, "web.matrix.page", page=m.page + 1, pages=m.pages))
        if m.page + 1 < m.pages:
            links.append(f'<a id="next" href="{e(url("/", report=m.report.key, tag=m.tag, level=m.level, page=m.page + 1))}">{t(lang, "web.matrix.next")}</a>')
        pager += " · " + " ".join(links)
    body = (
        _flash(flash) + (f'<p><a id="problems-link" href="/problems">{t(lang, "web.problems.link")}</a></p>' if problems else "")
        + filters + f'<p id="legend">{legend}</p><p>{pager}</p>'
        + f'<table id="matrix"><thead><tr>{head}</tr></thead><tbody>{count_rows}{"".join(rows)}</tbody></table>'
        + _downloads(viewer, m.report.key)
    )
    return frame(lang, t(lang, "web.title"), body, who=viewer.name, csrf=viewer.csrf)


def _downloads(viewer: Viewer, report_key: str) -> str:
    lang = viewer.language
    return (
        f'<section id="downloads"><h3>{t(lang, "web.download.title")}</h3><p><a id="export-workbook" href="/export/workbook">{t(lang, "web.download.workbook")}</a></p>'
        f'<p><a id="export-chart" href="{e(url("/export/chart", report=report_key))}">{t(lang, "web.download.chart")}</a></p>'
        f'<form method="get" action="/export/compile"><input name="period" placeholder="{t(lang, "web.download.period")}">'
        f' <button type="submit" id="export-compile">{t(lang, "web.download.compile")}</button></form></section>'
    )


def unit_page(viewer: Viewer, p: UnitPage, tz: Any) -> str:
    """A unit's liaisons (with phones), filings with every version and file, and its reminders."""
    lang = viewer.language
    fields = ("name", "department", "job", "office", "mobile", "email")
    head = "".join(f"<th>{t(lang, f'web.unit.{f}')}</th>" for f in fields)
    liaisons = []
    for ul in p.liaisons:
        person = ul.person
        role = t(lang, "web.unit.role-primary" if ul.role.value == "primary" else "web.unit.role-backup")
        reach = t(lang, "web.unit.reachable" if person.reachable else "web.unit.unreachable")
        values = (person.name or person.first_name, person.department, person.title, person.office_phone, person.mobile, person.email)
        liaisons.append(f'<tr><td>{role}</td>{"".join(f"<td>{e(v)}</td>" for v in values)}<td>{reach}</td></tr>')
    liaison_table = (
        f'<table id="liaisons"><tr><th></th>{head}<th></th></tr>{"".join(liaisons)}</table>' if liaisons else f'<p>{t(lang, "web.unit.none")}</p>'
    )
    lines = []
    for line in p.obligations:
        versions = []
        for f in line.entry.filings:
            s = f.submission
            files = " ".join(f'<a href="/file/{a.id}">📎 {e(a.file_name or "file")}</a>' for a in f.attachments)
            versions.append(
                f'<div><a href="/filing/{s.id}">{t(lang, "web.unit.item", item=s.item_no, version=s.version)}</a> '
                f'{when(s.submitted_at, tz)} · {e(f.person_name)} · {t(lang, f"web.submission.status.{s.status.value}")} {files}</div>'
            )
        lines.append(
            f'<tr><td>{e(line.report_title)}</td><td>{e(line.period)}</td><td>{when(line.entry.due_item.due_at, tz)}</td>'
            f'<td class="s {e(line.state)}">{t(lang, f"web.state.{line.state}")}</td><td>{"".join(versions)}</td></tr>'
        )
    filings = (
        f'<table id="filings"><tr><th>{t(lang, "web.matrix.report")}</th><th></th><th>{t(lang, "web.unit.deadline")}</th>'
        f'<th>{t(lang, "web.unit.state")}</th><th>{t(lang, "web.unit.versions")}</th></tr>{"".join(lines)}</table>'
    )
    sent = []
    for r in p.reminders:
        row = r.row
        sent.append(
            f'<tr><td>{when(row.sent_at or row.created_at, tz)}</td><td>{e(r.person_name)}</td><td>{t(lang, f"web.reminder.kind.{row.kind.value}")}</td>'
            f'<td>{e(r.period_label or "")}</td><td>{t(lang, f"web.reminder.status.{row.status.value}")}</td><td>{row.attempts}</td></tr>'
        )
    reminders = (
        f'<table id="reminders"><tr><th>{t(lang, "web.unit.when")}</th><th>{t(lang, "web.unit.sent-to")}</th><th>{t(lang, "web.unit.kind")}</th>'
        f'<th></th><th>{t(lang, "web.unit.fate")}</th><th>{t(lang, "web.unit.attempts")}</th></tr>{"".join(sent)}</table>'
        if sent else f'<p>{t(lang, "web.unit.no-reminders")}</p>'
    )
    body = (
        f'<p><a href="/">{t(lang, "web.back")}</a></p><h2 id="unit-name">{e(p.unit.name)} <small>{e(p.unit.code)}</small></h2>'
        f'<section><h3>{t(lang, "web.unit.liaisons")}</h3>{liaison_table}</section>'
        f'<section><h3>{t(lang, "web.unit.filings")}</h3>{filings}</section>'
        f'<section><h3>{t(lang, "web.unit.reminders")}</h3>{reminders}</section>'
    )
    return frame(lang, p.unit.name, body, who=viewer.name, csrf=viewer.csrf)


def filing_page(viewer: Viewer, p: FilingPage, tz: Any, *, flash: str | None = None) -> str:
    """The filing as the coordinator sees it in chat, its files and versions, and accept / return."""
    lang = viewer.language
    s = p.submission
    files = "".join(f'<li><a class="file" href="/file/{a.id}">📎 {e(a.file_name or "file")}</a></li>' for a in p.attachments)
    versions = "".join(
        f'<li><a href="/filing/{v.id}">v{v.version}</a> {when(v.submitted_at, tz)} · {t(lang, f"web.submission.status.{v.status.value}")}</li>'
        for v in p.versions
    )
    status = f'<p id="status">{t(lang, "web.filing.reviewed", status=t(lang, f"web.submission.status.{s.status.value}"))}</p>'
    if s.review_comment:
        status += f'<p>{t(lang, "web.filing.comment-was", comment=s.review_comment)}</p>'
    actions = ""
    if p.can_review:
        actions = (
            f'<form method="post" action="/filing/{s.id}/accept" class="inline">{csrf_field(viewer.csrf)}'
            f'<button type="submit" id="accept">{t(lang, "web.filing.accept")}</button></form>'
            f'<form method="post" action="/filing/{s.id}/return">{csrf_field(viewer.csrf)}'
            f'<p><label>{t(lang, "web.filing.comment")}<br><textarea name="comment" id="comment" maxlength="2000"></textarea></label></p>'
            f'<button type="submit" id="return">{t(lang, "web.filing.return")}</button></form>'
        )
    body = (
        _flash(flash) + f'<p><a href="/">{t(lang, "web.back")}</a> · <a href="/unit/{s.unit_id}">{e(p.unit_name)}</a></p>'
        f'<h2>{t(lang, "web.filing.title")}</h2><div class="preview" id="preview">{p.preview}</div>{status}'
        f'<section><h3>{t(lang, "web.filing.files")}</h3>{f"<ul>{files}</ul>" if files else t(lang, "web.filing.no-files")}</section>'
        f'<section><h3>{t(lang, "web.filing.versions")}</h3><ul>{versions}</ul></section>{actions}'
    )
    return frame(lang, t(lang, "web.filing.title"), body, who=viewer.name, csrf=viewer.csrf)
