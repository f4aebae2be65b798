"""The coordinators' daily digest and the leaders' escalations, split to fit Telegram's limit.

What goes in them and when: docs/reminders.md (Digest and escalations)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from bot.context import Services
from bot.models import Person, ReminderKind, ReminderStatus, Role, id_of
from bot.services.reminders import delivery
from bot.replies import TELEGRAM_LIMIT, split
from bot.storage import deliveries, due, people, reminders, roles, snoozes
from bot.storage import units as unit_store
from bot.texts.catalog import Markup, t, tn

log = logging.getLogger(__name__)

HEADING_ROOM = 200  # characters kept free in each part for its heading ("📋 每日汇总（2/3）")
PART_LIMIT = TELEGRAM_LIMIT - HEADING_ROOM

Item = TypeVar("Item")


def digest_at(services: Services, day: Any) -> datetime:
    """The digest moment of a local day, in UTC."""
    tz = services.config.campaign.tz
    return datetime.combine(day, services.config.reminders.digest_time, tzinfo=tz).astimezone(UTC)


def next_digest_at(services: Services, now: datetime) -> datetime:
    """The first digest moment after `now`."""
    today = now.astimezone(services.config.campaign.tz).date()
    at = digest_at(services, today)
    return at if at > now else digest_at(services, today + timedelta(days=1))


def digest_day(services: Services, now: datetime) -> date | None:
    """The local day whose digest (and escalations) may go out at `now`: from its `digest_time`
    until `missed_grace` later (the quiet hours not counted), never inside the quiet hours."""
    from bot.services.reminders.policy import grace_deadline, quiet_now

    today = now.astimezone(services.config.campaign.tz).date()
    at = digest_at(services, today)
    if quiet_now(services, now) or not at <= now <= grace_deadline(services, at):
        return None
    return today


def _language(services: Services, person: Person) -> str:
    return person.language or services.config.language


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def pack(items: Sequence[Item], text_of: Callable[[Item], str], limit: int = PART_LIMIT) -> list[list[Item]]:
    """Items in order, in groups whose lines (joined by line breaks) stay within `limit` characters."""
    groups: list[list[Item]] = []
    size = 0
    for item in items:
        length = _utf16(text_of(item)) + 1
        if groups and groups[-1] and size + length <= limit:
            groups[-1].append(item)
            size += length
        else:
            groups.append([item])
            size = length
    return groups


def _parts(heading: Callable[[int, int], str], lines: list[str]) -> list[str]:
    """Messages of `lines` under a heading each (`heading(part, parts)`, parts > 1), within Telegram's limit.

    A line too long for one message on its own is cut (`forms.render.split`, never inside an
    HTML entity; our digest lines carry no tags).
    """
    pieces = [piece for line in lines for piece in split(line, PART_LIMIT)]
    groups = pack(pieces, lambda x: x)
    return [heading(index + 1, len(groups)) + "\n" + "\n".join(group) for index, group in enumerate(groups)]


def _digest_lines(services: Services, *, now: datetime, language: str, unit_ids: frozenset[int] | None = None) -> list[str] | None:
    """The digest's lines (without its title): overdue obligations by report and period,
    unreachable people, messages of unknown delivery or not delivered; None if nothing.

    A coordinator of one level (`unit_ids`: their subtree) reads the overdue units of their subtree only."""
    from bot.services.deadlines.reports import find_report, period_label, report_title

    since = digest_at(services, now.astimezone(services.config.campaign.tz).date() - timedelta(days=1))
    with services.storage.session() as s:
        overdue = due.outstanding(s, due_before=now)
        # former liaisons (replaced, removed) are nobody's concern: only people holding a role now
        unreachable = [p for p in people.unreachable_people(s) if roles.roles_of(s, person_id=id_of(p))]
        staff = {p.id for role in (Role.coordinator, Role.leader) for p in roles.people_with_role(s, role=role)}
        errors = deliveries.last_unreachable_errors(s, person_ids=[id_of(p) for p in unreachable if p.id in staff])
        unknown = deliveries.unknown_deliveries(s, since=since)
        undelivered = deliveries.undelivered(s, since=since)
        leaders = {p.id for p in roles.people_with_role(s, role=Role.leader)}
    if unit_ids is not None:
        overdue = [v for v in overdue if v.unit.id in unit_ids]
        unreachable, unknown, undelivered = [], [], []
    never_started = [p for p in unreachable if delivery.never_started_bot(errors.get(id_of(p)))]
    unreachable = [p for p in unreachable if p not in never_started]
    if not overdue and not unreachable and not never_started and not unknown and not undelivered:
        return None
    lines: list[str] = []
    groups: dict[tuple[str, str, str], list[str]] = {}
    for view in overdue:
        groups.setdefault((view.due_item.report_key, view.due_item.period_key, view.due_item.period_label), []).append(view.unit.name)
    for (report_key, period_key, stored), units in groups.items():
        report = find_report(services, report_key)
        title = report_title(report, language) if report is not None else report_key
        period = period_label(services, report, period_key=period_key, stored=stored, language=language)
        lines.append(tn(language, "reminders.digest-line", len(units), title=title, period=period, units=_join(language, units)))
    if unreachable:
        names = _join(language, [_name(p) for p in unreachable])
        lines.append(t(language, "reminders.digest-unreachable", count=len(unreachable), names=names))
    if never_started:
        names = Markup(_join(language, [
            t(language, "reminders.digest-person-role", name=_name(p), role=t(language, "reminders.role-leader" if p.id in leaders else "reminders.role-coordinator"))
            for p in never_started
        ]))
        lines.append(t(language, "reminders.digest-never-started", count=len(never_started), names=names))
    for key, rows in (("reminders.digest-unknown", unknown), ("reminders.digest-undelivered", undelivered)):
        if rows:
            names = _join(language, list(dict.fromkeys(f"{unit.name}·{_name(person)}" if unit else _name(person) for _, person, unit in rows)))
            lines.append(tn(language, key, len(rows), names=names))
    return lines


def digest_text(services: Services, *, now: datetime, language: str) -> str | None:
    """The whole digest as one text (it may exceed one message: see `digest_parts`); None if nothing."""
    lines = _digest_lines(services, now=now, language=language)
    return None if lines is None else "\n".join([t(language, "reminders.digest-title"), *lines])


def digest_parts(
    services: Services, *, now: datetime, language: str, unit_ids: frozenset[int] | None = None, extra: list[str] | None = None
) -> list[str] | None:
    """The digest as the messages it is sent in, each within Telegram's limit; None if nothing.
    `extra`: lines of this reader's own (the filings since the last digest)."""
    lines = _digest_lines(services, now=now, language=language, unit_ids=unit_ids)
    if extra:
        lines = [*(lines or []), *extra]
    if lines is None:
        return None

    def heading(part: int, parts: int) -> str:
        if parts == 1:
            return t(language, "reminders.digest-title")
        return t(language, "reminders.digest-title-part", part=part, parts=parts)

    return _parts(heading, lines)


def _scope_of(services: Services, person_id: int) -> frozenset[int] | None:
    """The units a coordinator sees: None for a campaign-wide one, else the subtrees of the units they are bound to."""
    with services.storage.session() as s:
        held = [a for a in roles.roles_of(s, person_id=person_id) if a.role == Role.coordinator]
        if not held or any(a.unit_id is None for a in held):
            return None
        return frozenset(unit_store.subtree_ids(s, unit_ids=[a.unit_id for a in held if a.unit_id is not None]))


def _join(language: str, names: list[str]) -> str:
    return ("、" if language == "zh-CN" else ", ").join(names)


def _name(person: Person) -> str:
    return person.name or person.first_name or str(person.telegram_user_id)


def _give_up_undelivered(services: Services, *, reminder_id: int, what: str, now: datetime) -> None:
    """A digest or escalation that surely did not arrive and is not retried: "not delivered" (in the next digest)."""
    with services.storage.session() as s:
        row = reminders.get_reminder(s, reminder_id=reminder_id)
        if row is None or row.status != ReminderStatus.failed or reminders.UNDELIVERED in (row.last_error or ""):
            return  # not failed, or already given up so (a 400 is recorded "not delivered" by the delivery itself)
        last = (row.last_error or "").split(" ", 1)[-1]
        deliveries.give_up_reminder(s, reminder_id=reminder_id, error=f"{reminders.UNDELIVERED}: {what}; last error: {last}", attempts=delivery.FINAL, now=now)


async def process_digest(services: Services, bot: Any, *, now: datetime) -> int:
    """Send today's digest to every coordinator once, from digest_time on (within missed_grace),
    in as many messages as it takes."""
    today = digest_day(services, now)
    if today is None:
        return 0
    from bot.services.notices import filings

    key = f"digest@{today.isoformat()}"

    def claimed(person: Person) -> tuple[int, list[str]] | None:  # (in a worker thread: the digest's reads, its claim)
        assert person.id is not None
        with services.storage.session() as s:
            if reminders.was_claimed(s, due_item_id=None, unit_id=None, person_id=person.id, moment_key=key):
                return None
        scope = _scope_of(services, person.id)
        language = _language(services, person)
        since = digest_at(services, today - timedelta(days=1))
        filed = filings.digest_lines(services, person_id=person.id, since=since, now=now, language=language, scope=scope)
        parts = digest_parts(services, now=now, language=language, unit_ids=scope, extra=filed)
        if parts is None:
            return None  # nothing for this coordinator; others may have something (their subtree, their filings)
        with services.storage.session() as s:
            rid = reminders.claim_reminder(s, due_item_id=None, unit_id=None, person_id=person.id, moment_key=key, kind=ReminderKind.digest, now=now)
        return None if rid is None else (rid, parts)

    sent = 0
    for person in await services.writes(services.storage.roles.people_with_role, role=Role.coordinator):
        if not person.reachable:
            continue
        assert person.id is not None
        taken = await services.writes(claimed, person)
        if taken is None:
            continue
        rid, parts = taken
        result = await delivery.deliver_parts(
            services, bot, reminder_id=rid, person_id=person.id, chat_id=person.chat_id or person.telegram_user_id, texts=parts
        )
        if result.outcome is delivery.Outcome.failed:
            await services.writes(_give_up_undelivered, services, reminder_id=rid, what="the daily digest", now=services.clock.now())
        sent += result.outcome is delivery.Outcome.sent
    return sent


async def process_escalations(services: Services, bot: Any, *, now: datetime) -> int:
    """Tell every leader, once per obligation, of units `escalate_after_days` overdue, at the digest time.

    One message a run for all the obligations newly escalated to a leader, or several when
    they do not fit in one; each message is one delivery for its first row, and the other rows
    of that message share its fate. Escalations that could not reach a leader (403: they had
    not started the bot yet, or blocked it) are sent once they can be reached, while still
    late. Returns how many messages went out.
    """
    from bot.services.deadlines.reports import report_of, report_title

    today = digest_day(services, now)
    if today is None:
        return 0
    days = services.config.reminders.escalate_after_days
    tz = services.config.campaign.tz

    def read() -> tuple[list[Person], list[Any]]:  # (in a worker thread, as each database call here)
        with services.storage.session() as s:
            leaders = [p for p in roles.people_with_role(s, role=Role.leader) if p.reachable]
            # late as of today's digest time: one turning late later in the day waits for tomorrow's
            return leaders, due.outstanding(s, due_before=digest_at(services, today) - timedelta(days=days)) if leaders else []

    def claim(leader: Person, claimed: list[tuple[int, Any]], attempts: dict[int, int]) -> list[tuple[int, str]]:
        with services.storage.session() as s:
            for view in late:
                rid = reminders.claim_reminder(
                    s, due_item_id=view.due_item.id, unit_id=view.unit.id, person_id=id_of(leader),
                    # (the unit in the moment key predates the unit in the unique key; kept so that
                    # escalations claimed before it still count)
                    moment_key=f"escalation@{view.unit.id}", kind=ReminderKind.escalation, now=now,
                )
                if rid is None:  # escalated before: again only if it could not reach them then (403)
                    reopened = snoozes.reopen_unreached(
                        s, due_item_id=id_of(view.due_item), unit_id=id_of(view.unit), person_id=id_of(leader),
                        moment_key=f"escalation@{view.unit.id}", now=now,
                    )
                    if reopened is not None:
                        rid = reopened[0]
                        attempts[rid] = reopened[1]
                if rid is not None:
                    claimed.append((rid, view))
        if not claimed:
            return []
        language = _language(services, leader)
        lines: list[tuple[int, str]] = []
        for rid, view in claimed:
            try:
                title = report_title(report_of(services, view.due_item.report_key), language)
            except KeyError:
                title = view.due_item.report_key
            date_text = view.due_item.due_at.astimezone(tz).strftime("%Y-%m-%d")
            line = t(language, "reminders.escalation-line", unit=view.unit.name, title=title, period=view.due_item.period_label, date=date_text)
            lines.append((rid, split(line, PART_LIMIT)[0]))  # (a line never nears the limit; cut if it did)
        return lines

    leaders, late = await services.writes(read)
    sent = 0
    for leader in leaders:
        assert leader.id is not None
        attempts: dict[int, int] = {}  # of the rows taken up again (a new claim has 1)
        lines = await services.writes(claim, leader, [], attempts)
        if not lines:
            continue
        language = _language(services, leader)
        groups = pack(lines, lambda x: x[1])
        for index, group in enumerate(groups):
            if len(groups) == 1:
                heading = tn(language, "reminders.escalation", days)
            else:
                heading = tn(language, "reminders.escalation-part", days, part=index + 1, parts=len(groups))
            first, others = group[0][0], [rid for rid, _ in group[1:]]
            result = await delivery.deliver(
                services, bot, reminder_id=first, person_id=leader.id, chat_id=leader.chat_id or leader.telegram_user_id,
                text="\n".join([heading, *(line for _, line in group)]), markup=None, attempts=attempts.get(first, 1),
            )
            await services.writes(_share_fate, services, result, first=first, others=others)
            sent += result.outcome is delivery.Outcome.sent
            if result.outcome is delivery.Outcome.unreachable:  # the later messages cannot reach them either
                rest = [rid for later in groups[index + 1:] for rid, _ in later]
                await services.writes(_share_fate, services, result, first=first, others=rest)
                break
    return sent


def _share_fate(services: Services, result: delivery.Delivery, *, first: int, others: list[int]) -> None:
    """Record the rows sent in one message with row `first` as that message ended."""
    now = services.clock.now()
    if result.outcome is delivery.Outcome.failed:
        _give_up_undelivered(services, reminder_id=first, what="an escalation message", now=now)
    with services.storage.session() as s:
        for rid in others:
            if result.outcome is delivery.Outcome.sent:
                reminders.mark_reminder_sent(s, reminder_id=rid, message_id=result.message_id, now=now)
            elif result.outcome is delivery.Outcome.unreachable:
                # (failed, not unreachable: the 403 of row `first` is the one that tells why)
                deliveries.give_up_reminder(s, reminder_id=rid, error=f"{reminders.UNREACHED_WITH} {first}", attempts=delivery.FINAL, now=now)
            elif result.outcome is delivery.Outcome.unknown:
                error = f"{reminders.DELIVERY_UNKNOWN}: in one message with reminder {first}"
                deliveries.give_up_reminder(s, reminder_id=rid, error=error, attempts=delivery.FINAL, now=now)
            else:
                error = f"{reminders.UNDELIVERED}: in one message with reminder {first}"
                deliveries.give_up_reminder(s, reminder_id=rid, error=error, attempts=delivery.FINAL, now=now)
