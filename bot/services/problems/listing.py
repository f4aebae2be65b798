"""/problems: a liaison's open problems; a coordinator's (their subtree), filtered by unit, status and overdue.

Arguments, in any order: a unit (name, part of it, or code), a status (待整改 已报 已验收 已销号 /
open reported verified closed), 逾期 (overdue), 全部 (closed ones too). Without a status, problems
not yet closed. Each line carries 🔴 (overdue), 🟡 (due within 3 days) or ⚪.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.context import Services
from bot.models import ProblemStatus
from bot.services.people.access import Roles
from bot.services.problems.common import Btn, Reply, headline, open_button
from bot.storage import problems, units
from bot.storage.problems import OPEN_STATES
from bot.texts.catalog import t

SHOWN = 30
BUTTONS = 10
STATUS_WORDS = {
    "待整改": ProblemStatus.open, "open": ProblemStatus.open, "已报": ProblemStatus.reported, "待验收": ProblemStatus.reported,
    "reported": ProblemStatus.reported, "已验收": ProblemStatus.verified, "verified": ProblemStatus.verified,
    "已销号": ProblemStatus.closed, "closed": ProblemStatus.closed,
}
OVERDUE_WORDS = {"逾期", "overdue", "超期"}
ALL_WORDS = {"全部", "all"}


@dataclass(frozen=True)
class Filter:
    """What /problems was asked for."""

    unit_ids: frozenset[int] | None
    statuses: tuple[ProblemStatus, ...]
    overdue: bool
    error: str | None = None
    word: str = ""


def parse(services: Services, who: Roles, text: str) -> Filter:
    """Read the arguments; the units are always limited to what the user may see."""
    with services.storage.session() as s:
        every = units.list_units(s, active_only=False)
    mine = frozenset(who.units())
    if who.is_coordinator or who.is_leader:
        visible = None if who.visible_units is None else who.visible_units | mine
    else:
        visible = mine
    statuses: list[ProblemStatus] = []
    overdue, everything = False, False
    unit_ids = visible
    for word in (w for w in re.split(r"\s+", text.strip()) if w):
        low = word.lower()
        if low in STATUS_WORDS:
            statuses.append(STATUS_WORDS[low])
        elif low in OVERDUE_WORDS:
            overdue = True
        elif low in ALL_WORDS:
            everything = True
        else:
            found = [u.id for u in every if u.id is not None and (low == u.code.lower() or low in u.name.lower()) and (visible is None or u.id in visible)]
            if not found:
                return Filter(visible, (), False, error="problems.list.unknown-word", word=word)
            unit_ids = frozenset(found)
    if not statuses:
        statuses = list(ProblemStatus) if everything else list(OPEN_STATES)
    if overdue:
        statuses = [x for x in statuses if x is ProblemStatus.open] or [ProblemStatus.open]
    return Filter(unit_ids, tuple(statuses), overdue)


def listing(services: Services, who: Roles, *, text: str, language: str, now: datetime) -> list[Reply]:
    """The problems asked for, earliest deadline first, with a button to open each of the first ones."""
    wanted = parse(services, who, text)
    if wanted.error:
        return [Reply(t(language, wanted.error, word=wanted.word))]
    with services.storage.session() as s:
        rows = problems.list_problems(s, unit_ids=wanted.unit_ids, statuses=wanted.statuses, due_before=now if wanted.overdue else None)
    if not rows:
        return [Reply(t(language, "problems.list.none"))]
    red = sum(1 for r in rows if r.problem.status is not ProblemStatus.closed and r.problem.status is not ProblemStatus.verified and r.problem.due_at < now)
    lines = [t(language, "problems.list.title", count=len(rows), overdue=red)]
    lines += [headline(services, r.problem, r.unit_name, language, now) for r in rows[:SHOWN]]
    if len(rows) > SHOWN:
        lines.append(t(language, "problems.list.more", count=len(rows) - SHOWN))
    buttons: list[list[Btn]] = []
    row: list[Btn] = []
    for r in rows[:BUTTONS]:
        row.append(open_button(language, r.problem))
        if len(row) == 5:
            buttons.append(row)
            row = []
    if row:
        buttons.append(row)
    return [Reply("\n".join(lines), buttons)]
