"""Submissions by message (报送): choose what to file, answer the form step by step, preview, confirm.

The conversation is a draft (flow "submission") in the database, so a restart loses nothing.
Functions here return `Reply` objects (HTML text and buttons); handlers only send them.

For other flows (reminders): `begin(...)` starts a submission for an obligation,
`zero_preview(...)` shows a 零报告 to confirm, `file_zero_report(...)` files one directly.
Buttons: `sub|<obligation id>` starts a submission, `zero|<obligation id>` a zero report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from telegram import Bot

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.models import ObligationStatus, Submission, SubmissionKind, SubmissionStatus
from bot.services import files
from bot.services.access import Action, Roles
from bot.services.forms import FileGroup, Kind, Step, fileable, step, steps_of, validators
from bot.services.forms import statistics as stats
from bot.services.reports import find_report, report_of, report_title
from bot.services.forms.render import body, field_label, format_day, summary_complete
from bot.storage import due, submissions
from bot.storage.due import ObligationView
from bot.texts.catalog import t

FLOW = "submission"
ANY_PERIOD = "any"
WINDOW = timedelta(days=45)  # /due and /submit look this far ahead (and at everything overdue)


@dataclass(frozen=True)
class Btn:
    """A button to show: its label and the (signed by the handler) action and arguments."""

    label: str
    action: str
    args: tuple[str | int, ...] = ()


@dataclass
class Reply:
    """A message to send: HTML text, rows of buttons, and stored files to send after it."""

    text: str
    buttons: list[list[Btn]] = field(default_factory=list)
    attachment_ids: list[int] = field(default_factory=list)


class NotAllowed(Exception):
    """The user may not file for this unit or obligation."""


# --- what can be filed --------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """Something the user may file now: an obligation, or an any-time report of a unit."""

    label: str
    action: str
    args: tuple[str | int, ...]


def _report(services: Services, key: str) -> ReportType | None:
    return find_report(services, key)


def _unit_prefix(view: ObligationView, many: bool) -> str:
    return f"{view.unit.name} · " if many else ""


def choices(services: Services, roles: Roles, *, language: str, now: datetime) -> list[Choice]:
    """What the user's units have open (overdue or due within the window), then any-time reports."""
    units = roles.units()
    many = len(units) > 1
    out: list[Choice] = []
    with services.storage.session() as s:
        for unit_id in units:
            for view in due.open_obligations(s, unit_id=unit_id):
                report = _report(services, view.due_item.report_key)
                if report is None or not fileable(report.template) or view.due_item.period_key == ANY_PERIOD:
                    continue
                if view.due_item.due_at > now + WINDOW:
                    continue
                label = f"{_unit_prefix(view, many)}{report_title(report, language)} · {view.due_item.period_label}"
                out.append(Choice(label, "sub", (view.obligation.id or 0,)))
    with services.storage.session() as s:
        from bot.storage import units as unit_store

        for unit_id in units:
            unit = unit_store.get_unit(s, unit_id=unit_id)
            if unit is None:
                continue
            for report in services.config.report_types:
                if report.schedule.kind != "any_time" or not fileable(report.template):
                    continue
                if report.owed_by and not set(report.owed_by) & set(unit.tags):
                    continue
                prefix = f"{unit.name} · " if many else ""
                out.append(Choice(f"{prefix}{report_title(report, language)}", "subany", (report.key, unit_id)))
    return out


def any_time_obligation(services: Services, *, report_key: str, unit_id: int, now: datetime) -> int:
    """The obligation of an any-time report (随时上报) for a unit, created on first use.

    Its due item has period 'any' and is due at the end of the campaign's last day: filing is
    never late, and the item stays open for filings until the campaign ends.
    """
    c = services.config.campaign
    due_at = datetime.combine(c.end, time(23, 59, 59), tzinfo=c.tz)
    with services.storage.session() as s:
        from bot.storage import units as unit_store

        unit = unit_store.get_unit(s, unit_id=unit_id)
        if unit is None:
            raise LookupError(unit_id)
        item = due.ensure_due_item(
            s, report_key=report_key, period_key=ANY_PERIOD, period_label="随时上报", due_at=due_at, unit_codes=[unit.code], now=now
        )
        assert item.id is not None
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit_id)
        assert obligation is not None and obligation.id is not None
        return obligation.id


# --- drafts -------------------------------------------------------------------------------------


def _save(services: Services, person_id: int, state: str, data: dict[str, Any], now: datetime) -> None:
    services.storage.drafts.save_draft(person_id=person_id, flow=FLOW, state=state, data=data, now=now)


def _drop(services: Services, person_id: int) -> None:
    services.storage.drafts.delete_draft(person_id=person_id, flow=FLOW)


def _view(services: Services, obligation_id: int) -> ObligationView:
    view = services.storage.due.get_obligation_view(obligation_id=obligation_id)
    if view is None:
        raise LookupError(obligation_id)
    return view


def _check(roles: Roles, view: ObligationView) -> None:
    if not roles.may(Action.SUBMIT, unit_id=view.unit.id):
        raise NotAllowed


def start(services: Services, roles: Roles, *, language: str, now: datetime, carry: list[dict[str, Any]] | None = None) -> list[Reply]:
    """/submit (or a message with no flow in progress): begin, or ask which report when several are open."""
    assert roles.person_id is not None
    found = choices(services, roles, language=language, now=now)
    if not found:
        return [Reply(t(language, "submissions.nothing-open"))]
    scheduled = [c for c in found if c.action == "sub"]
    if len(found) == 1 and scheduled:
        return begin(services, roles, obligation_id=int(scheduled[0].args[0]), language=language, now=now, carry=carry)
    _save(services, roles.person_id, "choose", {"carry": carry or []}, now)
    key = "submissions.choose-kept" if carry else "submissions.choose"
    return [Reply(t(language, key), [[Btn(c.label, c.action, c.args)] for c in found])]


def _next_item(services: Services, obligation_id: int) -> tuple[int, list[Submission]]:
    current = services.storage.submissions.current_submissions(obligation_id=obligation_id)
    real = [c for c in current if c.kind != SubmissionKind.zero]
    return (max((c.item_no for c in real), default=0) + 1 if real else 1), current


def begin(
    services: Services,
    roles: Roles,
    *,
    obligation_id: int,
    language: str,
    now: datetime,
    item_no: int | None = None,
    carry: list[dict[str, Any]] | None = None,
) -> list[Reply]:
    """Start filing for an obligation: a new item, or a new version of `item_no` (amendment), prefilled."""
    assert roles.person_id is not None
    view = _view(services, obligation_id)
    _check(roles, view)
    report = _report(services, view.due_item.report_key)
    if report is None or not fileable(report.template):
        return [Reply(t(language, "submissions.not-by-message"))]
    next_no, current = _next_item(services, obligation_id)
    values: dict[str, Any] = {}
    step_files: dict[str, list[int]] = {}
    intro: list[str] = []
    returned = [c for c in current if c.status == SubmissionStatus.returned]
    if item_no is None and returned:
        item_no = returned[0].item_no
    if item_no is not None:
        source = next((c for c in current if c.item_no == item_no), None)
        if source is not None and source.kind != SubmissionKind.zero:
            values = dict(source.data.get("values", {}))
            for key, ids in source.data.get("files", {}).items():
                step_files[key] = files.copy_for(services, list(ids), now=now)
            if source.status == SubmissionStatus.returned and source.review_comment:
                intro.append(t(language, "submissions.returned-note", comment=source.review_comment))
    elif next_no > report.max_items:
        return [Reply(t(language, "submissions.max-items", max=report.max_items))]
    data: dict[str, Any] = {
        "obligation_id": obligation_id,
        "template": str(report.template),
        "item_no": item_no or next_no,
        "values": values,
        "files": step_files,
        "carry": carry or [],
        "edit": False,
    }
    head = t(
        language,
        "submissions.begin",
        report=report_title(report, language),
        period=view.due_item.period_label,
        unit=view.unit.name,
        item=data["item_no"],
        due=format_day(view.due_item.due_at.astimezone(services.config.campaign.tz).date(), language),
    )
    if now > view.due_item.due_at:
        intro.append(t(language, "submissions.late-note"))
    replies = [Reply("\n".join([head, *intro]))]
    if values:  # an amendment or a returned filing: show what is there, change what needs changing
        return replies + _preview(services, roles.person_id, data, language, now)
    replies += _go(services, roles.person_id, data, steps_of(report.template)[0], language, now)
    return replies + take_carry(services, roles, data, language, now)


def zero_preview(services: Services, roles: Roles, *, obligation_id: int, language: str, now: datetime) -> list[Reply]:
    """零报告: show it to confirm (the obligation's report must allow it)."""
    assert roles.person_id is not None
    view = _view(services, obligation_id)
    _check(roles, view)
    report = _report(services, view.due_item.report_key)
    if report is None or not report.zero_report:
        return [Reply(t(language, "submissions.zero-not-allowed"))]
    _, current = _next_item(services, obligation_id)
    if any(c.kind != SubmissionKind.zero for c in current):
        return [Reply(t(language, "submissions.zero-has-items"))]
    data = {"obligation_id": obligation_id, "template": str(report.template), "item_no": 1, "values": {}, "files": {}, "kind": "zero"}
    return _preview(services, roles.person_id, data, language, now)


def file_zero_report(services: Services, roles: Roles, *, obligation_id: int, now: datetime) -> Submission:
    """File a 零报告 for an obligation directly (the report type must allow it)."""
    assert roles.person_id is not None
    view = _view(services, obligation_id)
    _check(roles, view)
    report = _report(services, view.due_item.report_key)
    if report is None or not report.zero_report:
        raise ValueError(f"report {view.due_item.report_key!r} does not allow a zero report")
    with services.storage.session() as s:
        return submissions.file_and_complete(
            s, obligation_id=obligation_id, person_id=roles.person_id, kind=SubmissionKind.zero, data={"values": {}}, now=now, item_no=1
        )


# --- steps --------------------------------------------------------------------------------------


def _buttons_for(data: dict[str, Any], st: Step, language: str) -> list[list[Btn]]:
    rows: list[list[Btn]] = []
    if st.kind is Kind.YES_NO:
        rows.append([Btn(t(language, "submissions.button.yes"), "sf", ("yes",)), Btn(t(language, "submissions.button.no"), "sf", ("no",))])
    if st.optional or (st.key == "decision_file" and data["values"].get("police")):
        rows.append([Btn(t(language, f"submissions.button.skip-{st.key}"), "sf", ("skip",))])
    if st.kind is Kind.NOTE:
        key = "confirm-entered" if data["template"] == TemplateKind.CONFIRMATION else "done"
        rows.append([Btn(t(language, f"submissions.button.{key}"), "sf", ("done",))])
    if st.kind is Kind.STATS_ROW and stats.has_excel():
        rows.append([Btn(t(language, "submissions.button.blank"), "sf", ("blank",))])
    if data.get("edit"):
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
    return rows


def _prompt(data: dict[str, Any], st: Step, language: str) -> Reply:
    if st.kind is Kind.STATS_ROW:
        category = field_label(data["template"], st.key, language)
        columns = "\n".join(f"{i}. {c.name(language)}" for i, c in enumerate(stats.COLUMNS, 1))
        text = t(language, "submissions.ask.row", category=category, columns=columns)
        if stats.has_excel():
            text += "\n" + t(language, "submissions.ask.row-excel")
    else:
        text = t(language, f"submissions.ask.{st.key if data['template'] != TemplateKind.FREE else 'content'}")
        if st.files is not None and st.kind is not Kind.FILE:
            text += "\n" + t(language, f"submissions.ask.or-file-{st.files}", allowed=files.allowed(st.files))
        elif st.kind is Kind.FILE and st.files is not None:
            text += "\n" + t(language, "submissions.ask.file-types", allowed=files.allowed(st.files))
    return Reply(text, _buttons_for(data, st, language))


def _go(services: Services, person_id: int, data: dict[str, Any], st: Step | None, language: str, now: datetime) -> list[Reply]:
    """Move to step `st` (or to the preview when None) and ask its question."""
    if st is None:
        return _after_steps(services, person_id, data, language, now)
    data["step"] = st.key
    _save(services, person_id, st.key, data, now)
    return [_prompt(data, st, language)]


def _following(data: dict[str, Any], key: str) -> Step | None:
    all_steps = steps_of(data["template"])
    index = next(i for i, s in enumerate(all_steps) if s.key == key)
    return all_steps[index + 1] if index + 1 < len(all_steps) else None


def _advance(services: Services, person_id: int, data: dict[str, Any], key: str, language: str, now: datetime, ack: str | None = None) -> list[Reply]:
    out = [Reply(ack)] if ack else []
    if data.get("edit"):
        data["edit"] = False
        return out + _after_steps(services, person_id, data, language, now)
    return out + _go(services, person_id, data, _following(data, key), language, now)


def _after_steps(services: Services, person_id: int, data: dict[str, Any], language: str, now: datetime) -> list[Reply]:
    """All steps answered: statistics are compared with the previous filing, then the preview."""
    if data["template"] == TemplateKind.STATISTICS and not data.get("lower_confirmed"):
        view = _view(services, data["obligation_id"])
        with services.storage.session() as s:
            before = submissions.previous_filing(
                s, unit_id=view.unit.id, report_key=view.due_item.report_key, kind=SubmissionKind.statistics, before_obligation_id=view.obligation.id or 0
            )
        if before is not None:
            table = _table(data["values"])
            lower = stats.lower_than_before(table, _table(before.data.get("values", {})))
            if lower:
                data["step"] = "lower"
                _save(services, person_id, "lower", data, now)
                lines = [_cell_text(p, language) for p in lower]
                return [Reply(
                    t(language, "submissions.stats.lower-intro", problems="\n".join(lines)),
                    [[Btn(t(language, "submissions.button.correction"), "sf", ("correction",))],
                     [Btn(t(language, "submissions.button.reenter"), "sf", ("reenter",))]],
                )]
    return _preview(services, person_id, data, language, now)


def _table(values: dict[str, Any]) -> dict[str, stats.Row]:
    return {k.removeprefix("row_"): v for k, v in values.items() if k.startswith("row_")}


def _cell_text(problem: stats.CellProblem, language: str) -> str:
    params = dict(problem.params)
    if "other" in params:
        params["other"] = stats.column_name(params["other"], language)
    return t(language, f"submissions.stats.{problem.key}", cell=problem.cell(language), **params)


def _file_names(services: Services, data: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with services.storage.session() as s:
        for key, ids in data.get("files", {}).items():
            out[key] = [a.file_name or "file" for a in submissions.attachments_by_ids(s, attachment_ids=ids)]
    return out


def preview_text(services: Services, data: dict[str, Any], language: str, now: datetime) -> str:
    view = _view(services, data["obligation_id"])
    report = report_of(services, view.due_item.report_key)
    head = t(language, "submissions.preview.head", report=report_title(report, language), period=view.due_item.period_label, unit=view.unit.name, item=data["item_no"])
    if now > view.due_item.due_at:
        head += "\n" + t(language, "submissions.preview.late")
    return head + "\n\n" + body(data["template"], data.get("kind", data["template"]), data["values"], _file_names(services, data), language)


def _preview(services: Services, person_id: int, data: dict[str, Any], language: str, now: datetime) -> list[Reply]:
    data["step"] = "preview"
    _save(services, person_id, "preview", data, now)
    text = t(language, "submissions.preview.intro") + "\n\n" + preview_text(services, data, language, now)
    rows = [[Btn(t(language, "submissions.button.confirm"), "sf", ("ok",))]]
    if data.get("kind") != "zero":
        rows.append([Btn(t(language, "submissions.button.change"), "sf", ("change",))])
    rows.append([Btn(t(language, "submissions.button.cancel"), "sf", ("cancel",))])
    return [Reply(text, rows)]


# --- answers ------------------------------------------------------------------------------------


def answer_text(services: Services, roles: Roles, data: dict[str, Any], state: str, text: str, *, language: str, now: datetime) -> list[Reply]:
    """A typed answer to the current step."""
    assert roles.person_id is not None
    person_id = roles.person_id
    if state == "choose":
        data.setdefault("carry", []).append({"text": text})
        _save(services, person_id, state, data, now)
        return [Reply(t(language, "submissions.choose-first"))]
    if state in ("preview", "lower", "change"):
        return [Reply(t(language, "submissions.use-buttons"))]
    st = step(data["template"], state)
    if st is None:
        _drop(services, person_id)
        return [Reply(t(language, "submissions.lost"))]
    tz = services.config.campaign.tz
    values = data["values"]
    try:
        if st.kind is Kind.TEXT:
            values[st.key] = validators.text(text)
        elif st.kind is Kind.SECTION:
            values[st.key] = validators.section(text)
            values.pop("as_file", None)
        elif st.kind is Kind.DATE:
            day = validators.past_date(text, now=now, tz=tz)
            values[st.key] = day.isoformat()
            return _advance(services, person_id, data, st.key, language, now, ack=t(language, "submissions.date-understood", day=format_day(day, language)))
        elif st.kind is Kind.AMOUNT:
            if text.strip().lower() in validators.NOTHING:
                values[st.key] = None
            else:
                values[st.key] = str(validators.amount_yuan(text))
        elif st.kind is Kind.YES_NO:
            values[st.key] = validators.yes_no(text)
        elif st.kind is Kind.STATS_ROW:
            category = st.key.removeprefix("row_")
            row, problems = stats.parse_row(category, text)
            if row is None:
                lines = "\n".join(_cell_text(p, language) for p in problems)
                return [Reply(t(language, "submissions.stats.problems", problems=lines), _buttons_for(data, st, language))]
            values[st.key] = row
        elif st.kind is Kind.NOTE:
            key = st.key
            values[key] = (values.get(key, "") + "\n" + validators.text(text)).strip()
            _save(services, person_id, state, data, now)
            return [Reply(t(language, "submissions.note-kept"), _buttons_for(data, st, language))]
        elif st.kind is Kind.FILE:
            return [Reply(t(language, "submissions.expected-file", allowed=files.allowed(st.files or FileGroup.ANY)), _buttons_for(data, st, language))]
    except validators.Invalid as e:
        message = t(language, f"submissions.invalid.{e.key}", **e.params)
        return [Reply(message + "\n" + _prompt(data, st, language).text, _buttons_for(data, st, language))]
    return _advance(services, person_id, data, st.key, language, now)


def file_group(data: dict[str, Any], state: str) -> FileGroup | None:
    """Which files the current step takes (None: files are not expected now)."""
    if state == "choose":
        return FileGroup.ANY
    st = step(data.get("template", ""), state)
    return st.files if st is not None else None


async def answer_file(services: Services, bot: Bot, roles: Roles, data: dict[str, Any], state: str, incoming: files.Incoming, *, language: str, now: datetime) -> list[Reply]:
    """A file sent during the flow: checked, downloaded, kept; a refused file says why and the flow goes on."""
    assert roles.person_id is not None
    person_id = roles.person_id
    group = file_group(data, state)
    st = step(data.get("template", ""), state)
    if group is None:
        if st is not None:
            return [Reply(t(language, "submissions.file.not-now"), _buttons_for(data, st, language))]
        return [Reply(t(language, "submissions.file.not-now"))]
    try:
        if st is not None and st.kind is Kind.STATS_ROW:
            files.check(incoming, group)  # refuse a wrong type or size before anything else
            if not stats.has_excel():
                raise files.Refused("no-excel")
            attachment = await files.download(services, bot, incoming, group, now=now)
            table, problems = stats.read_workbook(files.read(services, attachment))
            if table is None:
                lines = "\n".join(_cell_text(p, language) for p in problems)
                return [Reply(t(language, "submissions.stats.problems", problems=lines), _buttons_for(data, st, language))]
            for category, row in table.items():
                data["values"][f"row_{category}"] = row
            data["files"] = {"workbook": [attachment.id]}
            return _after_steps(services, person_id, data, language, now)
        attachment = await files.download(services, bot, incoming, group, now=now)
    except files.Refused as e:
        text = t(language, f"submissions.file.{e.key}", **e.params)
        return [Reply(text, _buttons_for(data, st, language) if st is not None else [])]
    assert attachment.id is not None
    if state == "choose":
        data.setdefault("carry", []).append({"attachment": attachment.id, "name": incoming.file_name})
        _save(services, person_id, state, data, now)
        return [Reply(t(language, "submissions.choose-first"))]
    assert st is not None
    ack = t(language, "submissions.file.kept", name=incoming.file_name)
    if st.kind is Kind.NOTE:
        data["files"].setdefault(st.key, []).append(attachment.id)
        _save(services, person_id, state, data, now)
        return [Reply(ack + "\n" + t(language, "submissions.note-kept"), _buttons_for(data, st, language))]
    if st.kind is Kind.SECTION:  # the whole summary as one document
        data["values"] = {"as_file": True}
        data["files"] = {"document": [attachment.id]}
        data["edit"] = False
        return [Reply(ack)] + _after_steps(services, person_id, data, language, now)
    data["files"][st.key] = [attachment.id]
    return _advance(services, person_id, data, st.key, language, now, ack=ack)


def take_carry(services: Services, roles: Roles, data: dict[str, Any], language: str, now: datetime) -> list[Reply]:
    """Apply what the user sent before choosing the report (kept, never lost) to the first step."""
    carry = data.pop("carry", [])
    person_id = roles.person_id or 0
    out: list[Reply] = []
    for item in carry:
        state = data.get("step", "")
        st = step(data["template"], state)
        if st is None:
            break
        label = field_label(data["template"], st.key, language)
        if "text" in item and st.kind is not Kind.FILE:
            out.append(Reply(t(language, "submissions.carry-used", field=label)))
            out += answer_text(services, roles, data, state, item["text"], language=language, now=now)
        elif "attachment" in item and st.files is not None:
            out.append(Reply(t(language, "submissions.carry-used", field=label)))
            if st.kind is Kind.SECTION:
                data["values"] = {"as_file": True}
                data["files"] = {"document": [item["attachment"]]}
                out += _after_steps(services, person_id, data, language, now)
            elif st.kind is Kind.NOTE:
                data["files"].setdefault(st.key, []).append(item["attachment"])
                _save(services, person_id, state, data, now)
            else:
                data["files"][st.key] = [item["attachment"]]
                out += _advance(services, person_id, data, st.key, language, now)
        else:
            out.append(Reply(t(language, "submissions.carry-not-used", field=label)))
    return out


# --- buttons ------------------------------------------------------------------------------------


def press(services: Services, roles: Roles, data: dict[str, Any], state: str, op: str, args: tuple[str, ...], *, language: str, now: datetime) -> list[Reply] | None:
    """An in-flow button; None if it does not fit the current state (a stale button)."""
    assert roles.person_id is not None
    person_id = roles.person_id
    st = step(data.get("template", ""), state)
    if op in ("yes", "no") and st is not None and st.kind is Kind.YES_NO:
        data["values"][st.key] = op == "yes"
        return _advance(services, person_id, data, st.key, language, now)
    if op == "skip" and st is not None and (st.optional or st.key == "decision_file"):
        if st.kind is Kind.AMOUNT:
            data["values"][st.key] = None
        data["files"].pop(st.key, None)
        return _advance(services, person_id, data, st.key, language, now)
    if op == "done" and st is not None and st.kind is Kind.NOTE:
        if data["template"] == TemplateKind.FREE and not data["values"].get(st.key) and not data["files"].get(st.key):
            return [Reply(t(language, "submissions.free-empty"), _buttons_for(data, st, language))]
        data["values"].setdefault(st.key, "")
        return _after_steps(services, person_id, data, language, now)
    if op == "preview" and data.get("edit"):
        data["edit"] = False
        return _after_steps(services, person_id, data, language, now)
    if op == "correction" and state == "lower":
        data["lower_confirmed"] = True
        return _preview(services, person_id, data, language, now)
    if op == "reenter" and state == "lower":
        first = steps_of(data["template"])[0]
        return _go(services, person_id, data, first, language, now)
    if op == "change" and state == "preview":
        if data["template"] == TemplateKind.SUMMARY and data["values"].get("as_file"):
            data["values"], data["files"] = {}, {}
            return _go(services, person_id, data, steps_of(data["template"])[0], language, now)
        rows = [[Btn(field_label(data["template"], s.key, language), "sf", ("field", s.key))] for s in steps_of(data["template"])]
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
        data["edit"] = True
        _save(services, person_id, "change", data, now)
        return [Reply(t(language, "submissions.which-field"), rows)]
    if op == "field" and state == "change" and args and step(data["template"], args[0]) is not None:
        target = step(data["template"], args[0])
        assert target is not None
        data["step"] = target.key
        _save(services, person_id, target.key, data, now)
        return [_prompt(data, target, language)]
    if op == "cancel" and state in ("preview", "change", "lower"):
        _drop(services, person_id)
        return [Reply(t(language, "submissions.cancelled"))]
    if op == "ok" and state == "preview":
        return confirm(services, roles, data, language=language, now=now)
    return None


def confirm(services: Services, roles: Roles, data: dict[str, Any], *, language: str, now: datetime) -> list[Reply]:
    """File the previewed submission as a new version; the obligation is done once enough items are in."""
    assert roles.person_id is not None
    view = _view(services, data["obligation_id"])
    _check(roles, view)
    report = report_of(services, view.due_item.report_key)
    if data["template"] == TemplateKind.SUMMARY and data.get("kind") != "zero" and not summary_complete(data["values"]):
        return [Reply(t(language, "submissions.lost"))]
    kind = SubmissionKind(data.get("kind") or data["template"])
    all_ids = [i for ids in data.get("files", {}).values() for i in ids]
    with services.storage.session() as s:
        submission = submissions.add_submission(
            s,
            obligation_id=data["obligation_id"],
            person_id=roles.person_id,
            kind=kind,
            data={"values": data["values"], "files": data.get("files", {})},
            now=now,
            item_no=data["item_no"],
        )
        assert submission.id is not None
        submissions.link_attachments(s, attachment_ids=all_ids, submission_id=submission.id)
        current = submissions.current_submissions(s, obligation_id=data["obligation_id"])
        if kind is SubmissionKind.zero or len(current) >= report.min_items:
            due.mark_obligation_done(s, obligation_id=data["obligation_id"], now=now)
        elif view.obligation.status is ObligationStatus.returned:
            pass  # still short of min_items: stays open for more
        count = len([c for c in current if c.kind != SubmissionKind.zero])
    services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
    key = "submissions.filed-late" if submission.late else "submissions.filed"
    text = t(language, key, report=report_title(report, language), period=view.due_item.period_label, item=submission.item_no, version=submission.version)
    if count < report.min_items and kind is not SubmissionKind.zero:
        text += "\n" + t(language, "submissions.need-more", have=count, need=report.min_items)
    rows = [[Btn(t(language, "submissions.button.amend"), "amend", (data["obligation_id"], submission.item_no))]]
    if kind is not SubmissionKind.zero and report.template == TemplateKind.CASE and count < report.max_items:
        rows.append([Btn(t(language, "submissions.button.another"), "sub", (data["obligation_id"],))])
    return [Reply(text, rows)]
