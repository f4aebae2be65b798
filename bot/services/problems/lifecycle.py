"""One problem and its steps: shown with its trail; 签收, 整改 with evidence, 验收, 退回 with a comment, 销号.

Each step returns `Outcome`: the replies for the user acting and the notices for the others
(the unit's liaisons, or the level above), which `common.send_notices` sends. The rectification
report and the return comment are conversations kept as drafts (`FLOW_REPORT`, `FLOW_RETURN`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.context import Services
from bot.models import Problem, ProblemStatus
from bot.services.people.access import Roles
from bot.services.problems.common import (
    BUTTON, FLOW_REPORT, FLOW_RETURN, Btn, Notice, Reply, due_text, headline, language_of, level_above,
    may_act_for_unit, may_see, open_button, status_text, unit_liaisons,
)
from bot.storage import drafts, problems, units
from bot.storage.problems import StaleStep
from bot.texts.catalog import Markup, t, tn

MAX_TEXT = 2000
MAX_FILES = 10


@dataclass
class Outcome:
    """What to answer the user, and whom else to tell."""

    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    finished: bool = False  # the conversation it answers is over


def _unit_name(services: Services, problem: Problem) -> str:
    with services.storage.session() as s:
        unit = units.get_unit(s, unit_id=problem.unit_id)
    return unit.name if unit else "—"


def _load(services: Services, who: Roles, problem_id: int) -> Problem | None:
    problem = services.storage.problems.get_problem(problem_id=problem_id)
    if problem is None or not may_see(who, problem.unit_id):
        return None
    return problem


def show(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> list[Reply]:
    """The problem in full, its trail, its evidence files, and the buttons for what this user may do now."""
    problem = _load(services, who, problem_id)
    if problem is None:
        return [Reply(t(language, "problems.gone"))]
    with services.storage.session() as s:
        steps = problems.trail(s, problem_id=problem_id)
    tz = services.config.campaign.tz
    lines = [
        headline(services, problem, _unit_name(services, problem), language, now), "",
        t(language, "problems.detail", description=problem.description, source=problem.source or "—", severity=problem.severity or "—",
          responsible=problem.responsible or "—", due=due_text(services, problem, language), status=status_text(language, problem)),
    ]
    if problem.rectification:
        lines.append(t(language, "problems.rectification", text=problem.rectification))
    if problem.verification:
        lines.append(t(language, "problems.verification", text=problem.verification))
    lines.append("")
    lines.append(t(language, "problems.trail-title"))
    evidence: list[int] = []
    for step in steps:
        e = step.event
        comment = t(language, "problems.trail-comment", comment=e.comment) if e.comment else ""
        files = tn(language, "problems.trail-files", len(e.attachment_ids)) if e.attachment_ids else ""
        lines.append(t(language, "problems.trail-step", at=e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), who=step.actor or t(language, "problems.system"),
                       action=t(language, f"problems.action.{e.action}"), comment=Markup(comment), files=files))
        if e.action == "report":
            evidence = list(e.attachment_ids)  # the latest report's evidence
    buttons: list[list[Btn]] = []
    pid = problem.id or 0
    if may_act_for_unit(who, problem.unit_id) and problem.status is ProblemStatus.open:
        row = [Btn(t(language, "problems.button.report"), BUTTON, ("r", pid))]
        if problem.acknowledged_at is None:
            row.insert(0, Btn(t(language, "problems.button.ack"), BUTTON, ("a", pid)))
        buttons.append(row)
    if who.supervises(problem.unit_id):
        if problem.status is ProblemStatus.reported:
            buttons.append([Btn(t(language, "problems.button.verify"), BUTTON, ("ok", pid)), Btn(t(language, "problems.button.return"), BUTTON, ("ret", pid))])
        elif problem.status is ProblemStatus.verified:
            buttons.append([Btn(t(language, "problems.button.close"), BUTTON, ("x", pid)), Btn(t(language, "problems.button.return"), BUTTON, ("ret", pid))])
    return [Reply("\n".join(lines), buttons, evidence)]


def _stale(language: str, e: StaleStep) -> Outcome:
    return Outcome([Reply(t(language, "problems.stale", status=t(language, f"problems.status.{e.args[0]}")))])


def _tell(services: Services, people: list, key: str, problem: Problem, now: datetime, **params: object) -> list[Notice]:
    unit_name = _unit_name(services, problem)
    out = []
    for person in people:
        language = language_of(services, person)
        text = t(language, key, line=Markup(headline(services, problem, unit_name, language, now)), **params)
        out.append(Notice(person, text, [[open_button(language, problem)]]))
    return out


def acknowledge(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> Outcome:
    """签收: the unit has seen the problem assigned to it."""
    problem = _load(services, who, problem_id)
    if problem is None or not may_act_for_unit(who, problem.unit_id):
        return Outcome([Reply(t(language, "problems.not-yours"))])
    if problem.acknowledged_at is not None:
        return Outcome([Reply(t(language, "problems.already-acknowledged"))])
    try:
        with services.storage.session() as s:
            problems.step(s, problem_id=problem_id, action="acknowledge", expect=list(ProblemStatus), to=None, actor_person_id=who.person_id, now=now, changes={"acknowledged_at": now})
    except StaleStep as e:
        return _stale(language, e)
    return Outcome([Reply(t(language, "problems.acknowledged", number=problem.number)), *show(services, who, problem_id=problem_id, language=language, now=now)])


# --- 整改: the rectification report, with evidence -------------------------------------------------


def start_report(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> Outcome:
    """Ask for the rectification (text, then files if any); kept as a draft."""
    problem = _load(services, who, problem_id)
    if problem is None or not may_act_for_unit(who, problem.unit_id):
        return Outcome([Reply(t(language, "problems.not-yours"))])
    if problem.status is not ProblemStatus.open:
        return Outcome([Reply(t(language, "problems.stale", status=status_text(language, problem)))])
    assert who.person_id is not None
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW_REPORT, state="text", data={"problem_id": problem_id, "text": "", "files": []}, now=now)
    return Outcome([Reply(t(language, "problems.report.ask", number=problem.number))])


def _report_buttons(language: str, problem_id: int) -> list[list[Btn]]:
    return [[Btn(t(language, "problems.report.submit"), BUTTON, ("rs", problem_id)), Btn(t(language, "problems.cancel"), BUTTON, ("c", problem_id))]]


def _ids(data: dict[str, object]) -> list[int]:
    """The evidence files taken so far (a JSON list of attachment ids in the draft)."""
    found = data.get("files")
    return [int(str(x)) for x in found] if isinstance(found, list) else []


def report_text(services: Services, who: Roles, *, data: dict[str, object], text: str, language: str, now: datetime) -> Outcome:
    """The rectification typed (typing again replaces it)."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        return Outcome([Reply(t(language, "problems.report.bad-text", max=MAX_TEXT))])
    assert who.person_id is not None
    data = {**data, "text": text}
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW_REPORT, state="text", data=data, now=now)
    pid = int(str(data["problem_id"]))
    return Outcome([Reply(tn(language, "problems.report.got-text", len(_ids(data)), text=text), _report_buttons(language, pid))])


def report_file(services: Services, who: Roles, *, data: dict[str, object], attachment_id: int, name: str, language: str, now: datetime) -> Outcome:
    """An evidence file (a photo, a scan of the 整改报告)."""
    files = _ids(data)
    if len(files) >= MAX_FILES:
        return Outcome([Reply(t(language, "problems.report.too-many-files", max=MAX_FILES))])
    files.append(attachment_id)
    assert who.person_id is not None
    data = {**data, "files": files}
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW_REPORT, state="text", data=data, now=now)
    pid = int(str(data["problem_id"]))
    key = "problems.report.got-file" if data.get("text") else "problems.report.got-file-need-text"
    return Outcome([Reply(t(language, key, name=name, count=len(files)), _report_buttons(language, pid) if data.get("text") else [])])


def submit_report(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> Outcome:
    """整改已报: the problem goes to the level above for 验收."""
    assert who.person_id is not None
    draft = services.storage.drafts.get_draft(person_id=who.person_id, flow=FLOW_REPORT)
    if draft is None or draft.data.get("problem_id") != problem_id or not draft.data.get("text"):
        return Outcome([Reply(t(language, "problems.report.expired"))])
    problem = _load(services, who, problem_id)
    if problem is None or not may_act_for_unit(who, problem.unit_id):
        return Outcome([Reply(t(language, "problems.not-yours"))])
    text, files = str(draft.data["text"]), [int(x) for x in draft.data.get("files") or []]
    try:
        with services.storage.session() as s:
            changes = {"rectification": text, "reported_at": now, "acknowledged_at": problem.acknowledged_at or now}
            problem = problems.step(s, problem_id=problem_id, action="report", expect=[ProblemStatus.open], to=ProblemStatus.reported,
                                    actor_person_id=who.person_id, now=now, comment=text, attachment_ids=files, changes=changes)
            drafts.delete_draft(s, person_id=who.person_id, flow=FLOW_REPORT)
    except StaleStep as e:
        services.storage.drafts.delete_draft(person_id=who.person_id, flow=FLOW_REPORT)
        return _stale(language, e)
    notices = _tell(services, level_above(services, problem.unit_id), "problems.notice.reported", problem, now, text=text, files=len(files))
    return Outcome([Reply(t(language, "problems.report.done", number=problem.number))], notices)


def cancel(services: Services, who: Roles, *, language: str) -> Outcome:
    """Drop a rectification report or a return comment in progress."""
    assert who.person_id is not None
    for flow in (FLOW_REPORT, FLOW_RETURN):
        services.storage.drafts.delete_draft(person_id=who.person_id, flow=flow)
    return Outcome([Reply(t(language, "problems.cancelled"))])


# --- 验收, 退回, 销号: the level above ---------------------------------------------------------------


def _supervised(services: Services, who: Roles, problem_id: int, language: str) -> Problem | Outcome:
    problem = _load(services, who, problem_id)
    if problem is None or not who.supervises(problem.unit_id):
        return Outcome([Reply(t(language, "problems.not-level-above"))])
    return problem


def verify(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> Outcome:
    """验收通过: the rectification is accepted; 销号 follows."""
    found = _supervised(services, who, problem_id, language)
    if isinstance(found, Outcome):
        return found
    try:
        with services.storage.session() as s:
            problem = problems.step(s, problem_id=problem_id, action="verify", expect=[ProblemStatus.reported], to=ProblemStatus.verified,
                                    actor_person_id=who.person_id, now=now, changes={"verification": t(services.config.language, "problems.verified-text")})
    except StaleStep as e:
        return _stale(language, e)
    notices = _tell(services, unit_liaisons(services, problem.unit_id), "problems.notice.verified", problem, now)
    return Outcome([Reply(t(language, "problems.verified", number=problem.number)), *show(services, who, problem_id=problem_id, language=language, now=now)], notices)


def close(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> Outcome:
    """销号: the problem is closed for good."""
    found = _supervised(services, who, problem_id, language)
    if isinstance(found, Outcome):
        return found
    try:
        with services.storage.session() as s:
            problem = problems.step(s, problem_id=problem_id, action="close", expect=[ProblemStatus.verified], to=ProblemStatus.closed,
                                    actor_person_id=who.person_id, now=now, changes={"closed_at": now})
    except StaleStep as e:
        return _stale(language, e)
    notices = _tell(services, unit_liaisons(services, problem.unit_id), "problems.notice.closed", problem, now)
    return Outcome([Reply(t(language, "problems.closed", number=problem.number))], notices)


def start_return(services: Services, who: Roles, *, problem_id: int, language: str, now: datetime) -> Outcome:
    """退回: ask the level above for the comment (kept as a draft)."""
    found = _supervised(services, who, problem_id, language)
    if isinstance(found, Outcome):
        return found
    assert who.person_id is not None
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW_RETURN, state="comment", data={"problem_id": problem_id}, now=now)
    return Outcome([Reply(t(language, "problems.return.ask", number=found.number))])


def return_with(services: Services, who: Roles, *, data: dict[str, object], comment: str, language: str, now: datetime) -> Outcome:
    """The comment typed: the problem goes back to its unit, open again."""
    comment = comment.strip()
    if not comment or len(comment) > MAX_TEXT:
        return Outcome([Reply(t(language, "problems.return.bad-comment", max=MAX_TEXT))])
    problem_id = int(str(data["problem_id"]))
    found = _supervised(services, who, problem_id, language)
    assert who.person_id is not None
    if isinstance(found, Outcome):
        services.storage.drafts.delete_draft(person_id=who.person_id, flow=FLOW_RETURN)
        return found
    try:
        with services.storage.session() as s:
            problem = problems.step(s, problem_id=problem_id, action="return", expect=[ProblemStatus.reported, ProblemStatus.verified], to=ProblemStatus.open,
                                    actor_person_id=who.person_id, now=now, comment=comment,
                                    changes={"returned_times": found.returned_times + 1, "verification": comment, "escalated_at": None})
            drafts.delete_draft(s, person_id=who.person_id, flow=FLOW_RETURN)
    except StaleStep as e:
        services.storage.drafts.delete_draft(person_id=who.person_id, flow=FLOW_RETURN)
        return _stale(language, e)
    notices = _tell(services, unit_liaisons(services, problem.unit_id), "problems.notice.returned", problem, now, comment=comment)
    for notice in notices:
        notice.buttons = [[Btn(t(language_of(services, notice.person), "problems.button.report"), BUTTON, ("r", problem.id or 0))]]
    return Outcome([Reply(t(language, "problems.returned", number=problem.number, comment=comment))], notices)
