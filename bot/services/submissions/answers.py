"""What the liaison sends during a submission: typed answers, files, in-flow buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Bot

from bot.config import TemplateKind
from bot.context import Services
from bot.services.submissions import files, prefill
from bot.services.people.access import Roles
from bot.services.submissions.forms import FileGroup, Kind, validators
from bot.services.submissions.forms import statistics as stats
from bot.services.submissions.forms import workbook
from bot.services.submissions.forms.render import format_day
from bot.services.submissions.common import drop, keep, load, save, view
from bot.services.submissions.filing import Filing
from bot.replies import Btn, Document, Reply
from bot.services.submissions import uploaded
from bot.services.submissions.pasted import take_whole_case, take_whole_summary
from bot.services.submissions.preview import confirm, show_preview
from bot.services.submissions.steps import advance, after_steps, buttons_for, cell_text, go, prompt, skippable, use_file
from bot.texts.catalog import Markup, t

BLANK_NAME = "附件1-统计表.xlsx"


def answer_text(services: Services, roles: Roles, data: dict[str, Any], state: str, text: str, *, language: str, now: datetime) -> list[Reply]:
    """A typed answer to the current step (`data`: the draft's)."""
    assert roles.person_id is not None
    if state == "choose":
        data.setdefault("carry", []).append({"text": text})
        save(services, roles.person_id, state, data, now)
        return [Reply(t(language, "submissions.choose-first"))]
    return typed(services, roles, load(services, data, roles.person_id, language=language, now=now), state, text)


def typed(services: Services, roles: Roles, f: Filing, state: str, text: str) -> list[Reply]:
    """A typed answer to the filing's current step: kept and the next question asked, or what was wrong."""
    language, now = f.language, f.now
    if state in ("preview", "lower", "change"):
        return [Reply(t(language, "submissions.use-buttons"))]
    st = f.step_at(state)
    if st is None:
        drop(services, f.person_id)
        return [Reply(t(language, "submissions.lost"))]
    whole = take_whole_case(services, f, st, text) or take_whole_summary(services, f, st, text)
    if whole is not None:
        return whole
    tz = services.config.campaign.tz
    values = f.values
    try:
        field = st.field
        if st.kind is Kind.TEXT:
            values[st.key] = validators.text(text, max_len=field.max_length if field else validators.MAX_TEXT, min_len=field.min_length if field else 1)
        elif st.kind is Kind.WHOLE:
            values[st.key] = validators.whole(text, low=field.min if field else None, high=field.max if field else None, unit=field.unit if field else None)
        elif st.kind is Kind.PHONE:
            values[st.key] = validators.phone(text)
        elif st.kind is Kind.CHOICE:
            assert field is not None
            values[st.key] = validators.choice(text, [(o.key, o.label, o.label_en) for o in field.options])
        elif st.kind is Kind.SECTION:
            values[st.key] = validators.section(text)
            values.pop("as_file", None)
        elif st.kind is Kind.DATE:
            day = validators.past_date(text, now=now, tz=tz)
            values[st.key] = day.isoformat()
            ack = t(language, "submissions.date-understood", day=format_day(day, language))
            return advance(services, f, st.key, ack=ack)
        elif st.kind is Kind.AMOUNT:
            if text.strip().lower() in validators.NOTHING and st.optional:
                values[st.key] = None
            elif field is None or field.unit == "元":
                values[st.key] = str(validators.amount_yuan(text))
            else:
                values[st.key] = validators.amount(text, unit=field.unit or "", decimals=field.decimals)
        elif st.kind is Kind.YES_NO:
            values[st.key] = validators.yes_no(text)
        elif st.kind is Kind.STATS_ROW:
            category = st.key.removeprefix("row_")
            table = f.form.table if f.form is not None else None
            row, problems = stats.parse_row(category, prefill.merged(f, st.key, text) or text, table)
            if row is None:
                lines = Markup("\n".join(cell_text(p, language, table) for p in problems))  # each line escaped already
                return [Reply(t(language, "submissions.stats.problems", problems=lines), buttons_for(f, st))]
            values[st.key] = row
            f.files.pop("workbook", None)  # the figures no longer are the uploaded table's
        elif st.kind is Kind.NOTE:
            key = st.key
            values[key] = (values.get(key, "") + "\n" + validators.text(text)).strip()
            keep(services, f, state)
            return [Reply(t(language, "submissions.note-kept"), buttons_for(f, st))]
        elif st.kind is Kind.FILE:
            allowed = files.allowed(st.files or FileGroup.ANY)
            return [Reply(t(language, "submissions.expected-file", allowed=allowed), buttons_for(f, st))]
    except validators.Invalid as e:
        key, params = e.key, e.params
        if key in ("too-long", "too-short"):  # the field is named: a long form has several text fields
            key, params = f"field-{key}", {**params, "label": st.label(language)}
        message = t(language, f"submissions.invalid.{key}", **params)
        return [Reply(message + "\n" + prompt(f, st).text, buttons_for(f, st))]
    return advance(services, f, st.key)


def file_group(f: Filing | None, state: str) -> files.Accepted | None:
    """Which files the current step takes (None: files are not expected now)."""
    if state == "choose" or f is None:
        return FileGroup.ANY if state == "choose" else None
    st = f.step_at(state)
    return uploaded.accepted(f, st) if st is not None else None


async def answer_file(
    services: Services, bot: Bot, roles: Roles, data: dict[str, Any], state: str, incoming: files.Incoming, *, language: str, now: datetime
) -> list[Reply]:
    """A file sent during the flow: checked, downloaded, kept; a refused file says why and the flow goes on."""
    assert roles.person_id is not None
    person_id = roles.person_id
    f = await services.writes(load, services, data, person_id, language=language, now=now) if state != "choose" else None
    group = file_group(f, state)
    st = f.step_at(state) if f is not None else None
    if group is None:
        return [Reply(t(language, "submissions.file.not-now"), buttons_for(f, st) if f is not None and st is not None else [])]
    try:
        files.check(incoming, group)  # a wrong type or size (an old .xls at the 统计表) is refused before any download
        attachment = await files.download(services, bot, incoming, group, now=now)
    except files.Refused as e:
        text = t(language, f"submissions.file.{e.key}", **e.params)
        return [Reply(text, buttons_for(f, st) if f is not None and st is not None else [])]
    assert attachment.id is not None
    if state == "choose":
        data.setdefault("carry", []).append({"attachment": attachment.id, "name": incoming.file_name})
        await services.writes(save, services, person_id, state, data, now)
        return [Reply(t(language, "submissions.choose-first"))]
    assert f is not None and st is not None
    whole = await uploaded.take_upload(services, f, st, attachment, incoming.file_name)
    if whole is not None:
        return whole
    ack = None if st.kind is Kind.STATS_ROW else t(language, "submissions.file.kept", name=incoming.file_name)
    read = await uploaded.table_read(services, f, st, attachment)
    return await services.writes(use_file, services, f, st, attachment.id, incoming.file_name, ack=ack, read=read)


def take_carry(services: Services, roles: Roles, f: Filing) -> list[Reply]:
    """Apply the texts the user sent before choosing the report (kept, never lost) to the first step.

    Files sent then wait in `pending` for the step that takes them (`submission_steps.go`).
    """
    language = f.language
    carry, f.carry = f.carry, []
    out: list[Reply] = []
    for item in carry:
        state = f.step or ""
        st = f.step_at(state)
        if st is None:
            break
        if "text" not in item:
            continue
        if item.get("caption") and st.kind not in (Kind.TEXT, Kind.SECTION, Kind.NOTE):
            continue  # a file's caption is not a row of figures or a date
        label = st.label(language)
        if st.kind is not Kind.FILE:
            out.append(Reply(t(language, "submissions.carry-used", field=label)))
            out += typed(services, roles, f, state, item["text"])
        else:
            out.append(Reply(t(language, "submissions.carry-not-used", field=label)))
    return out


def blank(services: Services, f: Filing) -> Reply:
    """The blank 附件1 workbook, 填报单位 and 时间 filled in."""
    found = view(services, f.obligation_id)
    table = f.form.table if f.form is not None else None
    content = workbook.blank_workbook(unit=found.unit.name, period=found.due_item.period_label, table=table)
    return Reply(t(f.language, "submissions.blank-sent"), documents=[Document(BLANK_NAME, content)])


def press(
    services: Services, roles: Roles, data: dict[str, Any], state: str, op: str, args: tuple[str, ...], *, language: str, now: datetime
) -> list[Reply] | None:
    """An in-flow button (`data`: the draft's); None if it does not fit the current state (a stale button)."""
    assert roles.person_id is not None
    if "obligation_id" not in data:
        return None
    return pressed(services, roles, load(services, data, roles.person_id, language=language, now=now), state, op, args)


def pressed(services: Services, roles: Roles, f: Filing, state: str, op: str, args: tuple[str, ...]) -> list[Reply] | None:
    """An in-flow button of the filing; None if it does not fit the current state (a stale button)."""
    language = f.language
    st = f.step_at(state)
    if op in ("yes", "no") and st is not None and st.kind is Kind.YES_NO:
        f.values[st.key] = op == "yes"
        return advance(services, f, st.key)
    if op == "pick" and st is not None and st.kind is Kind.CHOICE and st.field is not None and args:
        if not any(o.key == args[0] for o in st.field.options):
            return None
        f.values[st.key] = args[0]
        return advance(services, f, st.key)
    if op == "skip" and st is not None and skippable(f, st):
        if st.kind is Kind.AMOUNT:
            f.values[st.key] = None  # shown as 无
        else:
            f.values.pop(st.key, None)
        f.files.pop(st.key, None)
        return advance(services, f, st.key)
    if op == "done" and st is not None and st.kind is Kind.NOTE:
        if f.template == TemplateKind.FREE and not f.values.get(st.key) and not f.files.get(st.key):
            return [Reply(t(language, "submissions.free-empty"), buttons_for(f, st))]
        f.values.setdefault(st.key, "")
        return after_steps(services, f)
    if op == "same" and st is not None and st.kind is Kind.STATS_ROW and f.previous.get(st.key):
        f.values[st.key] = dict(f.previous[st.key])  # as last period: checked with the whole table before the preview
        f.files.pop("workbook", None)
        return advance(services, f, st.key)
    if op == "blank" and st is not None and st.kind is Kind.STATS_ROW:
        return [blank(services, f)]
    if op == "preview" and f.edit:
        f.edit = False
        return after_steps(services, f)
    if op == "correction" and state == "lower":
        f.lower_confirmed = True
        return show_preview(services, f)
    if op == "reenter" and state == "lower":
        return go(services, f, f.steps[0])
    if op == "change" and state == "preview":
        if f.template == TemplateKind.SUMMARY and f.values.get("as_file"):
            f.values, f.files = {}, {}
            return go(services, f, f.steps[0])
        rows = [[Btn(s.label(language), "sf", ("field", s.key))] for s in f.steps]
        rows.append([Btn(t(language, "submissions.button.back"), "sf", ("preview",))])
        f.edit = True
        keep(services, f, "change")
        return [Reply(t(language, "submissions.which-field"), rows)]
    if op == "field" and state == "change" and args and f.step_at(args[0]) is not None:
        target = f.step_at(args[0])
        assert target is not None
        f.step = target.key
        keep(services, f, target.key)
        return [prompt(f, target)]
    if op == "cancel" and state in ("preview", "change", "lower"):
        drop(services, f.person_id)
        return [Reply(t(language, "submissions.cancelled"))]
    if op == "ok" and state == "preview":
        return confirm(services, roles, f)
    return None
