"""The campaign's report types: those of `config.toml`, then the ad-hoc ones added with /deadline.

Everything that looks a report type up by key asks here, so ad-hoc deadlines behave like
configured ones in /due, submissions, reviews, reminders and the coordinator views.
"""

from __future__ import annotations

from bot.config import ReportType
from bot.context import Services


def find_report(services: Services, key: str) -> ReportType | None:
    """A report type (configured, ad-hoc or a task's deadlines) by key; None if none."""
    try:
        return services.config.report(key)
    except KeyError:
        pass
    from bot.services.deadlines.adhoc import PREFIX, as_report_type
    from bot.services.tasks import deadlines as task_deadlines

    if key.startswith(task_deadlines.PREFIX):
        with services.storage.read() as s:
            return task_deadlines.report_type(s, services.config, key)
    if not key.startswith(PREFIX):
        return None
    from bot.storage import adhoc

    with services.storage.read() as s:
        row = adhoc.get_adhoc_report(s, key=key)
    return None if row is None else as_report_type(row, services.config.campaign.tz)


def report_of(services: Services, key: str) -> ReportType:
    """A report type (configured or ad-hoc) by key; KeyError if neither."""
    found = find_report(services, key)
    if found is None:
        raise KeyError(key)
    return found


async def fetch_report(services: Services, key: str) -> ReportType:
    """`report_of` from code on the event loop: a configured report type at once, an ad-hoc one or a task's
    read in a worker thread (`Services.reads`)."""
    try:
        return services.config.report(key)
    except KeyError:
        return await services.reads(report_of, services, key)


def report_title(report: ReportType, language: str) -> str:
    """A report type's title in a language."""
    return (report.title_en or report.title) if language == "en" else report.title


def period_label(services: Services, report: ReportType | None, *, period_key: str, stored: str, language: str) -> str:
    """A period's label in a language; the database keeps the Chinese one (`stored`)."""
    if language == "zh-CN" or report is None:
        return stored
    from schedules import periods_of

    c = services.config.campaign
    labels = services.caches.period_labels.get(report.key)
    if labels is None:
        labels = {d.period_key: d.label_en for d in periods_of(report, tz=c.tz, start=c.start, end=c.end, calendar=services.calendar)}
        services.caches.period_labels[report.key] = labels
    return labels.get(period_key) or stored
