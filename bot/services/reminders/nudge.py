"""一键催办: a coordinator nudges every unit that has not filed a due item, now.

A unit nudged for the same due item within `nudge_interval` is not nudged again; the
coordinator is told when the last nudge was. Nudges ignore quiet hours: a coordinator who
presses the button at night has decided that it cannot wait (the confirmation says so).
Each nudge is a `ReminderSent` row (kind nudge, key `nudge@<minute>`), claimed before sending.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.context import Services
from bot.models import DueItem, ReminderKind, Role
from bot.services.reminders import delivery
from bot.services.reminders.send import Summary, _recipients, run_pool, send_claimed
from bot.services.deadlines.reports import fetch_report
from bot.storage import due, reminders
from bot.storage.reminders import NUDGE_PREFIX, ReminderTarget
from schedules.plan import in_quiet_hours


@dataclass
class NudgePlan:
    """Who a nudge would reach now, and who was nudged too recently (unit name, last nudge)."""

    item: DueItem
    units: dict[int, list[ReminderTarget]] = field(default_factory=dict)
    refused: list[tuple[str, datetime]] = field(default_factory=list)
    quiet: bool = False


def plan_nudge(services: Services, *, due_item_id: int, now: datetime, unit_ids: frozenset[int] | None = None) -> NudgePlan | None:
    """The units (among `unit_ids`, if given: a coordinator of one level) a nudge of this due item would reach now;
    None if there is no such due item."""
    interval = services.config.reminders.nudge_interval
    with services.storage.read() as s:
        item = s.get(DueItem, due_item_id)
        if item is None:
            return None
        plan = NudgePlan(item=item)
        refused: set[int] = set()
        for target in reminders.reminder_targets(s, due_item_id=due_item_id):
            if unit_ids is not None and target.unit_id not in unit_ids:
                continue
            if target.unit_id in plan.units:
                plan.units[target.unit_id].append(target)
                continue
            if target.unit_id in refused:
                continue
            last = reminders.last_nudge(s, due_item_id=due_item_id, unit_id=target.unit_id)
            if last is not None and now - last.created_at < interval:
                refused.add(target.unit_id)
                plan.refused.append((target.unit_name, last.created_at))
            else:
                plan.units[target.unit_id] = [target]
    quiet = services.config.reminders.quiet_hours
    plan.quiet = quiet is not None and in_quiet_hours(now.astimezone(services.config.campaign.tz), quiet)
    return plan


async def nudge(
    services: Services, bot: Any, *, due_item_id: int, now: datetime, unit_ids: frozenset[int] | None = None
) -> tuple[NudgePlan | None, Summary]:
    """Nudge now every unit of the plan; returns the plan it followed and what was sent."""
    summary = Summary()
    plan = await services.reads(plan_nudge, services, due_item_id=due_item_id, now=now, unit_ids=unit_ids)
    if plan is None:
        return None, summary
    item = plan.item
    report = await fetch_report(services, item.report_key)
    key = NUDGE_PREFIX + now.strftime("%Y-%m-%dT%H:%MZ")

    def claim(target: ReminderTarget, floor: int | None) -> int | None:
        assert target.person.id is not None and item.id is not None
        with services.storage.session() as s:
            return reminders.claim_reminder(
                s, due_item_id=item.id, unit_id=target.unit_id, person_id=target.person.id, moment_key=key, kind=ReminderKind.nudge, now=now,
                probe_floor=floor,
            )

    async def nudge_unit(targets: list[ReminderTarget]) -> None:
        first, fallback = _recipients(services, targets)
        queue = list(first)
        while queue:
            target = queue.pop(0)
            rid = await services.writes(claim, target, delivery.chat_floor(bot, target.person.chat_id or target.person.telegram_user_id))
            if rid is None:
                continue
            outcome = await send_claimed(services, bot, reminder_id=rid, kind=ReminderKind.nudge, report=report, item=item, target=target, now=now)
            summary.add(outcome)
            if outcome in (delivery.Outcome.unreachable, delivery.Outcome.unknown) and target.role == Role.primary:
                queue.extend(fallback)
                fallback = []

    await run_pool([functools.partial(nudge_unit, ts) for ts in plan.units.values()])
    return plan, summary


HORIZON = timedelta(days=31)


def nudgeable(
    services: Services, *, now: datetime, report_key: str | None = None, unit_ids: frozenset[int] | None = None
) -> dict[str, list[tuple[DueItem, int]]]:
    """Due items (due before a month from now) with units (among `unit_ids`, if given) that have not filed, by report, latest first."""
    with services.storage.session() as s:
        views = due.outstanding(s, due_before=now + HORIZON, report_key=report_key)
    out: dict[str, dict[int, tuple[DueItem, int]]] = {}
    for view in views:
        if unit_ids is not None and view.unit.id not in unit_ids:
            continue
        items = out.setdefault(view.due_item.report_key, {})
        assert view.due_item.id is not None
        item, count = items.get(view.due_item.id, (view.due_item, 0))
        items[view.due_item.id] = (item, count + 1)
    return {key: sorted(items.values(), key=lambda x: x[0].due_at, reverse=True) for key, items in out.items()}
