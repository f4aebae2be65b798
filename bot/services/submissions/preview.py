"""The preview (as the coordinator will see it), confirming it as a new version, and 零报告."""

from __future__ import annotations

from datetime import datetime

from bot.config import TemplateKind
from bot.context import Services
from bot.models import Submission, SubmissionKind
from bot.services.people.access import Roles
from bot.services.submissions.forms.render import body, summary_complete
from bot.services.deadlines.reports import report_of, report_title
from bot.services.submissions.common import FLOW, check, drop, keep, period_of, report, view
from bot.services.signoff import flow as signoff_flow
from bot.services.submissions.filing import Filing
from bot.services.submissions.forms import form_of
from bot.replies import Btn, Reply
from bot.storage import attachments, due, people, submissions
from bot.storage.due import ObligationView
from bot.texts.catalog import t


def next_item(services: Services, obligation_id: int) -> tuple[int, list[Submission]]:
    """The number a new item of the obligation would get now, and its current submissions.

    Only a forecast for what the user sees while filing: the number is allocated when the filing
    is confirmed (`confirm`), so that two people filing new items of a period both get one.
    """
    current = services.storage.submissions.current_submissions(obligation_id=obligation_id)
    real = [c for c in current if c.kind != SubmissionKind.zero]
    return (max((c.item_no for c in real), default=0) + 1 if real else 1), current


def _file_names(services: Services, f: Filing) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with services.storage.session() as s:
        for key, ids in f.files.items():
            out[key] = [a.file_name or "file" for a in attachments.attachments_by_ids(s, attachment_ids=ids)]
    return out


def preview_text(services: Services, f: Filing) -> str:
    language = f.language
    found = view(services, f.obligation_id)
    filed = report_of(services, found.due_item.report_key)
    head = t(
        language,
        "submissions.preview.head",
        report=report_title(filed, language),
        period=period_of(services, found.due_item, language),
        unit=found.unit.name,
        item=f.item_no,
    )
    if f.now > found.due_item.due_at:
        head += "\n" + t(language, "submissions.preview.late")
    return head + "\n\n" + body(f.template, f.shown_kind, f.values, _file_names(services, f), language, f.form)


def show_preview(services: Services, f: Filing) -> list[Reply]:
    """Keep the draft at the preview and show it with confirm / change / cancel."""
    language = f.language
    f.step = "preview"
    keep(services, f, "preview")
    text = t(language, "submissions.preview.intro") + "\n\n" + preview_text(services, f)
    rows = [[Btn(t(language, "submissions.button.confirm"), "sf", ("ok",))]]
    if not f.zero:
        rows.append([Btn(t(language, "submissions.button.change"), "sf", ("change",))])
    rows.append([Btn(t(language, "submissions.button.cancel"), "sf", ("cancel",))])
    return [Reply(text, rows)]


def zero_preview(services: Services, roles: Roles, *, obligation_id: int, language: str, now: datetime) -> list[Reply]:
    """零报告: show it to confirm (the obligation's report must allow it)."""
    assert roles.person_id is not None
    found = view(services, obligation_id)
    check(roles, found)
    filed = report(services, found.due_item.report_key)
    if filed is None or not filed.zero_report:
        return [Reply(t(language, "submissions.zero-not-allowed"))]
    _, current = next_item(services, obligation_id)
    if any(c.kind != SubmissionKind.zero for c in current):
        return [Reply(t(language, "submissions.zero-has-items"))]
    f = Filing(
        person_id=roles.person_id, language=language, now=now, obligation_id=obligation_id, template=str(filed.template),
        form=form_of(filed), report_key=filed.key, item_no=1, kind="zero",
    )
    return show_preview(services, f)


def _amended(services: Services, f: Filing) -> tuple[int | None, int | None]:
    """The item a draft amends and the version it started from; (None, None) for a new item.

    Drafts begun before items were numbered at confirmation carry only `item_no`: an amendment if
    that item exists (from its current version, as then), else a new item.
    """
    if f.amend_known:
        return f.amend, f.base_version
    current = services.storage.submissions.current_submissions(obligation_id=f.obligation_id)
    old = next((c for c in current if c.item_no == f.item_no and c.kind != SubmissionKind.zero), None)
    return (old.item_no, old.version) if old is not None else (None, None)


def _file(services: Services, f: Filing, kind: SubmissionKind, max_items: int) -> Submission:
    """Store the filing: a 零报告, a new item (numbered now), or a new version of the item amended."""
    content = f.content()
    obligation_id, person_id, now = f.obligation_id, f.person_id, f.now
    amend, base_version = _amended(services, f)
    all_ids = f.attachment_ids()
    with services.storage.session() as s:
        if kind is SubmissionKind.zero:
            submission = submissions.file_zero(s, obligation_id=obligation_id, person_id=person_id, now=now, data=content)
        elif amend is None:
            submission = submissions.file_new_item(
                s, obligation_id=obligation_id, person_id=person_id, kind=kind, data=content, now=now, max_items=max_items
            )
        else:
            submission = submissions.file_new_version(
                s, obligation_id=obligation_id, item_no=amend, base_version=base_version, person_id=person_id, kind=kind, data=content, now=now
            )
        assert submission.id is not None
        attachments.link_attachments(s, attachment_ids=all_ids, submission_id=submission.id)
        return submission


def confirm(services: Services, roles: Roles, f: Filing) -> list[Reply]:
    """File the previewed submission; the obligation is done once enough items are in.

    A new item gets its number now (the next free one); an amendment is filed only if nobody filed
    another version of the item since it was started, else the user sees the current one.
    """
    assert roles.person_id is not None
    language, now = f.language, f.now
    found = view(services, f.obligation_id)
    check(roles, found)
    filed = report_of(services, found.due_item.report_key)
    if f.template == TemplateKind.SUMMARY and not f.zero and not summary_complete(f.values, f.form):
        return [Reply(t(language, "submissions.lost"))]
    kind = SubmissionKind(f.shown_kind)
    try:
        submission = _file(services, f, kind, filed.max_items)
    except submissions.PeriodFull as e:
        drop(services, roles.person_id)
        return [Reply(t(language, "submissions.max-items", max=e.max_items))]
    except submissions.HasItems:
        drop(services, roles.person_id)
        return [Reply(t(language, "submissions.zero-has-items"))]
    except submissions.ChangedMeanwhile as e:
        drop(services, roles.person_id)
        return changed_meanwhile(services, found, f, e.current)
    if filed.signoff:  # counts only once the unit head approves it (待审核 until then)
        services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
        key = "submissions.filed-late" if submission.late else "submissions.filed"
        text = t(language, key, report=report_title(filed, language), period=period_of(services, found.due_item, language),
                 item=submission.item_no, version=submission.version)
        return [Reply(text), *signoff_flow.hold(services, filed, submission, language=language)]
    with services.storage.session() as s:
        current = submissions.current_submissions(s, obligation_id=f.obligation_id)
        if kind is SubmissionKind.zero or len(current) >= filed.min_items:
            due.mark_obligation_done(s, obligation_id=f.obligation_id, now=now)
        count = len([c for c in current if c.kind != SubmissionKind.zero])
    services.storage.drafts.delete_draft(person_id=roles.person_id, flow=FLOW)
    key = "submissions.filed-late" if submission.late else "submissions.filed"
    period = period_of(services, found.due_item, language)
    text = t(language, key, report=report_title(filed, language), period=period, item=submission.item_no, version=submission.version)
    if count < filed.min_items and kind is not SubmissionKind.zero:
        text += "\n" + t(language, "submissions.need-more", have=count, need=filed.min_items)
    rows = [[Btn(t(language, "submissions.button.amend"), "amend", (f.obligation_id, submission.item_no))]]
    if kind is not SubmissionKind.zero and filed.template == TemplateKind.CASE and count < filed.max_items:
        rows.append([Btn(t(language, "submissions.button.another"), "sub", (f.obligation_id,))])
    return [Reply(text, rows)]


def changed_meanwhile(services: Services, found: ObligationView, f: Filing, current: Submission | None) -> list[Reply]:
    """An amendment not filed: the item has a newer version than the one it started from; show that one."""
    language = f.language
    if current is None:  # not possible (items are never removed), but never file over it
        return [Reply(t(language, "submissions.lost"))]
    with services.storage.session() as s:
        person = people.get_person(s, person_id=current.person_id)
        names = [a.file_name or "file" for a in attachments.attachments_of(s, submission_id=current.id or 0)]
    who = (person.name or person.first_name or "") if person is not None else ""
    at = current.submitted_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M")
    text = t(language, "submissions.changed-meanwhile", item=current.item_no, version=current.version, who=who, at=at)
    filed = report_of(services, found.due_item.report_key)
    head = t(
        language, "submissions.preview.head", report=report_title(filed, language), period=period_of(services, found.due_item, language),
        unit=found.unit.name, item=current.item_no,
    )
    shown = head + "\n\n" + body(str(filed.template), str(current.kind), dict(current.data.get("values", {})), {"files": names}, language, form_of(filed))
    rows = [[Btn(t(language, "submissions.button.amend-current"), "amend", (f.obligation_id, current.item_no))]]
    return [Reply(text), Reply(shown, rows)]
