"""Due days the notice leaves open, settled once every report is read (each with a TODO quoting its sentence).

A report due after each quarter, half-year or year whose day the notice does not name (每季度…, 每半年
向…报送, 原则上每季度不少于1个) is due:

- on the day of the notice's monthly report, in the month after the period, when the notice has one
  with a named day (统计数据每月5日前 → the cases of a quarter by the 5th after it), under that
  report's holiday rule: the liaison sends both together;
- else on the 10th of the month after the period (a year: 15 January after it), moved off weekends
  and holidays, the common practice for a report on a period that has just ended.

The campaign's end then covers the last period's report: a campaign ending with a period (31
December) ends with the month after it. And its start leaves out a period already due when the
notice came out (印发 27 February, 每月25日前报送当月: February was due before): the campaign starts
with the next period, a TODO saying so (check-config would warn that the period is never due).
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.services.drafting.model import CampaignDraft, ReportDraft, Source
from schedules.periods import add_months, clamp_day, month_last_day

AFTER = ("quarterly", "half_yearly", "yearly")
CONVENTION_DAY = 10
YEARLY_DAY = 15  # of January


def settle_days(reports: list[ReportDraft], campaign: CampaignDraft) -> None:
    """Give each report without its day the likeliest one; move the campaign's end past its last period's."""
    monthly = next((r for r in reports if r.kind == "monthly" and r.day is not None
                    and "schedule" in r.sources and r.sources["schedule"].todo is None), None)
    settled = False
    for r in reports:
        if not r.no_day or r.kind not in AFTER:
            continue
        quote = r.sources["schedule"].quote
        r.days_after = None
        if monthly is not None and monthly.day is not None:
            r.day = monthly.day
            todo = (f"the notice names no due day: day {monthly.day} of the month after the period is assumed, "
                    f"as {monthly.key} is due (每月{monthly.day}日前)")
        elif r.kind == "yearly":
            r.day, r.month = YEARLY_DAY, 1
            r.holiday_rule = "next_working_day"
            todo = f"the notice names no due day: {YEARLY_DAY} January after the year is assumed, moved off holidays"
        else:
            r.day = CONVENTION_DAY
            r.holiday_rule = "next_working_day"
            todo = f"the notice names no due day: the {CONVENTION_DAY}th of the month after the period is assumed, moved off holidays"
        r.sources["schedule"] = Source(quote, todo)
        settled = True
    end = campaign.end
    if settled and end == month_last_day(end.year, end.month) and (end.month % 3 == 0):
        year, month = add_months(end.year, end.month, 1)
        campaign.end = month_last_day(year, month)
        campaign.end_source = Source(campaign.end_source.quote or "(no end in the notice)",
                                     f"the reports on the last period ({end.isoformat()}) are due after it: "
                                     f"the end is moved to {campaign.end.isoformat()}")


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _after_due_before_start(r: ReportDraft, start: date) -> date | None:
    """The day after the period that is running at `start` but due before it, if there is one."""
    if r.kind == "monthly" and r.covers == "current_month" and r.day is not None:
        if clamp_day(start.year, start.month, r.day) < start:
            year, month = add_months(start.year, start.month, 1)
            return date(year, month, 1)
    if r.kind == "weekly" and r.weekday in _WEEKDAYS:
        monday = start - timedelta(days=start.weekday())
        if monday + timedelta(days=_WEEKDAYS.index(r.weekday)) < start:
            return monday + timedelta(days=7)
    return None


def start_clear(reports: list[ReportDraft], campaign: CampaignDraft) -> None:
    """Start after a period that was due before the campaign starts, when no dated deadline comes before."""
    start = campaign.start
    later = [(d, r) for r in reports if (d := _after_due_before_start(r, start)) is not None]
    if not later:
        return
    new, report = max(later, key=lambda x: x[0])
    if any(d.day < new for r in reports for d in r.dates):
        return  # a dated deadline before: check-config says what to choose
    campaign.start = new
    campaign.start_source = Source(campaign.start_source.quote or "(no date in the notice)", (
        f"{report.key} of the period running on {start.isoformat()} was due before it: the campaign starts "
        f"{new.isoformat()}; set start = {start.isoformat()} and add a 'once' report to have that period reported"))
