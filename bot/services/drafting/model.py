"""The records a draft is made of: every value carries the sentence it came from, and a TODO when
the notice left it open (the value is then the likeliest reading)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value came from: the quoted sentence, and what is undecided about it (or None)."""

    quote: str
    todo: str | None = None


@dataclass(frozen=True, slots=True)
class Dated:
    """One dated deadline of a fixed or one-off schedule."""

    day: date
    label: str
    source: Source


@dataclass
class Attachment:
    """An 附件 of the notice: its number, title, what kind of form it is and what it holds."""

    number: int
    title: str
    kind: str  # case | summary | liaison | statistics | tasks | other
    headings: list[str] = field(default_factory=list)  # 一、案情概述 … (case, summary)
    fields: list[str] = field(default_factory=list)  # 姓名, 所在部门 … (liaison)
    columns: list[str] = field(default_factory=list)  # statistics: the header after the first cell
    rows: list[str] = field(default_factory=list)  # statistics: the first cell of each row
    notes: list[str] = field(default_factory=list)  # 注：… and 报送要求 lines
    responsible: list[str] = field(default_factory=list)  # tasks: the 责任单位 column
    lines: list[str] = field(default_factory=list)
    first_line: int = 0  # the section's lines in the notice: [first_line, end_line)
    end_line: int = 0


@dataclass
class ReportDraft:
    """A report type as drafted; `sources` names the sentence behind each field."""

    key: str
    title: str
    template: str
    kind: str  # monthly | quarterly | half_yearly | yearly | weekly | fixed | once | any_time
    sources: dict[str, Source] = field(default_factory=dict)
    day: int | None = None  # monthly: day of month; period ends: day of the following month
    covers: str = "previous_month"  # monthly: 每月10日前报送上月 (the default), 当月/本月 → current_month
    days_after: int | None = None
    no_day: bool = False  # due after each period, the notice naming no day: settled by `draft.settle_days`
    month: int | None = None  # yearly with day
    weekday: str | None = None
    quarter_last_month_day: int | None = None  # 每季度末月25日前: listed as fixed dates
    each_year: tuple[int, int] | None = None  # 每年12月20日前报送本年度: (month, day) of each year, listed
    dates: list[Dated] = field(default_factory=list)  # fixed / once
    owed_by: list[str] = field(default_factory=list)
    min_items: int | None = None
    max_items: int | None = None
    holiday_rule: str | None = None
    due_time: time | None = None
    attachment: Attachment | None = None
    comments: list[str] = field(default_factory=list)  # free comment lines above the block

    def source(self, name: str, quote: str, todo: str | None = None) -> None:
        """Record the sentence behind a field."""
        self.sources[name] = Source(quote, todo)


@dataclass(frozen=True, slots=True)
class UnitDraft:
    """A unit, or a placeholder for a group the notice names only collectively (各所、队)."""

    code: str
    name: str
    tags: tuple[str, ...]
    source: Source


@dataclass
class CampaignDraft:
    """Name, start and end, each with its source."""

    name: str
    name_source: Source
    start: date
    start_source: Source
    end: date
    end_source: Source
    year: int


@dataclass
class Draft:
    """A drafted campaign: what `toml()` writes."""

    campaign: CampaignDraft
    units: list[UnitDraft]
    reports: list[ReportDraft]
    holiday_rule: str
    holiday_source: Source
    sections: dict[int, Attachment]

    def report(self, key: str) -> ReportDraft:
        """The drafted report type with this key."""
        return next(r for r in self.reports if r.key == key)
