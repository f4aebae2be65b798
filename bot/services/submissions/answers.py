"""What the liaison sends during a submission: typed answers, files, in-flow buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Bot

from bot.config import TemplateKind
from bot.context import Services
from bot.services.submissions import files
from bot.services.people.access import Roles
from bot.services.submissions.forms import FileGroup, Kind, step, steps_of, validators
from bot.services.submissions.forms import statistics as stats
from bot.services.submissions.forms import workbook
from bot.services.submissions.forms.render import field_label, format_day
from bot.services.submissions.common import drop, save, view
from bot.replies import Btn, Document, Reply
from bot.services.submissions.pasted import take_whole_case
from bot.services.submissions.preview import confirm, show_preview
from bot.services.submissions.steps import advance, after_steps, buttons_for, cell_text, go, prompt, use_file
from bot.texts.catalog import Markup, t

BLANK_NAME = "附件1-统计表.xlsx"


def answer_text(services: Services, roles: Roles, data: dict[str, Any], state: str, text: str, *, language: str, now: datetime) -> list[Reply]:
    """A typed answer to the current step."""
    assert roles.person_id is not None
    person_id = roles.person_id
    if state == "choose":
        data.setdefault("carry", []).append({"text": text})
        save(services, person_id, state, data, now)
        return [Reply(t(language, "submissions.choose-first"))]
    if state in ("preview", "lower", "change"):
        return [Reply(t(language, "submissions.use-buttons"))]
    st = step(data["template"], state)
    if st is None:
        drop(services, person_id)
        return [Reply(t(language, "submissions.lost"))]
    whole = take_whole_case(services, person_id, data, st, text, language=language, now=now)
    if whole is not None:
        return whole
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
            ack = t(language, "submissions.date-understood", day=format_day(day, language))
            return advance(services, person_id, data, st.key, language, now, ack=ack)
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
                lines = Markup("\n".join(cell_text(p, language) for p in problems))  # each line escaped already
                return [Reply(t(language, "submissions.stats.problems", problems=lines), buttons_for(data, st, language))]
            values[st.key] = row
            data["files"].pop("workbook", None)  # the figures no longer are the uploaded table's
        elif st.kind is Kind.NOTE:
            key = st.key
            values[key] = (values.get(key, "") + "\n" + validators.text(text)).strip()
            save(services, person_id, state, data, now)
            return [Reply(t(language, "submissions.note-kept"), buttons_for(data, st, language))]
        elif st.kind is Kind.FILE:
            allowed = files.allowed(st.files or FileGroup.ANY)
            return [Reply(t(language, "submissions.expected-file", allowed=allowed), buttons_for(data, st, language))]
    except validators.Invalid as e:
        message = t(language, f"submissions.invalid.{e.key}", **e.params)
        return [Reply(message + "\n" + prompt(data, st, language).text, buttons_for(data, st, language))]
    return advance(services, person_id, data, st.key, language, now)


def file_group(data: dict[str, Any], state: str) -> FileGroup | None:
    """Which files the current step takes (None: files are not expected now)."""
    if state == "choose":
        return FileGroup.ANY
    st = step(data.get("template", ""), state)
    return st.files if st is not None else None


async def answer_file(
    services: Services, bot: Bot, roles: Roles, data: dict[str, Any], state: str, incoming: files.Incoming, *, language: str, now: datetime
) -> list[Reply]:
    """A file sent during the flow: checked, downloaded, kept; a refused file says why and the flow goes on."""
    assert roles.person_id is not None
    person_id = roles.person_id
    group = file_group(data, state)
    st = step(data.get("template", ""), state)
    if group is None:
        return [Reply(t(language, "submissions.file.not-now"), buttons_for(data, st, language) if st is not None else [])]
    try:
        files.check(incoming, group)  # a wrong type or size (an old .xls at the 统计表) is refused before any download
        attachment = await files.download(services, bot, incoming, group, now=now)
    except files.Refused as e:
        text = t(language, f"submissions.file.{e.key}", **e.params)
        return [Reply(text, buttons_for(data, st, language) if st is not None else [])]
    assert attachment.id is not None
    if state == "choose":
        data.setdefault("carry", []).append({"attachment": attachment.id, "name": incoming.file_name})
        save(services, person_id, state, data, now)
        return [Reply(t(language, "submissions.choose-first"))]
    assert st is not None
    ack = None if st.kind is Kind.STATS_ROW else t(language, "submissions.file.kept", name=incoming.file_name)
    return use_file(services, person_id, data, st, attachment.id, incoming.file_name, language, now, ack=ack)


def take_carry(services: Services, roles: Roles, data: dict[str, Any], language: str, now: datetime) -> list[Reply]:
    """Apply the texts the user sent before choosing the report (kept, never lost) to the first step.

    Files sent then wait in `pending` for the step that takes them (`submission_steps.go`).
    """
    carry = data.pop("carry", [])
    out: list[Reply] = []
    for item in carry:
        state = data.get("step", "")
        st = step(data["template"], state)
        if st is None:
            break
        if "text" not in item:
            continue
        if item.get("caption") and st.kind not in (Kind.TEXT, Kind.SECTION, Kind.NOTE):
            continue  # a file's caption is not a row of figures or a date
        label = field_label(data["template"], st.key, language)
        if st.kind is not Kind.FILE:
            out.append(Reply(t(language, "submissions.carry-used", field=label)))
            out += answer_text(services, roles, data, state, item["text"], language=language, now=now)
        else:
            out.append(Reply(t(language, "submissions.carry-not-used", field=label)))
    return out


def blank(services: Services, data: dict[str, Any], language: str) -> Reply:
    """The blank 附件1 workbook, 填报单位 and 时间 filled in."""
    found = view(services, data["obligation_id"])
    content = workbook.blank_workbook(unit=found.unit.name, period=found.due_item.period_label)
    return Reply(t(language, "submissions.blank-sent"), documents=[Document(BLANK_NAME, content)])


def press(
    services: Services, roles: Roles, data: dict[str, Any], state: str, op: str, args: tuple[str, ...], *, language: str, now: datetime
) -> list[Reply] | None:
    """An in-flow button; None if it does not fit the current state (a stale button)."""
    assert roles.person_id is not None
    person_id = roles.person_id
    st = step(data.get("template", ""), state)
    if op in ("yes", "no") and st is not None and st.kind is Kind.YES_NO:
        data["values"][st.key] = op == "yes"
        return advance(services, person_id, data, st.key, language, now)
    if op == "skip" and st is not None and (st.optional or st.key == "decision_file"):
        if st.kind is Kind.AMOUNT:
            data["values"][st.key] = None
        data["files"].pop(st.key, None)
        return advance(services, person_id, data, st.key, language, now)
    if op == "done" and st is not None and st.kind is Kind.NOTE:
        if data["template"] == TemplateKind.FREE and not data["values"].get(st.key) and not data["files"].get(st.key):
            return [Reply(t(language, "submissions.free-empty"), buttons_for(data, st, language))]
        data["values"].setdefault(st.key, "")
        return after_steps(services, person_id, data, language, now)
    if op == "blank" and st is not None and st.kind is Kind.STATS_ROW:
        return [blank(services, data, language)]
    if op == "preview" and data.get("edit"):
        data["edit"] = False
        return after_steps(services, person_id, data, language, now)
    if op == "correction" and state == "lower":
        data["lower_confirmed"] = True
        return show_preview(services, person_id, data, language, now)
    if op == "reenter" and state == "lower":
        return go(services, person_id, data, steps_of(data["template"])[0], language, now)
    if op == "change" and state == "preview":
        if data["template"] == TemplateKind.SUMMARY and data["values"].get("as_file"):
            data["values"], data["files"] = {}, {}
            return go(services, person_id, data, steps_of(data["template"])[0], language, now)
        rows = [[Btn(field_label(data["template"], s.key, language), "sf", ("field", s.key))] for s in steps_of(data["template"])]
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
        data["edit"] = True
        save(services, person_id, "change", data, now)
        return [Reply(t(language, "submissions.which-field"), rows)]
    if op == "field" and state == "change" and args and step(data["template"], args[0]) is not None:
        target = step(data["template"], args[0])
        assert target is not None
        data["step"] = target.key
        save(services, person_id, target.key, data, now)
        return [prompt(data, target, language)]
    if op == "cancel" and state in ("preview", "change", "lower"):
        drop(services, person_id)
        return [Reply(t(language, "submissions.cancelled"))]
    if op == "ok" and state == "preview":
        return confirm(services, roles, data, language=language, now=now)
    return None
