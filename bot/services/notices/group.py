"""The campaign's group chat: a coordinator turns it on there (/group on), and at the digest time the bot
posts the outstanding summary (overdue, and due within `AHEAD`) and mentions the liaisons who owe.

Only unit names, report titles, dates and liaisons' names go to a group: never phones, e-mails or
anything else personal. Posting is opt-in (`/group on`; `/group off` stops it), once a day (a
`GroupPost` claimed under (chat, `summary@<day>`)), never in the quiet hours (`digest.digest_day`).
A group set up by a coordinator bound to a unit gets that unit's subtree only.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram.error import TelegramError

from bot.context import Services
from bot.models import CampaignGroup, Person, Role, id_of
from bot.pacing import BROADCAST
from bot.replies import Reply
from bot.services.coordinator.views import format_moment
from bot.services.deadlines.reports import find_report, period_label, report_title
from bot.services.notices.filings import scope_of
from bot.services.people.access import Roles
from bot.services.reminders.digest import digest_day, pack
from bot.storage import audit, due, notices, roles
from bot.texts.catalog import Markup, t, tn

log = logging.getLogger(__name__)

AHEAD = timedelta(days=3)  # what falls due this soon is in the summary too
BEHIND = timedelta(days=31)  # overdue items older than this are left to /outstanding
MAX_MENTIONS = 30  # per report and period; the rest are counted


def configure(services: Services, who: Roles, *, chat_id: int, title: str, arg: str, language: str, now: datetime) -> list[Reply]:
    """/group in a group: show the setting, or turn the daily post on or off (a coordinator only)."""
    arg = arg.strip().lower()
    with services.storage.session() as s:
        group = notices.get_group(s, chat_id=chat_id)
    if arg not in ("on", "off", "开启", "关闭"):
        key = "group.status-on" if group is not None and group.posting else "group.status-off"
        return [Reply(t(language, key, time=services.config.reminders.digest_time.strftime("%H:%M")))]
    posting = arg in ("on", "开启")
    with services.storage.session() as s:
        notices.set_group(s, chat_id=chat_id, title=title, posting=posting, person_id=who.person_id, now=now)
        audit.audit(s, action="group.posting", now=now, actor_person_id=who.person_id, subject=f"chat:{chat_id}", details={"posting": posting})
    key = "group.turned-on" if posting else "group.turned-off"
    return [Reply(t(language, key, time=services.config.reminders.digest_time.strftime("%H:%M")))]


def _mention(person: Person) -> str:
    name = html.escape(person.name or person.first_name or str(person.telegram_user_id), quote=False)
    return f'<a href="tg://user?id={person.telegram_user_id}">{name}</a>'


def summary_lines(services: Services, *, scope: frozenset[int] | None, now: datetime, language: str) -> list[str]:
    """One line per report and period with units that have not filed (and @ their liaisons); [] if none."""
    tz = services.config.campaign.tz
    with services.storage.session() as s:
        owing = [v for v in due.outstanding(s, due_before=now + AHEAD) if v.due_item.due_at >= now - BEHIND]
        owing = [v for v in owing if scope is None or v.unit.id in scope]
        liaisons = {id_of(v.unit): [h.person for h in roles.liaisons_of_unit(s, unit_id=id_of(v.unit)) if h.role == Role.primary] for v in owing}
    groups: dict[int, list[Any]] = {}
    for view in owing:
        groups.setdefault(id_of(view.due_item), []).append(view)
    lines: list[str] = []
    for views in groups.values():
        item = views[0].due_item
        report = find_report(services, item.report_key)
        title = report_title(report, language) if report is not None else item.report_key
        period = period_label(services, report, period_key=item.period_key, stored=item.period_label, language=language)
        key = "group.line-overdue" if item.due_at < now else "group.line-due"
        units = ("、" if language == "zh-CN" else ", ").join(v.unit.name for v in views)
        lines.append(tn(language, key, len(views), title=title, period=period, when=format_moment(item.due_at, language, tz), units=units))
        people = list({id_of(p): p for v in views for p in liaisons[id_of(v.unit)]}.values())
        if people:
            shown = " ".join(_mention(p) for p in people[:MAX_MENTIONS])
            more = t(language, "group.more", count=len(people) - MAX_MENTIONS) if len(people) > MAX_MENTIONS else ""
            lines.append(t(language, "group.mentions", people=Markup(shown), more=more))
    return lines


def _posting_groups(services: Services) -> list[Any]:
    with services.storage.read() as s:
        return list(notices.posting_groups(s))


async def post_summaries(services: Services, bot: Any, *, now: datetime) -> int:
    """Post today's summary once to every group that asked for it (from digest_time, outside the quiet hours)."""
    today = digest_day(services, now)
    if today is None:
        return 0
    groups = await services.reads(_posting_groups, services)  # (in a worker thread: each minute's sweep asks)
    language = services.config.language
    posted = 0
    for group in groups:
        posted += await _post(services, bot, group, day=today.isoformat(), now=now, language=language)
    return posted


async def _post(services: Services, bot: Any, group: CampaignGroup, *, day: str, now: datetime, language: str) -> int:
    def claim() -> tuple[int | None, frozenset[int] | None]:  # (in a worker thread, as each database call here)
        scope = scope_of(services, group.added_by_person_id) if group.added_by_person_id is not None else None
        with services.storage.session() as s:
            return notices.claim_group_post(s, chat_id=group.chat_id, key=f"summary@{day}", now=now), scope

    post_id, scope = await services.writes(claim)
    if post_id is None:
        return 0
    lines = await services.writes(summary_lines, services, scope=scope, now=now, language=language) or [t(language, "group.all-filed")]
    parts: Sequence[list[str]] = pack(lines, lambda x: x)
    message_id = None
    try:
        for index, part in enumerate(parts):
            heading = t(language, "group.title", day=day) if len(parts) == 1 else t(language, "group.title-part", day=day, part=index + 1, parts=len(parts))
            sent = await bot.send_message(group.chat_id, "\n".join([heading, *part]), rate_limit_args={"lane": BROADCAST})
            message_id = message_id or sent.message_id
    except TelegramError as e:  # removed from the group, or the group gone: tried once a day; the coordinators see /group
        log.warning("group %s: the daily summary was not posted: %r", group.chat_id, e)
        return 0
    def mark() -> None:
        with services.storage.session() as s:
            notices.mark_group_post(s, post_id=post_id, message_id=message_id)

    await services.writes(mark)
    return 1
