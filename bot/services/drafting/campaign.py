"""The campaign's name and dates from a notice: its title, its 印发 date, its 实施步骤 phases.

start: the 印发 date (a line holding only a date near the top); else the earliest 自…起 date the notice
names (not a table's 自…起累计), the first of the month of its earliest deadline, or 1 January of a
yearly plan's year, with a TODO.
end: the end of the last phase (总结评估阶段（2024年10月-2024年11月）), the day of 至…止, or the last
deadline, whichever is later; a yearly plan (2025年…工作要点) runs to 31 December.
"""

from __future__ import annotations

import re
from datetime import date

from bot.services.drafting.model import CampaignDraft, Source
from bot.services.drafting.phrases import resolve
from bot.services.drafting.text import plain, quote, squeeze
from schedules.periods import month_last_day

_ISSUED = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_PHASE = re.compile(r"[(（](?:(\d{4})年)?(\d{1,2})月[^)）]*?[-—–至到~](?:(\d{4})年)?(\d{1,2})月[^)）]*[)）]")
_SINCE = re.compile(r"自(\d{4})年(\d{1,2})月(\d{1,2})[日号]起")
_UNTIL = re.compile(r"至(\d{4})年(\d{1,2})月(\d{1,2})[日号]止")
_YEAR_PLAN = re.compile(r"(\d{4})年(?:度)?\S*?(?:工作要点|工作计划|实施方案|行动方案|方案)")


def _name(lines: list[str], paragraphs: list[str]) -> tuple[str, Source]:
    for p in paragraphs[:40]:
        m = re.search(r"《([^》]{4,60}?)(?:实施)?方案》", p)
        if m:
            return m[1], Source(quote(p, "《"))
    for p in paragraphs[:40]:
        m = re.search(r"关于印发(.{4,60}?)(?:实施)?方案的通知", squeeze(p))
        if m:
            return m[1], Source(quote(p, "关于"))
    for p in paragraphs[:5]:
        m = re.search(r"关于(?:开展|组织开展|深入开展)(.{4,60}?)的通知", squeeze(p))
        if m:
            return m[1], Source(quote(p, "关于"))
    title = next((squeeze(line.lstrip("#").strip()) for line in lines[:5] if len(squeeze(line)) >= 4), "（未命名行动）")
    return title[:60], Source(quote(title), "the notice names no campaign in 《》: its first line is taken")


def read_campaign(lines: list[str], paragraphs: list[str], deadlines: list[date], *, today: date,
                  recurring: bool = False) -> CampaignDraft:
    """The campaign record; `deadlines` are every dated deadline found, `recurring` whether some report recurs,
    `today` the start when the notice gives no date at all."""
    name, name_source = _name(lines, paragraphs)
    issued = next(((m, line) for line in lines[:80] if (m := _ISSUED.match(plain(line)))), None)
    plan = next(((m, p) for p in paragraphs[:3] if (m := _YEAR_PLAN.search(plain(p)))), None)
    candidates: list[tuple[date, str]] = []
    for p in paragraphs:
        if "累计" in p:
            continue  # 自2023年7月1号起累计: what a table's figures count, not when the campaign starts
        for m in _SINCE.finditer(plain(p)):
            day = resolve(int(m[1]), int(m[2]), int(m[3]))
            if day is not None:
                candidates.append((day, quote(p, "自")))
    if issued is not None:
        m, line = issued
        start = resolve(int(m[1]), int(m[2]), int(m[3])) or today
        start_source = Source(quote(squeeze(line)) + "（印发日期）")
    elif plan is not None and not deadlines:
        start = date(int(plan[0][1]), 1, 1)
        start_source = Source(quote(plan[1]), f"a plan for {plan[0][1]}: its first day is assumed")
    elif candidates:
        start, said = min(candidates)
        start_source = Source(said, "the notice gives no 印发 date: its earliest date is taken as the start")
    elif deadlines:
        first = min(deadlines)
        start = first.replace(day=1)
        start_source = Source("the notice's earliest deadline",
                              f"the notice gives no 印发 date: the first day of the month of its earliest deadline ({first.isoformat()}) is assumed")
    else:
        start = plan and date(int(plan[0][1]), 1, 1) or today
        start_source = Source("(no date in the notice)", "the notice names no date at all: today is a placeholder")
    year = start.year
    end, end_source = start, Source("", None)
    for p in paragraphs:
        if "阶段" not in p:
            continue
        for m in _PHASE.finditer(plain(p)):
            last_year = int(m[3] or m[1] or year)
            phase_end = month_last_day(last_year, int(m[4]))
            if phase_end >= end:
                end, end_source = phase_end, Source(quote(p, "阶段"))
    for p in paragraphs:  # 自2022年9月1日起至2023年1月15日止
        for m in _UNTIL.finditer(plain(p)):
            until = resolve(int(m[1]), int(m[2]), int(m[3]))
            if until is not None and until >= end:
                end, end_source = until, Source(quote(p, "至"))
    if deadlines and max(deadlines) > end:
        end = max(deadlines)
        end_source = Source("the notice's last deadline", None if end_source.quote else
                            "the notice names no end: its last deadline is taken as the end")
    if plan is not None and not end_source.quote:
        end = max(end, date(int(plan[0][1]), 12, 31))
        end_source = Source(quote(plan[1]), f"a plan for {plan[0][1]}: it runs to the year's end")
    if recurring and not end_source.quote and end < date(start.year, 12, 31):
        end = date(start.year, 12, 31)
        end_source = Source("(no end in the notice)", "the notice names no end and its reports recur: the year's end is assumed")
    if end == start and not end_source.quote:
        end_source = Source("(no deadline in the notice)", "the notice names no end: set it")
    return CampaignDraft(name, name_source, start, start_source, end, end_source, year)
