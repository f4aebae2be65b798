"""Ad-hoc deadlines (临时报送事项): a special report, a 重大问题随时上报 follow-up, added with /deadline.

Each becomes a one-off report type `adhoc_<id>` (table `adhoc_report`) with one due item
(period key 'once') and an obligation per owing unit, so /due, /outstanding, /status, the
exports and the reminders see it like a configured report type. Everything that needs the
report types of the campaign should ask `report_types(services)` (config + ad-hoc) or
`bot.services.deadlines.reports.find_report(services, key)`, not only `config.report_types`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.config import ReportType, TemplateKind
from bot.context import Services
from bot.models import AdhocReport, DueItem
from bot.services.deadlines.owing import owing
from bot.storage import adhoc, due, units
from schedules import When
from schedules.periods import due_moment
from schedules.rules import OnceSchedule

PREFIX = "adhoc_"
PERIOD_KEY = "once"
PERIOD_LABEL = "临时报送"
PERIOD_LABEL_EN = "Ad hoc"
DEFAULT_REMINDERS = ["-1d@09:00", "0d@09:00", "+1d@09:00"]
TEMPLATES = (TemplateKind.FREE, TemplateKind.CASE, TemplateKind.STATISTICS, TemplateKind.SUMMARY, TemplateKind.CONFIRMATION)
MAX_TITLE = 100


def as_report_type(row: AdhocReport, tz: ZoneInfo) -> ReportType:
    """The `ReportType` an ad-hoc row stands for (a one-off schedule on its due day)."""
    local = row.due_at.astimezone(tz)
    fields = {
        "key": row.key,
        "title": row.title,
        "title_en": row.title,
        "template": TemplateKind(row.template),
        "owed_by": list(row.owed_by),
        "schedule": OnceSchedule(kind="once", date=local.date(), label=PERIOD_LABEL, label_en=PERIOD_LABEL_EN),
        "due_time": local.time().replace(microsecond=0) if row.has_time else None,
        "reminders": DEFAULT_REMINDERS,  # parsed by the validator
    }
    return ReportType.model_validate(fields, context={"adhoc": True})  # the adhoc_ prefix is theirs


def report_types(services: Services, session: Session | None = None) -> list[ReportType]:
    """The campaign's report types: the configured ones, the ad-hoc ones by creation, then the tasks' deadlines
    (in `session` if given). The tasks' part is kept in the process (`caches.task_reports`) until the tasks change:
    dropped by an import here, and by the due-item check (`due_items.resync_if_changed`) for a change made elsewhere."""
    tz = services.config.campaign.tz
    if session is None:
        with services.storage.read() as s:
            rows = adhoc.list_adhoc_reports(s)
    else:
        rows = adhoc.list_adhoc_reports(session)
    return list(services.config.report_types) + [as_report_type(r, tz) for r in rows] + task_report_types(services, session)


def report_types_of(services: Services, session: Session, keys: set[str]) -> dict[str, ReportType]:
    """The report types of these keys, by key (those that exist): the configured ones from the campaign, the
    ad-hoc ones read only when one of `keys` is ad-hoc (one statement), the tasks' from their cache. A view
    listing a few due items (/due, /submit) asks for theirs, not for every type of the campaign."""
    out = {r.key: r for r in services.config.report_types if r.key in keys}
    if any(k.startswith(PREFIX) for k in keys - out.keys()):
        tz = services.config.campaign.tz
        out |= {r.key: as_report_type(r, tz) for r in adhoc.list_adhoc_reports(session) if r.key in keys}
    from bot.services.tasks.deadlines import PREFIX as TASK_PREFIX

    if any(k.startswith(TASK_PREFIX) for k in keys - out.keys()):
        out |= {r.key: r for r in task_report_types(services, session) if r.key in keys}
    return out


def task_report_types(services: Services, session: Session | None = None) -> list[ReportType]:
    """The report types of the tasks' deadlines (`task_<id>`), from the cache or computed once."""
    cached = services.caches.task_reports
    if cached is None:
        from bot.services.tasks import deadlines as task_deadlines

        if session is None:
            with services.storage.read() as s:
                cached = [d.report for d in task_deadlines.deadlines(s, services.config, services.calendar)]
        else:
            cached = [d.report for d in task_deadlines.deadlines(session, services.config, services.calendar)]
        services.caches.task_reports = cached
    return cached


def due_at_of(when: When, tz: ZoneInfo) -> datetime:
    """The deadline a phrase names: its moment, or the end of its day."""
    return when.moment if when.moment is not None else due_moment(when.day, None, tz)


def tags_of(services: Services) -> list[str]:
    """Every unit tag of the campaign, in config order."""
    return list(dict.fromkeys(t for u in services.config.units for t in u.tags))


def match_units(services: Services, text: str) -> tuple[list[str], list[str]]:
    """Unit codes named in `text` (codes or names, separated by 、 , ; or spaces), and the words not understood."""
    with services.storage.session() as s:
        active = units.list_units(s)
    by_code = {u.code.lower(): u.code for u in active}
    by_name = {u.name: u.code for u in active}
    found: list[str] = []
    unknown: list[str] = []
    for word in (w for w in re.split(r"[\s、,，;；]+", text.strip()) if w):
        code = by_code.get(word.lower()) or by_name.get(word)
        if code is None:
            partial = [c for n, c in by_name.items() if word in n]
            code = partial[0] if len(partial) == 1 else None
        if code is None:
            unknown.append(word)
        elif code not in found:
            found.append(code)
    return found, unknown


def owing_codes(services: Services, *, tags: list[str], unit_codes: list[str]) -> list[str]:
    """The active units that owe it: the named units, else those with one of the tags, else all."""
    with services.storage.session() as s:
        active = units.list_units(s)
    return owing(active, tags=tags, unit_codes=unit_codes)


@dataclass(frozen=True)
class Created:
    """What `create` made."""

    report: AdhocReport
    due_item: DueItem
    units: int


def create(
    services: Services,
    *,
    title: str,
    template: TemplateKind,
    when: When,
    tags: list[str],
    unit_codes: list[str],
    person_id: int | None,
    now: datetime,
) -> Created:
    """Add the ad-hoc report type, its due item and the obligations, in one transaction."""
    tz = services.config.campaign.tz
    codes = owing_codes(services, tags=tags, unit_codes=unit_codes)
    with services.storage.session() as s:
        row = adhoc.add_adhoc_report(
            s,
            title=title,
            template=template.value,
            due_at=due_at_of(when, tz),
            has_time=when.has_time,
            owed_by=tags,
            unit_codes=unit_codes,
            created_by_person_id=person_id,
            now=now,
        )
        item = due.ensure_due_item(
            s, report_key=row.key, period_key=PERIOD_KEY, period_label=PERIOD_LABEL, due_at=row.due_at, unit_codes=codes, now=now
        )
    return Created(report=row, due_item=item, units=len(codes))
