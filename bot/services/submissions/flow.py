"""Submissions by message (报送): choose what to file, answer the form step by step, preview, confirm.

The conversation is a draft (flow "submission") in the database, so a restart loses nothing.
Functions here return `Reply` objects (HTML text and buttons); handlers only send them.

This module starts a submission (`start`, `begin`) and is the one to import: the rest of the flow
lives in `submission_choose` (what can be filed), `submission_steps` (the form's questions),
`submission_answers` (answers, files, buttons) and `submission_preview` (preview, confirm, 零报告),
re-exported here.

For other flows (reminders): `begin(...)` starts a submission for an obligation,
`zero_preview(...)` shows a 零报告 to confirm; confirming files it like any filing (held for sign-off
when its report asks for it).
Buttons: `sub|<obligation id>` starts a submission, `zero|<obligation id>` a zero report (offered
by reminders, /submit, /due and the first question of a filing that may be one),
`amend|<obligation id>|<item>` a new version of an item, `subany|<report key>|<unit id>` an
any-time report; handlers pass them to `launch`, which never throws away a submission in
progress: the same one is resumed, another one is only replaced once the user says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import SubmissionKind, SubmissionStatus
from bot.services.submissions import files
from bot.services.people.access import Action, Roles
from bot.services.submissions.forms import FileGroup, fileable, form_of
from bot.services.deadlines.reports import report_title
from bot.services.tasks import deadlines as task_deadlines
from bot.services.tasks import progress
from bot.services.submissions.answers import answer_file, answer_text, file_group, press, take_carry
from bot.services.submissions.filing import Filing
from bot.services.submissions.choose import Choice, any_time_obligation, choices
from bot.services.submissions.common import ANY_PERIOD, FLOW, NONCE, WINDOW, NotAllowed, check, drop, due_text, load, opens_on, period_of, report, save, stamp, unstamp, view
from bot.services import paging
from bot.services.submissions import prefill
from bot.replies import Btn, Reply
from bot.services.submissions.forms.render import format_day
from bot.services.submissions.preview import confirm, next_item, preview_text, show_preview, zero_preview
from bot.services.submissions.steps import after_steps, attachment_type, file_field, go, prompt, takes
from bot.texts.catalog import t, tn

__all__ = [
    "ANY_PERIOD",
    "FLOW",
    "NONCE",
    "WINDOW",
    "Choice",
    "FileGroup",
    "Filing",
    "NotAllowed",
    "answer_file",
    "answer_text",
    "any_time_obligation",
    "begin",
    "choices",
    "confirm",
    "file_group",
    "launch",
    "preview_text",
    "press",
    "resume",
    "stamp",
    "start",
    "take_carry",
    "unstamp",
    "zero_preview",
    "choices_page",
]


def start(services: Services, roles: Roles, *, language: str, now: datetime, carry: list[dict[str, Any]] | None = None) -> list[Reply]:
    """/submit (or a message with no flow in progress): begin, or ask which report when several are open."""
    assert roles.person_id is not None
    found = choices(services, roles, language=language, now=now)
    if not found:
        return [Reply(t(language, "submissions.nothing-open"))]
    main = [c for c in found if c.extra != "zero"]  # its 零报告 is offered at the first question too
    if len(main) == 1 and main[0].action == "sub" and not main[0].extra:
        return begin(services, roles, obligation_id=int(main[0].args[0]), language=language, now=now, carry=carry)
    save(services, roles.person_id, "choose", {"carry": carry or []}, now)
    key = "submissions.choose-kept" if carry else "submissions.choose"
    shown = paging.page([[Btn(c.label, c.action, c.args)] for c in found], 0, action="subp")
    return [Reply(t(language, key), shown.rows + shown.nav)]


def choices_page(services: Services, roles: Roles, number: int, *, language: str, now: datetime) -> list[Reply]:
    """Another page of /submit's choices (◀ ▶), in place of the one shown."""
    found = choices(services, roles, language=language, now=now)
    if not found:
        return [Reply(t(language, "submissions.nothing-open"), edit=True)]
    shown = paging.page([[Btn(c.label, c.action, c.args)] for c in found], number, action="subp")
    return [Reply(t(language, "submissions.choose"), shown.rows + shown.nav, edit=True)]


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
    """Start filing for an obligation: a new item, or a new version of `item_no` (amendment), prefilled.

    What was sent before (`carry`): texts answer the first step; files wait for the step that takes them.
    """
    assert roles.person_id is not None
    obligation = view(services, obligation_id)
    check(roles, obligation)
    task_id = task_deadlines.task_id_of(obligation.due_item.report_key)
    if task_id is not None:  # a task's deadline is met by the task's progress report
        return progress.start_report(services, roles, task_id=task_id, unit_id=obligation.obligation.unit_id, language=language, now=now).replies
    filed = report(services, obligation.due_item.report_key)
    if filed is None or not fileable(filed.template):
        return [Reply(t(language, "submissions.not-by-message"))]
    next_no, current = next_item(services, obligation_id)
    values: dict[str, Any] = {}
    step_files: dict[str, list[int]] = {}
    intro: list[str] = []
    item_no = _target_item(current, item_no)
    source = next((c for c in current if c.item_no == item_no), None) if item_no is not None else None
    if source is None:
        item_no = None  # a new item: numbered when it is confirmed (`next_no` is what it would be now)
        if next_no > filed.max_items:
            return [Reply(tn(language, "submissions.max-items", filed.max_items))]
    elif source.kind != SubmissionKind.zero:
        values = dict(source.data.get("values", {}))
        for key, ids in source.data.get("files", {}).items():
            step_files[key] = files.copy_for(services, list(ids), now=now)
        if source.status == SubmissionStatus.returned and source.review_comment:
            intro.append(t(language, "submissions.returned-note", comment=source.review_comment))
    carry = carry or []
    f = Filing(
        person_id=roles.person_id,
        language=language,
        now=now,
        obligation_id=obligation_id,
        template=str(filed.template),
        form=form_of(filed),
        report_key=filed.key,
        item_no=item_no or next_no,
        amend=item_no,  # None: a new item
        base_version=source.version if source is not None else None,  # filed only if still the current one
        values=values,
        files=step_files,
        carry=[c for c in carry if "text" in c],
        pending=[c for c in carry if "attachment" in c],
        # 零报告 offered at the first question: the report allows it and nothing is filed yet
        offer_zero=bool(filed.zero_report and not current and source is None),
    )
    table = f.form.table if f.form is not None else None
    if table is not None and table.cumulative and source is None:  # last period's figures: keep them, or type what changed
        f.previous = prefill.previous_rows(services, obligation_id)
    head = t(
        language,
        "submissions.begin",
        report=report_title(filed, language),
        period=period_of(services, obligation.due_item, language),
        unit=obligation.unit.name,
        item=f.item_no,
        due=due_text(obligation.due_item.due_at, language, services.config.campaign.tz),
    )
    if now > obligation.due_item.due_at:
        intro.append(t(language, "submissions.late-note"))
    replies = [Reply("\n".join([head, *intro]))]
    if values:  # an amendment or a returned filing: show what is there, change what needs changing
        return replies + show_preview(services, f)
    replies += _pending_notes(services, f)
    replies += go(services, f, f.steps[0])
    return replies + take_carry(services, roles, f)


def _target_item(current: list[Any], item_no: int | None) -> int | None:
    """The item a start is for: `item_no` (an amendment), else a returned item, else None (a new one)."""
    if item_no is not None:
        return item_no
    returned = [c for c in current if c.status == SubmissionStatus.returned]
    return returned[0].item_no if returned else None


def launch(
    services: Services,
    roles: Roles,
    action: str,
    args: tuple[str, ...],
    *,
    language: str,
    now: datetime,
    carry: list[dict[str, Any]] | None = None,
    replace: bool = False,
) -> list[Reply]:
    """A button that starts filing (sub, subany, zero, amend) or /submit (action "start").

    A submission in progress with answers in it is never silently replaced: if the button is for
    the same one it is resumed, otherwise the user is asked (continue it, or discard it and start
    the new one, which comes back here with `replace`). NotAllowed, LookupError, ValueError for
    buttons that do not (or no longer) fit.
    """
    assert roles.person_id is not None
    obligation_id: int | None = None
    item_no: int | None = None
    if action == "subany":
        obligation_id = _any_time(services, roles, report_key=args[0], unit_id=int(args[1]), now=now)
    elif action in ("sub", "zero", "amend"):
        obligation_id = int(args[0])
        obligation = view(services, obligation_id)
        check(roles, obligation)
        item_no = int(args[1]) if action == "amend" else None
        if (first := opens_on(services, obligation.due_item, now)) is not None:
            period = period_of(services, obligation.due_item, language)
            return [Reply(t(language, "filing.not-started", period=period, day=format_day(first, language)))]
    elif action != "start":
        raise ValueError(action)
    if not replace:
        busy = _busy(services, roles, action, args, obligation_id, item_no, language=language, now=now)
        if busy is not None:
            return busy
    else:
        drop(services, roles.person_id)
    if obligation_id is None:
        return start(services, roles, language=language, now=now)
    if action == "zero":
        return zero_preview(services, roles, obligation_id=obligation_id, language=language, now=now)
    return begin(services, roles, obligation_id=obligation_id, language=language, now=now, item_no=item_no, carry=carry)


def _any_time(services: Services, roles: Roles, *, report_key: str, unit_id: int, now: datetime) -> int:
    """The obligation of an any-time report for a unit: allowed first, created only then."""
    if not roles.may(Action.SUBMIT, unit_id=unit_id):
        raise NotAllowed
    found = report(services, report_key)
    if found is None or found.schedule.kind != "any_time" or not fileable(found.template):
        raise LookupError(report_key)
    unit = services.storage.units.get_unit(unit_id=unit_id)
    if unit is None or (found.owed_by and not set(found.owed_by) & set(unit.tags)):
        raise LookupError(unit_id)
    return any_time_obligation(services, report_key=report_key, unit_id=unit_id, now=now)


def _busy(
    services: Services, roles: Roles, action: str, args: tuple[str, ...], obligation_id: int | None, item_no: int | None,
    *, language: str, now: datetime,
) -> list[Reply] | None:
    """None if nothing is in progress (or nothing worth keeping); the same one resumed; else the question."""
    assert roles.person_id is not None
    draft = services.storage.drafts.get_draft(person_id=roles.person_id, flow=FLOW)
    if draft is None or draft.state == "choose" or "obligation_id" not in draft.data:
        return None
    f = load(services, draft.data, roles.person_id, language=language, now=now)
    if not f.has_answers():
        return None
    if obligation_id is not None and f.obligation_id == obligation_id:
        amended = f.amend if f.amend_known else f.item_no
        if action == "zero" and f.zero:
            return resume(services, roles, draft.data, draft.state, language=language, now=now)
        if action != "zero" and not f.zero and (action != "amend" or amended == item_no):
            return resume(services, roles, draft.data, draft.state, language=language, now=now)
    found = view(services, f.obligation_id)
    filed = report(services, found.due_item.report_key)
    text = t(
        language, "submissions.busy", report=report_title(filed, language) if filed else found.due_item.report_key,
        period=period_of(services, found.due_item, language), unit=found.unit.name,
    )
    rows = [
        [Btn(t(language, "submissions.button.keep-going"), "sf", ("resume",))],
        [Btn(t(language, "submissions.button.discard-start"), "sf", ("new", action, *args))],
    ]
    return [Reply(text, rows)]


def resume(services: Services, roles: Roles, data: dict[str, Any], state: str, *, language: str, now: datetime) -> list[Reply]:
    """Show the submission in progress where it was: its question, or its preview."""
    assert roles.person_id is not None
    f = load(services, data, roles.person_id, language=language, now=now)
    found = view(services, f.obligation_id)
    filed = report(services, found.due_item.report_key)
    head = Reply(t(
        language, "submissions.resumed", report=report_title(filed, language) if filed else found.due_item.report_key,
        period=period_of(services, found.due_item, language), unit=found.unit.name,
    ))
    st = f.step_at(state)
    if st is not None:
        return [head, prompt(f, st)]
    f.edit = False
    if state == "lower":
        return [head, *after_steps(services, f)]
    return [head, *show_preview(services, f)]


def _pending_notes(services: Services, f: Filing) -> list[Reply]:
    """Say what becomes of each file sent before: used later at its step, or not used (it fits no step)."""
    language = f.language
    all_steps = f.steps
    out: list[Reply] = []
    kept: list[dict[str, Any]] = []
    for item in f.pending:
        kind = attachment_type(services, int(item["attachment"]))
        target = next((s for s in all_steps if takes(s, kind)), None)
        if target is None:
            out.append(Reply(t(language, "submissions.carry-file-unused", name=item.get("name", ""))))
            continue
        kept.append(item)
        if target is not all_steps[0]:
            out.append(Reply(t(language, "submissions.carry-file-later", name=item.get("name", ""), field=file_field(f, target))))
    f.pending = kept
    return out
