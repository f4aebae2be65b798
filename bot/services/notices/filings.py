"""Coordinators told of each filing (and refiling) at once, or in the daily digest (the default): /notify.

A coordinator who chose "at once" gets one message per filing made since the choice, within
their subtree if bound to a unit, never their own. Each message is a `ReminderSent` row claimed
under (person, `filed@<submission id>`), so it goes out once whoever sends it: the job started
right after a filing (`jobs.soon`) or the reminders' minute sweep. Nothing goes out in the quiet
hours; what was filed then is told at their end (within `LOOKBACK`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.context import Services
from bot.models import DueItem, FilingNotices, ReminderKind, Role, Submission, SubmissionKind, Unit, id_of
from bot.replies import Btn, Reply
from bot.services.deadlines.reports import find_report, period_label, report_title
from bot.services.people.access import Roles
from bot.services.reminders import delivery
from bot.services.reminders.policy import quiet_now
from bot.storage import notices, reminders, roles
from bot.storage import units as unit_store
from bot.texts.catalog import t

LOOKBACK = timedelta(hours=18)  # filings older than this are left to the digest (a long outage, the quiet hours)
KEY = "filed@"
ACTION = "ntf"


def choice_of(services: Services, person_id: int) -> FilingNotices:
    with services.storage.session() as s:
        pref = notices.get_pref(s, person_id=person_id)
    return pref.filings if pref is not None else FilingNotices.digest


def show(services: Services, who: Roles, *, language: str) -> list[Reply]:
    """/notify: the current choice and the two buttons."""
    assert who.person_id is not None
    current = choice_of(services, who.person_id)
    rows = [[Btn(("✅ " if current is c else "") + t(language, f"notices.notify-{c.value}"), ACTION, (c.value,))] for c in FilingNotices]
    return [Reply(t(language, "notices.notify-title", current=t(language, f"notices.notify-{current.value}")), rows)]


def choose(services: Services, who: Roles, value: str, *, language: str, now: datetime) -> list[Reply]:
    """A press on /notify's buttons: record the choice."""
    assert who.person_id is not None
    try:
        chosen = FilingNotices(value)
    except ValueError:
        return [Reply("", alert=t(language, "error.stale-button"))]
    with services.storage.session() as s:
        notices.set_pref(s, person_id=who.person_id, filings=chosen, now=now)
    return [Reply(t(language, f"notices.notify-set-{chosen.value}"), edit=True)]


def scope_of(services: Services, person_id: int) -> frozenset[int] | None:
    with services.storage.session() as s:
        held = [a for a in roles.roles_of(s, person_id=person_id) if a.role == Role.coordinator]
        if not held:
            return frozenset()
        if any(a.unit_id is None for a in held):
            return None
        return frozenset(unit_store.subtree_ids(s, unit_ids=[a.unit_id for a in held if a.unit_id is not None]))


def line(services: Services, submission: Submission, unit: Unit, item: DueItem, language: str) -> str:
    """One filing in a coordinator's language: who filed what, for which period, new or again."""
    report = find_report(services, item.report_key)
    title = report_title(report, language) if report is not None else item.report_key
    period = period_label(services, report, period_key=item.period_key, stored=item.period_label, language=language)
    key = "notices.refiled" if submission.version > 1 else "notices.zero-filed" if submission.kind == SubmissionKind.zero else "notices.filed"
    text = t(language, key, unit=unit.name, report=title, period=period, item=submission.item_no, version=submission.version)
    return text + (t(language, "notices.late") if submission.late else "")


async def tell_filings(services: Services, bot: Any, *, now: datetime) -> int:
    """Tell every coordinator who chose "at once" of the filings made since; how many messages went out."""
    if quiet_now(services, now):
        return 0

    def read() -> tuple[list[Any], list[Any], set[int | None]]:  # (in a worker thread: each minute's sweep asks)
        with services.storage.read() as s:
            prefs = notices.told_at_once(s)
            if not prefs:
                return [], [], set()
            earliest = max(min(p.since for p in prefs), now - LOOKBACK)
            return prefs, notices.filings_since(s, since=earliest), {p.id for p in roles.people_with_role(s, role=Role.coordinator)}

    prefs, found, staff = await services.reads(read)
    if not prefs:
        return 0
    sent = 0
    for pref in prefs:
        if pref.person_id not in staff:
            continue
        scope = await services.writes(scope_of, services, pref.person_id)
        person = await services.writes(services.storage.people.get_person, person_id=pref.person_id)
        if person is None or not person.reachable:
            continue
        language = person.language or services.config.language
        for submission, unit, item in found:
            if submission.submitted_at < pref.since or submission.person_id == pref.person_id:
                continue
            if scope is not None and unit.id not in scope:
                continue
            rid = await services.writes(services.storage.reminders.claim_reminder,
                due_item_id=None, unit_id=None, person_id=pref.person_id, moment_key=f"{KEY}{id_of(submission)}",
                kind=ReminderKind.filing, now=now,
            )
            if rid is None:
                continue
            result = await delivery.deliver(
                services, bot, reminder_id=rid, person_id=pref.person_id, chat_id=person.chat_id or person.telegram_user_id,
                text=await services.writes(line, services, submission, unit, item, language), markup=None,
            )
            sent += result.outcome is delivery.Outcome.sent
            if result.outcome is delivery.Outcome.unreachable:
                break
    return sent


def digest_lines(services: Services, *, person_id: int, since: datetime, now: datetime, language: str, scope: frozenset[int] | None) -> list[str]:
    """For a coordinator who hears of filings in the digest: the filings since the last digest, one line each (at most 30, then a count)."""
    if choice_of(services, person_id) is FilingNotices.now:
        return []
    with services.storage.session() as s:
        found = [(sub, unit, item) for sub, unit, item in notices.filings_since(s, since=since) if sub.submitted_at <= now]
        told = {sub.id for sub, _, _ in found if reminders.was_claimed(
            s, due_item_id=None, unit_id=None, person_id=person_id, moment_key=f"{KEY}{id_of(sub)}",
        )}  # told at once before they chose the digest
    found = [(sub, unit, item) for sub, unit, item in found if (scope is None or unit.id in scope) and sub.id not in told]
    if not found:
        return []
    shown = [line(services, sub, unit, item, language) for sub, unit, item in found[:30]]
    more = [t(language, "notices.digest-more", count=len(found) - 30)] if len(found) > 30 else []
    return [t(language, "notices.digest-filings", count=len(found)), *shown, *more]
