"""Registering a problem by chat: a conversation kept as a draft (`FLOW_NEW`), one question a step.

A coordinator registers for any unit of their subtree (typed by name or code, or a button);
a liaison for their own unit (from an inspection of their own). Steps: unit → description →
source → severity → responsible person → 整改时限 → confirm. A bad answer is explained and the
same question asked again; nothing typed before is lost.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Services
from bot.models import Unit
from bot.services.people.access import Roles
from bot.services.problems.common import BUTTON, FLOW_NEW, Btn, Notice, Reply, end_of_day, headline, language_of, open_button, unit_liaisons
from bot.services.problems.lifecycle import Outcome
from bot.storage import drafts, problems, units
from bot.storage.problems import NewProblem
from bot.texts.catalog import Markup, t
from schedules import parse_when

STEPS = ("unit", "description", "source", "severity", "responsible", "due", "confirm")
LIMITS = {"description": 2000, "source": 200, "responsible": 100}
MAX_UNIT_BUTTONS = 12


def allowed_units(services: Services, who: Roles) -> list[Unit]:
    """The units this user may register a problem for."""
    with services.storage.session() as s:
        every = units.list_units(s)
    if who.is_coordinator:
        return [u for u in every if u.id is not None and who.sees(u.id)]
    return [u for u in every if u.id in who.units()]


def _ask(services: Services, who: Roles, state: str, data: dict[str, object], language: str) -> Reply:
    if state == "unit":
        choices = allowed_units(services, who)[:MAX_UNIT_BUTTONS]
        return Reply(t(language, "problems.new.ask-unit"), [[Btn(u.name, BUTTON, ("nu", u.id or 0))] for u in choices])
    if state == "severity":
        return Reply(t(language, "problems.new.ask-severity"), [[Btn(x, BUTTON, ("ns", i)) for i, x in enumerate(services.config.problems.severities)]])
    if state == "confirm":
        summary = t(language, "problems.new.summary", unit=str(data["unit_name"]), description=str(data["description"]), source=str(data["source"]) or "—",
                    severity=str(data["severity"]), responsible=str(data["responsible"]), due=str(data["due"]))
        return Reply(summary, [[Btn(t(language, "problems.new.confirm"), BUTTON, ("ny", 0)), Btn(t(language, "problems.cancel"), BUTTON, ("c", 0))]])
    return Reply(t(language, f"problems.new.ask-{state}"))


def _next(data: dict[str, object]) -> str:
    return next(step for step in STEPS if step == "confirm" or step not in data)


def _save(services: Services, who: Roles, data: dict[str, object], now: datetime) -> str:
    assert who.person_id is not None
    state = _next(data)
    services.storage.drafts.save_draft(person_id=who.person_id, flow=FLOW_NEW, state=state, data=data, now=now)
    return state


def start(services: Services, who: Roles, *, language: str, now: datetime) -> Outcome:
    """/newproblem: the first question (the unit is known when a liaison has only one)."""
    choices = allowed_units(services, who)
    if not choices:
        return Outcome([Reply(t(language, "problems.new.no-units"))])
    data: dict[str, object] = {}
    if len(choices) == 1:
        data = {"unit": choices[0].id, "unit_name": choices[0].name}
    state = _save(services, who, data, now)
    return Outcome([_ask(services, who, state, data, language)])


def _unit_from(services: Services, who: Roles, text: str) -> Unit | None | list[Unit]:
    word = text.strip().lower()
    choices = allowed_units(services, who)
    exact = [u for u in choices if word in (u.code.lower(), u.name.lower())]
    if exact:
        return exact[0]
    partial = [u for u in choices if word and word in u.name.lower()]
    return partial[0] if len(partial) == 1 else (partial or None)


def answer(services: Services, who: Roles, *, state: str, data: dict[str, object], text: str, language: str, now: datetime) -> Outcome:
    """A typed answer to the current question."""
    text = text.strip()
    data = dict(data)
    if state == "unit":
        found = _unit_from(services, who, text)
        if not isinstance(found, Unit):
            names = "、".join(u.name for u in found) if isinstance(found, list) else ""
            key = "problems.new.ambiguous-unit" if names else "problems.new.unknown-unit"
            return Outcome([Reply(t(language, key, word=text, names=names)), _ask(services, who, state, data, language)])
        data.update(unit=found.id, unit_name=found.name)
    elif state in LIMITS:
        if state == "source" and text in ("-", "—", "无", "none"):
            text = ""
        if (state != "source" and not text) or len(text) > LIMITS[state]:
            return Outcome([Reply(t(language, "problems.new.bad-text", max=LIMITS[state])), _ask(services, who, state, data, language)])
        data[state] = text
    elif state == "severity":
        if text not in services.config.problems.severities:
            return Outcome([Reply(t(language, "problems.new.bad-severity", choices="、".join(services.config.problems.severities)))])
        data["severity"] = text
    elif state == "due":
        when = parse_when(text, now=now, tz=services.config.campaign.tz)
        today = now.astimezone(services.config.campaign.tz).date()
        if when is None:
            return Outcome([Reply(t(language, "problems.new.bad-due", word=text))])
        if when.day < today:
            return Outcome([Reply(t(language, "problems.new.past-due", day=when.day.isoformat()))])
        data["due"] = when.day.isoformat()
    else:
        return Outcome([_ask(services, who, state, data, language)])
    state = _save(services, who, data, now)
    return Outcome([_ask(services, who, state, data, language)])


def choose(services: Services, who: Roles, *, op: str, arg: int, language: str, now: datetime) -> Outcome:
    """A button of the conversation: a unit (nu), a severity (ns), or the confirmation (ny)."""
    assert who.person_id is not None
    draft = services.storage.drafts.get_draft(person_id=who.person_id, flow=FLOW_NEW)
    if draft is None:
        return Outcome([Reply(t(language, "problems.new.expired"))])
    data = dict(draft.data)
    if op == "nu" and draft.state == "unit":
        unit = next((u for u in allowed_units(services, who) if u.id == arg), None)
        if unit is None:
            return Outcome([Reply(t(language, "problems.not-yours"))])
        data.update(unit=unit.id, unit_name=unit.name)
    elif op == "ns" and draft.state == "severity" and 0 <= arg < len(services.config.problems.severities):
        data["severity"] = services.config.problems.severities[arg]
    elif op == "ny" and draft.state == "confirm":
        return _register(services, who, data, language=language, now=now)
    else:
        return Outcome([_ask(services, who, draft.state, data, language)])
    state = _save(services, who, data, now)
    return Outcome([_ask(services, who, state, data, language)])


def _register(services: Services, who: Roles, data: dict[str, object], *, language: str, now: datetime) -> Outcome:
    from datetime import date

    unit_id = int(str(data["unit"]))
    if unit_id not in {u.id for u in allowed_units(services, who)}:
        return Outcome([Reply(t(language, "problems.not-yours"))])
    item = NewProblem(
        unit_id=unit_id, description=str(data["description"]), source=str(data.get("source") or ""), severity=str(data["severity"]),
        responsible=str(data["responsible"]), due_at=end_of_day(date.fromisoformat(str(data["due"])), services),
    )
    assert who.person_id is not None
    with services.storage.session() as s:
        [problem] = problems.add_problems(s, items=[item], actor_person_id=who.person_id, now=now, how="chat")
        drafts.delete_draft(s, person_id=who.person_id, flow=FLOW_NEW)
    return Outcome([Reply(t(language, "problems.new.done", number=problem.number), [[open_button(language, problem)]])], assigned(services, [problem], now))


def assigned(services: Services, found: list, now: datetime) -> list[Notice]:
    """Tell each problem's unit (its liaisons) that a problem was assigned to it, with 签收."""
    out = []
    with services.storage.session() as s:
        names = {u.id: u.name for u in units.list_units(s, active_only=False)}
    for problem in found:
        for person in unit_liaisons(services, problem.unit_id):
            language = language_of(services, person)
            text = t(language, "problems.notice.assigned", line=Markup(headline(services, problem, names.get(problem.unit_id, "—"), language, now)),
                     description=problem.description, responsible=problem.responsible or "—")
            out.append(Notice(person, text, [[Btn(t(language, "problems.button.ack"), BUTTON, ("a", problem.id or 0)), open_button(language, problem)]]))
    return out
