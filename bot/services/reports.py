"""The campaign's report types: those of `config.toml`, then the ad-hoc ones added with /deadline.

Everything that looks a report type up by key asks here, so ad-hoc deadlines behave like
configured ones in /due, submissions, reviews, reminders and the coordinator views.
"""

from __future__ import annotations

from bot.config import ReportType
from bot.context import Services


def find_report(services: Services, key: str) -> ReportType | None:
    """A report type (configured or ad-hoc) by key; None if neither."""
    try:
        return services.config.report(key)
    except KeyError:
        pass
    from bot.services.adhoc import PREFIX, as_report_type

    if not key.startswith(PREFIX):
        return None
    row = services.storage.adhoc.get_adhoc_report(key=key)
    return None if row is None else as_report_type(row, services.config.campaign.tz)


def report_of(services: Services, key: str) -> ReportType:
    """A report type (configured or ad-hoc) by key; KeyError if neither."""
    found = find_report(services, key)
    if found is None:
        raise KeyError(key)
    return found


def report_title(report: ReportType, language: str) -> str:
    """A report type's title in a language."""
    return (report.title_en or report.title) if language == "en" else report.title
