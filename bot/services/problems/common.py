"""What every step of a problem shares: permissions, recipients, marks, texts of one problem, and sending."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import Services
from bot.models import Person, Problem, ProblemStatus
from bot.services import notify
from bot.services.people.access import Roles
from bot.replies import Btn, Reply
from bot.storage import roles as role_store
from bot.texts.catalog import t

DUE_SOON = timedelta(days=3)
FLOW_NEW = "problem_new"
FLOW_REPORT = "problem_report"
FLOW_RETURN = "problem_return"
BUTTON = "pb"  # callback action of every problem button: pb|<op>|<args>


@dataclass
class Notice:
    """A message for someone other than the user acting: their language's text, with buttons."""

    person: Person
    text: str
    buttons: list[list[Btn]] = field(default_factory=list)


def escape(text: str) -> str:
    """User text echoed back."""
    return html.escape(text, quote=False)


def end_of_day(day: date, services: Services) -> datetime:
    """整改时限 is a day: the problem is due by its end in the campaign's zone."""
    tz = services.config.campaign.tz
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def local_day(moment: datetime, services: Services) -> date:
    return moment.astimezone(services.config.campaign.tz).date()


def days_overdue(problem: Problem, services: Services, now: datetime) -> int:
    """Whole days past the due day (0 on the day; negative: days left)."""
    return (local_day(now, services) - local_day(problem.due_at, services)).days


def mark(problem: Problem, services: Services, now: datetime) -> str:
    """🔴 overdue, 🟡 due within 3 days, ⚪ later (while the unit still has to act); ☑️ verified, ✅ closed."""
    if problem.status is ProblemStatus.closed:
        return "✅"
    if problem.status is ProblemStatus.verified:
        return "☑️"
    if problem.due_at < now:
        return "🔴"
    if problem.due_at - now <= DUE_SOON:
        return "🟡"
    return "⚪"


def may_act_for_unit(who: Roles, unit_id: int) -> bool:
    """签收 and 整改 are done by the unit's own liaisons."""
    return unit_id in who.units()


def may_see(who: Roles, unit_id: int) -> bool:
    return unit_id in who.units() or who.sees(unit_id)


def unit_liaisons(services: Services, unit_id: int) -> list[Person]:
    """The unit's active liaisons (primary first) who can be reached."""
    with services.storage.session() as s:
        return [x.person for x in role_store.liaisons_of_unit(s, unit_id=unit_id) if x.person.reachable]


def level_above(services: Services, unit_id: int) -> list[Person]:
    """The coordinators of the nearest level above the unit that has any; else the campaign-wide coordinators."""
    return notify.level_above(services, [unit_id])


def language_of(services: Services, person: Person) -> str:
    return services.language_of(person.language)


def status_text(language: str, problem: Problem) -> str:
    return t(language, f"problems.status.{problem.status.value}")


def due_text(services: Services, problem: Problem, language: str) -> str:
    from bot.services.coordinator.views import format_moment

    return format_moment(problem.due_at, language, services.config.campaign.tz, with_time=False)


def headline(services: Services, problem: Problem, unit_name: str, language: str, now: datetime) -> str:
    """One line: mark, number, unit, the start of the description, deadline, status."""
    short = problem.description if len(problem.description) <= 40 else problem.description[:39] + "…"
    return t(
        language, "problems.line", mark=mark(problem, services, now), number=problem.number, unit=unit_name, text=short,
        due=due_text(services, problem, language), status=status_text(language, problem),
    )


def open_button(language: str, problem: Problem) -> Btn:
    return Btn(t(language, "problems.button.open", number=problem.number), BUTTON, ("v", problem.id or 0))


async def send_notices(services: Services, bot: Any, notices: list[Notice]) -> list[Person]:
    """Send each notice by the one send path (`notify.send_to_person`); the people it reached."""
    reached = []
    for notice in notices:
        markup = None
        if notice.buttons:
            pack = services.buttons.pack
            uid = notice.person.telegram_user_id
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=pack(uid, b.action, *b.args)) for b in row] for row in notice.buttons])
        if await notify.send_to_person(services, bot, notice.person, notice.text, reply_markup=markup) is not None:
            reached.append(notice.person)
    return reached


__all__ = ["Btn", "Notice", "Reply"]
