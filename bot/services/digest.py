"""The coordinators' daily digest (每日汇总) and the leaders' escalations (逾期升级).

Both are `ReminderSent` rows claimed before sending, so each goes out once even with two
processes: the digest is unique per coordinator and day (`digest@2023-08-16`, no due item);
an escalation per leader, due item and unit (`escalation@<unit id>`), so once per obligation.
The digest is sent at `digest_time` (campaign zone), late within `missed_grace` after downtime,
and only when something is overdue, someone is unreachable, or a reminder's delivery is unknown.

A coordinator or leader who never started the bot cannot be messaged (403 "can't initiate
conversation"): that digest or escalation is given up, and the digests of the coordinators
who can be reached name them apart from those who blocked the bot, so that someone asks them
to open the bot and press Start (from the first digest after their 403).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import Services
from bot.models import Person, ReminderKind, Role
from bot.services import delivery
from bot.storage import due, people, reminders, roles
from bot.texts.catalog import Markup, t

log = logging.getLogger(__name__)


def digest_at(services: Services, day: Any) -> datetime:
    """The digest moment of a local day, in UTC."""
    tz = services.config.campaign.tz
    return datetime.combine(day, services.config.reminders.digest_time, tzinfo=tz).astimezone(UTC)


def next_digest_at(services: Services, now: datetime) -> datetime:
    """The first digest moment after `now`."""
    today = now.astimezone(services.config.campaign.tz).date()
    at = digest_at(services, today)
    return at if at > now else digest_at(services, today + timedelta(days=1))


def _language(services: Services, person: Person) -> str:
    return person.language or services.config.language


def digest_text(services: Services, *, now: datetime, language: str) -> str | None:
    """The digest: overdue obligations by report and period, and unreachable people; None if nothing."""
    from bot.services.reports import report_of, report_title

    with services.storage.session() as s:
        overdue = due.outstanding(s, due_before=now)
        unreachable = people.unreachable_people(s)
        staff = {p.id for role in (Role.coordinator, Role.leader) for p in roles.people_with_role(s, role=role)}
        errors = reminders.last_unreachable_errors(s, person_ids=[p.id for p in unreachable if p.id in staff])  # type: ignore[misc]
        unknown = reminders.unknown_deliveries(s, since=now - timedelta(days=1))
        leaders = {p.id for p in roles.people_with_role(s, role=Role.leader)}
    never_started = [p for p in unreachable if never_started_bot(errors.get(p.id))]  # type: ignore[arg-type]
    unreachable = [p for p in unreachable if p not in never_started]
    if not overdue and not unreachable and not never_started and not unknown:
        return None
    lines = [t(language, "reminders.digest-title")]
    groups: dict[tuple[str, str], list[str]] = {}
    for view in overdue:
        groups.setdefault((view.due_item.report_key, view.due_item.period_label), []).append(view.unit.name)
    for (report_key, period), units in groups.items():
        try:
            title = report_title(report_of(services, report_key), language)
        except KeyError:
            title = report_key
        lines.append(t(language, "reminders.digest-line", title=title, period=period, count=len(units), units="、".join(units)))
    if unreachable:
        names = "、".join(_name(p) for p in unreachable)
        lines.append(t(language, "reminders.digest-unreachable", count=len(unreachable), names=names))
    if never_started:
        names = Markup("、".join(
            t(language, "reminders.digest-person-role", name=_name(p), role=t(language, "reminders.role-leader" if p.id in leaders else "reminders.role-coordinator"))
            for p in never_started
        ))
        lines.append(t(language, "reminders.digest-never-started", count=len(never_started), names=names))
    if unknown:
        names = "、".join(dict.fromkeys(f"{unit.name}·{_name(person)}" if unit else _name(person) for _, person, unit in unknown))
        lines.append(t(language, "reminders.digest-unknown", count=len(unknown), names=names))
    return "\n".join(lines)


def _name(person: Person) -> str:
    return person.name or person.first_name or str(person.telegram_user_id)


def never_started_bot(error: str | None) -> bool:
    """Whether a 403 says the person never opened a chat with the bot (not: blocked it)."""
    return error is not None and "initiate conversation" in error.lower()


async def _send_once(
    services: Services, bot: Any, *, person: Person, due_item_id: int | None, unit_id: int | None,
    moment_key: str, kind: ReminderKind, text: str, now: datetime,
) -> delivery.Outcome | None:
    assert person.id is not None
    with services.storage.session() as s:
        rid = reminders.claim_reminder(s, due_item_id=due_item_id, unit_id=unit_id, person_id=person.id, moment_key=moment_key, kind=kind, now=now)
    if rid is None:
        return None
    result = await delivery.deliver(
        services, bot, reminder_id=rid, person_id=person.id, chat_id=person.chat_id or person.telegram_user_id, text=text, markup=None
    )
    return result.outcome


async def process_digest(services: Services, bot: Any, *, now: datetime) -> int:
    """Send today's digest to every coordinator once, from digest_time on (within missed_grace)."""
    today = now.astimezone(services.config.campaign.tz).date()
    at = digest_at(services, today)
    if not at <= now <= at + services.config.reminders.missed_grace:
        return 0
    key = f"digest@{today.isoformat()}"
    sent = 0
    for person in services.storage.roles.people_with_role(role=Role.coordinator):
        if not person.reachable:
            continue
        with services.storage.session() as s:
            if reminders.was_claimed(s, due_item_id=None, unit_id=None, person_id=person.id, moment_key=key):  # type: ignore[arg-type]
                continue
        text = digest_text(services, now=now, language=_language(services, person))
        if text is None:
            return 0
        if await _send_once(services, bot, person=person, due_item_id=None, unit_id=None, moment_key=key, kind=ReminderKind.digest, text=text, now=now):
            sent += 1
    return sent


async def process_escalations(services: Services, bot: Any, *, now: datetime) -> int:
    """Tell every leader, once per obligation, of units `escalate_after_days` overdue (one message a run)."""
    from bot.services.reports import report_of, report_title

    days = services.config.reminders.escalate_after_days
    tz = services.config.campaign.tz
    with services.storage.session() as s:
        late = due.outstanding(s, due_before=now - timedelta(days=days))
        leaders = [p for p in roles.people_with_role(s, role=Role.leader) if p.reachable]
    sent = 0
    for leader in leaders:
        assert leader.id is not None
        claimed: list[tuple[int, Any]] = []
        with services.storage.session() as s:
            for view in late:
                rid = reminders.claim_reminder(
                    s, due_item_id=view.due_item.id, unit_id=view.unit.id, person_id=leader.id,
                    # (the unit in the moment key predates the unit in the unique key; kept so that
                    # escalations claimed before it still count)
                    moment_key=f"escalation@{view.unit.id}", kind=ReminderKind.escalation, now=now,
                )
                if rid is not None:
                    claimed.append((rid, view))
        if not claimed:
            continue
        language = _language(services, leader)
        lines = [t(language, "reminders.escalation", days=days)]
        for _, view in claimed:
            try:
                title = report_title(report_of(services, view.due_item.report_key), language)
            except KeyError:
                title = view.due_item.report_key
            date = view.due_item.due_at.astimezone(tz).strftime("%Y-%m-%d")
            lines.append(t(language, "reminders.escalation-line", unit=view.unit.name, title=title, period=view.due_item.period_label, date=date))
        result = await delivery.deliver(
            services, bot, reminder_id=claimed[0][0], person_id=leader.id,
            chat_id=leader.chat_id or leader.telegram_user_id, text="\n".join(lines), markup=None,
        )
        with services.storage.session() as s:  # the other obligations share the one message's fate
            for rid, _ in claimed[1:]:
                if result.outcome is delivery.Outcome.sent:
                    reminders.mark_reminder_sent(s, reminder_id=rid, message_id=result.message_id, now=now)
                else:
                    reminders.give_up_reminder(s, reminder_id=rid, error=f"escalation message {result.outcome}", attempts=delivery.FINAL, now=now)
        sent += result.outcome is delivery.Outcome.sent
    return sent
