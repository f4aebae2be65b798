"""The problems' timer job: 到期催办 and escalation, and chasing a 签收.

Every `[problems] check_every` (a JobQueue job of this wing, `schedule`), outside the quiet hours
and from the digest time on:
- an open problem past its 整改时限 is reminded to its unit's liaisons once a day;
- one `escalate_after_days` days past it is escalated once to the coordinators of the level above;
- a problem nobody of its unit acknowledged (签收) within `acknowledge_within` is chased once.
Each message is claimed first (a `ReminderSent` row unique by person and moment key), so none is
sent twice whatever restarts; each is noted in the problem's trail.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from bot.context import Services
from bot.models import Person, Problem, ProblemStatus, ReminderKind
from bot.services.problems.common import BUTTON, Btn, Notice, days_overdue, headline, language_of, level_above, open_button, send_notices, unit_liaisons
from bot.storage import problems, reminders, units
from bot.texts.catalog import Markup, t, tn
from schedules.plan import in_quiet_hours

log = logging.getLogger(__name__)


def _claim(services: Services, person: Person, problem: Problem, key: str, kind: ReminderKind, now: datetime) -> int | None:
    assert person.id is not None
    with services.storage.session() as s:
        return reminders.claim_reminder(s, due_item_id=None, unit_id=problem.unit_id, person_id=person.id, moment_key=key, kind=kind, now=now)


async def _send(services: Services, bot: Any, claimed: list[tuple[int, Notice]], now: datetime) -> int:
    sent = 0
    for rid, notice in claimed:
        if await send_notices(services, bot, [notice]):
            await services.writes(services.storage.reminders.mark_reminder_sent, reminder_id=rid, message_id=None, now=now)
            sent += 1
        else:
            await services.writes(services.storage.reminders.mark_reminder_failed, reminder_id=rid, error="not reached", unreachable=True, now=now)
    return sent


def _notice(services: Services, person: Person, problem: Problem, unit_name: str, key: str, now: datetime, *, ack: bool = False, **params: object) -> Notice:
    language = language_of(services, person)
    line = Markup(headline(services, problem, unit_name, language, now))
    buttons = [[open_button(language, problem)]]
    if ack:
        buttons[0].insert(0, Btn(t(language, "problems.button.ack"), BUTTON, ("a", problem.id or 0)))
    count = params.pop("count", None)  # a text with plural forms
    text = tn(language, key, int(str(count)), line=line, **params) if count is not None else t(language, key, line=line, **params)
    return Notice(person, text, buttons)


def awake(services: Services, now: datetime) -> bool:
    """From the digest time on, and not inside the quiet hours: when these messages may go out."""
    local = now.astimezone(services.config.campaign.tz)
    quiet = services.config.reminders.quiet_hours
    return local.time() >= services.config.reminders.digest_time and not (quiet is not None and in_quiet_hours(local, quiet))


async def tick(services: Services, bot: Any, *, now: datetime) -> int:
    """One run: reminders, escalations and 签收 chases due now; how many messages went out."""
    if not awake(services, now):
        return 0
    settings = services.config.problems
    today = now.astimezone(services.config.campaign.tz).date().isoformat()

    def plan() -> list[tuple[int, Notice]]:  # (in a worker thread: the problems due, the claims, the escalations recorded)
        with services.storage.session() as s:
            late = [r.problem for r in problems.list_problems(s, statuses=[ProblemStatus.open], due_before=now)]
            unacked = problems.unacknowledged(s, created_before=now - settings.acknowledge_within)
            names = {u.id: u.name for u in units.list_units(s, active_only=False)}
        claimed: list[tuple[int, Notice]] = []
        escalated: list[Problem] = []
        for problem in late:
            name = names.get(problem.unit_id, "—")
            days = days_overdue(problem, services, now)
            for person in unit_liaisons(services, problem.unit_id):
                rid = _claim(services, person, problem, f"problem:{problem.id}:overdue:{today}", ReminderKind.overdue, now)
                if rid is not None:
                    claimed.append((rid, _notice(services, person, problem, name, "problems.notice.overdue", now, count=max(days, 1))))
            if days >= settings.escalate_after_days and problem.escalated_at is None:
                for person in level_above(services, problem.unit_id):
                    rid = _claim(services, person, problem, f"problem:{problem.id}:escalate:{problem.returned_times}", ReminderKind.escalation, now)
                    if rid is not None:
                        claimed.append((rid, _notice(services, person, problem, name, "problems.notice.escalated", now, count=days)))
                escalated.append(problem)
        for problem in unacked:
            for person in unit_liaisons(services, problem.unit_id):
                rid = _claim(services, person, problem, f"problem:{problem.id}:ack", ReminderKind.reminder, now)
                if rid is not None:
                    claimed.append((rid, _notice(services, person, problem, names.get(problem.unit_id, "—"), "problems.notice.ack-chase", now, ack=True)))
        with services.storage.session() as s:
            for problem in escalated:
                assert problem.id is not None
                problems.step(s, problem_id=problem.id, action="escalate", expect=[ProblemStatus.open], to=None, actor_person_id=None, now=now, changes={"escalated_at": now})
        return claimed

    claimed = await services.writes(plan)
    sent = await _send(services, bot, claimed, now)
    if sent:
        log.info("problems: %d reminder(s), escalation(s) or 签收 chase(s) sent", sent)
    return sent


def schedule(application: Any, services: Services) -> None:
    """Run `tick` every `[problems] check_every` on the application's JobQueue."""

    async def job(context: Any) -> None:
        try:
            await tick(services, context.bot, now=services.clock.now())
        except Exception:  # the next run tries again; a crash must not stop the job
            log.exception("problems: the overdue check failed")

    assert application.job_queue is not None
    every = services.config.problems.check_every.total_seconds()
    application.job_queue.run_repeating(job, interval=every, first=every, name="problems")
