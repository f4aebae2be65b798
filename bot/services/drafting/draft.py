"""Reading a whole notice into a `Draft`: units, campaign, report types; then the finishing touches
that need all of them (a 附件's own 报送要求 against the body's, quarters listed as dates, the
holiday rule, default reminders)."""

from __future__ import annotations

import re
from datetime import date

from bot.services.drafting.attachments import attachments
from bot.services.drafting.campaign import read_campaign
from bot.services.drafting.model import Attachment, Dated, Draft, ReportDraft, Source
from bot.services.drafting.obligations import Reader
from bot.services.drafting.phrases import matching_key
from bot.services.drafting.settle import settle_days, start_clear
from bot.services.drafting.text import clauses, lines_of, paragraphs, plain, quote
from bot.services.drafting.units import draft_units
from schedules.periods import add_months, clamp_day

_FORMS = {"case", "summary", "liaison", "statistics"}
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def _year(lines: list[str]) -> int | None:
    for line in lines[:80]:
        m = re.search(r"(20\d\d)\s*年", line)
        if m:
            return int(m[1])
    m = re.search(r"(20\d\d)", " ".join(lines))
    return int(m[1]) if m else None


def _body(lines: list[str], sections: dict[int, Attachment]) -> list[str]:
    """The notice without its forms' sections (a form's 报送要求 is read with the form)."""
    skip = {i for a in sections.values() if a.kind in _FORMS for i in range(a.first_line, a.end_line)}
    return [line for i, line in enumerate(lines) if i not in skip]


def _form_requirements(report: ReportDraft) -> None:
    """A form's own 报送要求 (每月3日前报送1-2个案例): the number of items, and a day that differs from the body's."""
    form = report.attachment
    if form is None:
        return
    for note in form.notes:
        key = matching_key(plain(note))
        items = re.search(r"报送(\d+)(?:[-－—~～]|至|到)(\d+)个", key) or re.search(r"报送(\d+)个", key)
        if items and report.max_items is None:
            report.min_items = int(items[1])
            report.max_items = int(items[2]) if items.lastindex == 2 else int(items[1])
            report.source("min_items", quote(note, "报送"))
            report.source("max_items", quote(note, "报送"))
        day = re.search(r"每月(\d{1,2})日前", key)
        if day and report.kind == "monthly" and report.day is not None and int(day[1]) != report.day:
            body = report.sources["schedule"].quote
            report.sources["schedule"] = Source(
                body, f"the notice contradicts itself: the body says 每月{report.day}日前, 附件{form.number} says "
                      f"每月{day[1]}日前 「{quote(note, '每月', 90)}」; the body is followed: set day = {day[1]} to follow 附件{form.number}")


def _quarter_dates(report: ReportDraft, start: date, end: date) -> None:
    """每季度末月25日前: each quarter's date within the campaign, listed."""
    day = report.quarter_last_month_day
    assert day is not None
    year, month = start.year, 3
    source = report.sources["schedule"]
    while date(year, month, 1) <= end:
        due = clamp_day(year, month, day)
        if start <= due <= end:
            report.dates.append(Dated(due, f"{year}年{_QUARTERS[month // 3 - 1]}", Source(source.quote)))
        year, month = add_months(year, month, 3)
    if not report.dates:
        report.kind, report.days_after = "quarterly", 0
        report.sources["schedule"] = Source(source.quote, "no quarter's date falls within the campaign: by the quarter's end")


def _yearly_dates(report: ReportDraft, start: date, end: date) -> None:
    """每年12月20日前报送本年度…: each year's date within the campaign, listed."""
    assert report.each_year is not None
    month, day = report.each_year
    source = report.sources["schedule"]
    for year in range(start.year, end.year + 1):
        due = clamp_day(year, month, day)
        if start <= due <= end:
            report.dates.append(Dated(due, f"{year}年度", Source(source.quote)))
    if not report.dates:
        report.kind, report.days_after = "yearly", 0
        report.sources["schedule"] = Source(source.quote, "no year's date falls within the campaign: by the year's end")


def draft_config(text: str, *, today: date) -> Draft:
    """The draft of a notice's campaign; `today` only fills a start the notice does not give."""
    lines = lines_of(text)
    sections = attachments(lines)
    body = _body(lines, sections)
    paras = paragraphs(body)
    units = draft_units(lines, paras, sections)
    reader = Reader(_year(lines) or today.year, sections, units)
    all_clauses = clauses(paras)
    for clause in all_clauses:
        reader.read(clause)
    reports = reader.reports
    deadlines = [d.day for r in reports for d in r.dates]
    recurring = any(r.kind not in ("once", "fixed", "any_time") or r.each_year or r.quarter_last_month_day for r in reports)
    campaign = read_campaign(lines, paragraphs(lines), deadlines, today=today, recurring=recurring)
    holiday = next((c for c in all_clauses if re.search(r"(?:节假日|休息日|周末|双休日)\S{0,8}顺延", c.key)), None)
    settle_days(reports, campaign)
    start_clear(reports, campaign)
    for report in reports:
        forms = [a for a in sections.values() if a.kind == report.template]
        if report.attachment is None and len(forms) == 1:
            report.attachment = forms[0]  # (阶段性工作总结 and 工作总结 share 附件9, pointed to once)
        _form_requirements(report)
        if report.quarter_last_month_day is not None:
            _quarter_dates(report, campaign.start, campaign.end)
        if report.each_year is not None:
            _yearly_dates(report, campaign.start, campaign.end)
    if holiday is not None:
        return Draft(campaign, units, reports, "next_working_day", Source(quote(holiday.text, "顺延")), sections)
    return Draft(campaign, units, reports, "keep",
                 Source("not in the notice: a deadline on a weekend or holiday stays (set next_working_day for 顺延)"), sections)
