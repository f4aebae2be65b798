"""Due items, the China calendar and reminder moments, for every rule, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.config import load_config
from schedules import ChinaCalendar, all_due_items, due_items, next_moment, period_for_phrase, periods_for_phrase, periods_of, reminders_for
from schedules.rules import CalendarSettings, QuietHours, ReportTiming

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CAL = ChinaCalendar()


def timing(schedule: dict[str, Any], **extra: Any) -> ReportTiming:
    return ReportTiming.model_validate({"key": "r", "schedule": schedule, **extra})


def items(report: ReportTiming, start: str = "2023-01-01", end: str = "2024-12-31", tz: ZoneInfo = SHANGHAI) -> list[tuple[str, str, str]]:
    got = due_items(report, tz=tz, start=date.fromisoformat(start), end=date.fromisoformat(end), calendar=CAL)
    return [(i.period_key, i.label, i.due_date.isoformat()) for i in got if i.due_date]


@pytest.mark.parametrize(
    ("schedule", "start", "end", "expected"),
    [
        ({"kind": "monthly", "day": 2}, "2023-08-08", "2023-11-30",
         [("2023-08", "2023年8月", "2023-09-02"), ("2023-09", "2023年9月", "2023-10-02"), ("2023-10", "2023年10月", "2023-11-02")]),
        ({"kind": "monthly", "day": 5, "covers": "current_month"}, "2023-08-08", "2023-10-31",
         [("2023-09", "2023年9月", "2023-09-05"), ("2023-10", "2023年10月", "2023-10-05")]),
        ({"kind": "monthly", "day": 31, "covers": "current_month"}, "2024-01-01", "2024-04-30",
         [("2024-01", "2024年1月", "2024-01-31"), ("2024-02", "2024年2月", "2024-02-29"), ("2024-03", "2024年3月", "2024-03-31"), ("2024-04", "2024年4月", "2024-04-30")]),
        ({"kind": "monthly", "day": 31}, "2023-01-15", "2023-03-31",
         [("2023-01", "2023年1月", "2023-02-28"), ("2023-02", "2023年2月", "2023-03-31")]),
        ({"kind": "quarterly", "day": 10}, "2023-08-08", "2024-04-30",
         [("2023-Q3", "2023年第三季度", "2023-10-10"), ("2023-Q4", "2023年第四季度", "2024-01-10"), ("2024-Q1", "2024年第一季度", "2024-04-10")]),
        ({"kind": "quarterly", "days_after": 15}, "2024-01-01", "2024-07-31",
         [("2024-Q1", "2024年第一季度", "2024-04-15"), ("2024-Q2", "2024年第二季度", "2024-07-15")]),
        ({"kind": "half_yearly", "day": 20}, "2023-03-01", "2024-07-31",
         [("2023-H1", "2023年上半年", "2023-07-20"), ("2023-H2", "2023年下半年", "2024-01-20"), ("2024-H1", "2024年上半年", "2024-07-20")]),
        ({"kind": "yearly", "day": 31}, "2023-01-01", "2025-12-31",
         [("2023", "2023年度", "2024-01-31"), ("2024", "2024年度", "2025-01-31")]),
        ({"kind": "yearly", "day": 31, "month": 3}, "2023-01-01", "2025-12-31",
         [("2023", "2023年度", "2024-03-31"), ("2024", "2024年度", "2025-03-31")]),
        ({"kind": "yearly", "days_after": 0}, "2023-06-01", "2024-12-31",
         [("2023", "2023年度", "2023-12-31"), ("2024", "2024年度", "2024-12-31")]),
        ({"kind": "weekly", "weekday": "fri"}, "2023-08-08", "2023-08-31",
         [("2023-W32", "8月7日—8月13日", "2023-08-11"), ("2023-W33", "8月14日—8月20日", "2023-08-18"), ("2023-W34", "8月21日—8月27日", "2023-08-25")]),
        ({"kind": "weekly", "weekday": "mon"}, "2023-08-08", "2023-08-21", [("2023-W33", "8月14日—8月20日", "2023-08-14"), ("2023-W34", "8月21日—8月27日", "2023-08-21")]),
        ({"kind": "fixed", "dates": [{"date": "2023-09-15", "label": "第一阶段"}, {"date": "2023-11-15", "label": "第二阶段"}, {"date": "2025-01-15", "label": "第三阶段"}]},
         "2023-08-08", "2024-11-30", [("2023-09-15", "第一阶段", "2023-09-15"), ("2023-11-15", "第二阶段", "2023-11-15")]),
        ({"kind": "once", "date": "2023-08-10", "label": "联络员报送"}, "2023-08-08", "2024-11-30", [("once", "联络员报送", "2023-08-10")]),
        ({"kind": "once", "date": "2023-08-01", "label": "too early"}, "2023-08-08", "2024-11-30", []),
        ({"kind": "any_time"}, "2023-08-08", "2024-11-30", []),
    ],
    ids=["monthly-previous", "monthly-current", "monthly-31-clamped", "monthly-31-previous", "quarterly-day", "quarterly-days-after",
         "half-yearly", "yearly-january", "yearly-month-day", "yearly-days-after", "weekly-fri", "weekly-mon-bounds",
         "fixed-bounded", "once", "once-before-start", "any-time-no-items"],
)
def test_rules(schedule: dict[str, Any], start: str, end: str, expected: list[tuple[str, str, str]]) -> None:
    assert items(timing(schedule), start, end) == expected


def test_any_time_has_one_open_period() -> None:
    report = timing({"kind": "any_time"}, reminders=["-1d@09:00"])
    (period,) = periods_of(report, tz=SHANGHAI, start=date(2023, 8, 8), end=date(2024, 11, 30), calendar=CAL)
    assert (period.period_key, period.due_at, period.first_day) == ("any", None, date(2023, 8, 8))
    assert reminders_for(period, report, calendar=CAL, tz=SHANGHAI) == []


def test_labels_in_english_and_periods() -> None:
    (item,) = due_items(timing({"kind": "quarterly", "day": 10}), tz=SHANGHAI, start=date(2023, 7, 1), end=date(2023, 10, 31), calendar=CAL)
    assert (item.label_en, item.first_day, item.last_day) == ("Q3 2023", date(2023, 7, 1), date(2023, 9, 30))
    (month,) = due_items(timing({"kind": "monthly", "day": 2}), tz=SHANGHAI, start=date(2023, 8, 8), end=date(2023, 9, 30), calendar=CAL)
    assert (month.label_en, month.first_day, month.last_day) == ("August 2023", date(2023, 8, 1), date(2023, 8, 31))


def test_month_must_go_with_yearly_day() -> None:
    with pytest.raises(ValidationError, match="only for kind = 'yearly'"):
        timing({"kind": "quarterly", "day": 1, "month": 3})


# ── seed 000 ─────────────────────────────────────────────────────────────────────────────


def test_seed_000_dates() -> None:
    config = load_config()
    got = all_due_items(config.report_types, tz=config.campaign.tz, start=config.campaign.start, end=config.campaign.end,
                        calendar=ChinaCalendar(config.calendar))
    by_report: dict[str, list[str]] = {}
    for item in got:
        by_report.setdefault(item.report_key, []).append(item.due_date.isoformat() if item.due_date else "")
    monthly = [f"{y}-{m:02d}-02" for y, m in [(2023, 9), (2023, 10), (2023, 11), (2023, 12)] + [(2024, m) for m in range(1, 12)]]
    assert by_report["typical_case"] == monthly
    assert by_report["case_statistics"] == monthly
    assert by_report["stage_summary"] == ["2023-09-15", "2023-11-15", "2024-03-15", "2024-06-15", "2024-09-15"]
    assert by_report["final_summary"] == ["2024-11-15"]
    assert by_report["liaison_list"] == ["2023-08-10"]
    assert "major_issue" not in by_report
    first = next(i for i in got if i.report_key == "typical_case")
    assert (first.label, first.due_at) == ("2023年8月", datetime(2023, 9, 2, 23, 59, 59, tzinfo=SHANGHAI))


# ── calendar and holiday rules ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("day", "working"),
    [("2024-10-01", False), ("2024-10-07", False), ("2024-10-08", True), ("2024-10-12", True), ("2024-09-29", True),
     ("2024-10-13", False), ("2024-10-05", False), ("2023-08-16", True), ("2024-02-12", False), ("2024-02-04", True)],
    ids=["national-day", "national-day-last", "after-holiday", "makeup-saturday", "makeup-sunday", "plain-sunday",
         "holiday-saturday", "plain-wednesday", "spring-festival", "spring-makeup-sunday"],
)
def test_china_calendar(day: str, working: bool) -> None:
    assert CAL.is_working_day(date.fromisoformat(day)) is working


def test_calendar_settings_add_days() -> None:
    cal = ChinaCalendar(CalendarSettings(extra_holidays=[date(2030, 6, 3)], extra_working_days=[date(2030, 6, 8)]))
    assert not cal.is_working_day(date(2030, 6, 3)) and cal.is_working_day(date(2030, 6, 8))
    assert cal.next_working_day(date(2030, 6, 1)) == date(2030, 6, 4)


@pytest.mark.parametrize(
    ("rule", "nominal", "expected"),
    [("next_working_day", "2024-10-01", "2024-10-08"), ("previous_working_day", "2024-10-01", "2024-09-30"),
     ("keep", "2024-10-01", "2024-10-01"), ("next_working_day", "2024-10-12", "2024-10-12"),
     ("next_working_day", "2024-10-13", "2024-10-14"), ("previous_working_day", "2024-10-06", "2024-09-30")],
    ids=["national-day-next", "national-day-previous", "keep", "makeup-saturday-stays", "sunday-next", "holiday-sunday-previous"],
)
def test_holiday_rule(rule: str, nominal: str, expected: str) -> None:
    report = timing({"kind": "once", "date": nominal, "label": "x"}, holiday_rule=rule)
    (item,) = due_items(report, tz=SHANGHAI, start=date(2024, 1, 1), end=date(2024, 12, 31), calendar=CAL)
    assert (item.nominal_date, item.due_date) == (date.fromisoformat(nominal), date.fromisoformat(expected))
    assert item.due_at == datetime.combine(date.fromisoformat(expected), time(23, 59, 59), tzinfo=SHANGHAI)


def test_due_time_and_window() -> None:
    report = timing({"kind": "monthly", "day": 5}, due_time="17:30")
    got = due_items(report, tz=SHANGHAI, start=date(2024, 1, 1), end=date(2024, 12, 31), calendar=CAL,
                    window_from=date(2024, 3, 1), window_to=date(2024, 4, 30))
    assert [i.due_at for i in got] == [datetime(2024, 3, 5, 17, 30, tzinfo=SHANGHAI), datetime(2024, 4, 5, 17, 30, tzinfo=SHANGHAI)]


# ── reminders ────────────────────────────────────────────────────────────────────────────


def local_moments(report: ReportTiming, nominal: str, tz: ZoneInfo = SHANGHAI, quiet: str | None = None) -> list[str]:
    (item,) = due_items(report, tz=tz, start=date(2000, 1, 1), end=date(2100, 1, 1), calendar=CAL)
    moments = reminders_for(item, report, calendar=CAL, tz=tz, quiet_hours=QuietHours.parse(quiet) if quiet else None)
    assert all(m.at.tzinfo is UTC for m in moments)
    return [m.at.astimezone(tz).strftime("%m-%d %H:%M") for m in moments]


def once(day: str, **extra: Any) -> ReportTiming:
    return timing({"kind": "once", "date": day, "label": "x"}, **extra)


@pytest.mark.parametrize(
    ("report", "tz", "quiet", "expected"),
    [
        (once("2023-09-15", reminders=["-3d@09:00", "-1d@09:00", "0d@09:00", "+1d@09:00"]), SHANGHAI, None,
         ["09-12 09:00", "09-14 09:00", "09-15 09:00", "09-16 09:00"]),
        (once("2023-09-15", reminders=["-2h", "-10m", "-30s"]), SHANGHAI, None, ["09-15 21:59", "09-15 23:49", "09-15 23:59"]),
        (once("2023-09-15", due_time="17:00", reminders=["-1d", "-2h"]), SHANGHAI, None, ["09-14 17:00", "09-15 15:00"]),
        # working days only: Sunday 2024-10-13's reminder moves to Friday 10-11; the make-up Saturday 10-12 stays
        (once("2024-10-14", reminders=["-1d@09:00", "-2d@09:00"], reminders_working_days_only=True), SHANGHAI, None, ["10-12 09:00"]),
        (once("2024-10-14", reminders=["-1d@09:00", "-3d@09:00"], reminders_working_days_only=True), SHANGHAI, None, ["10-11 09:00", "10-12 09:00"]),
        # an overdue reminder on a holiday waits for the next working day (the National Day week)
        (once("2024-09-30", reminders=["+1d@09:00"], reminders_working_days_only=True), SHANGHAI, None, ["10-08 09:00"]),
        (once("2024-10-01", reminders=["-1d@09:00"], reminders_working_days_only=False), SHANGHAI, None, ["09-30 09:00"]),
        # quiet hours: the morning after; a warning that would pass the deadline comes before the quiet hours
        (once("2023-09-15", reminders=["-1d@23:00", "-1d@06:00"]), SHANGHAI, "22:00-07:30", ["09-14 07:30", "09-15 07:30"]),
        (once("2023-09-15", reminders=["-1h"]), SHANGHAI, "22:00-07:30", ["09-15 21:59"]),
        (once("2023-09-15", reminders=["+1h"]), SHANGHAI, "22:00-07:30", ["09-16 07:30"]),
        (once("2023-09-15", reminders=["0d@12:30"]), SHANGHAI, "12:00-14:00", ["09-15 14:00"]),
        # Berlin across the spring DST change (2024-03-31 02:00 → 03:00)
        (once("2024-04-01", reminders=["-3d@09:00", "-1d@09:00", "-1d@02:30", "-25h"]), BERLIN, None,
         ["03-29 09:00", "03-31 03:30", "03-31 09:00", "03-31 22:59"]),  # 02:30 does not exist; 25 h is not a day
        (once("2024-10-27", reminders=["-1d@09:00", "-24h"]), BERLIN, None, ["10-26 09:00", "10-27 00:59"]),  # a 25-hour day
    ],
    ids=["day-offsets", "short-offsets", "due-time", "working-days-makeup-saturday", "working-days-sunday-to-friday",
         "overdue-after-national-day", "calendar-days", "quiet-morning", "quiet-before-deadline", "quiet-overdue",
         "quiet-midday", "berlin-spring", "berlin-autumn"],
)
def test_reminders(report: ReportTiming, tz: ZoneInfo, quiet: str | None, expected: list[str]) -> None:
    assert local_moments(report, "", tz, quiet) == expected


def test_berlin_due_moment_and_utc() -> None:
    (item,) = due_items(once("2024-03-31"), tz=BERLIN, start=date(2024, 1, 1), end=date(2024, 12, 31), calendar=CAL)
    assert item.due_at is not None and item.due_at.astimezone(UTC) == datetime(2024, 3, 31, 21, 59, 59, tzinfo=UTC)
    (winter,) = due_items(once("2024-03-30"), tz=BERLIN, start=date(2024, 1, 1), end=date(2024, 12, 31), calendar=CAL)
    assert winter.due_at is not None and winter.due_at.astimezone(UTC) == datetime(2024, 3, 30, 22, 59, 59, tzinfo=UTC)


def test_moment_keys_and_next_moment() -> None:
    config = load_config()
    kwargs: dict[str, Any] = dict(tz=config.campaign.tz, start=config.campaign.start, end=config.campaign.end,
                                  calendar=ChinaCalendar(config.calendar), quiet_hours=config.reminders.quiet_hours)
    nxt = next_moment(config.report_types, now=datetime(2023, 8, 16, 2, 0, tzinfo=UTC), **kwargs)
    assert nxt is not None and nxt.moment_key == "2023-08-18T01:00:00Z" and nxt.report_key == "group_weekly"
    assert nxt.offset == "0d@09:00" and not nxt.overdue
    again = next_moment(config.report_types, now=nxt.at, **kwargs)
    assert again is not None and again.at > nxt.at
    assert next_moment(config.report_types, now=datetime(2025, 1, 1, tzinfo=UTC), **kwargs) is None


# ── which period a phrase names ──────────────────────────────────────────────────────────

NOW = datetime(2023, 11, 16, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("report_key", "phrase", "expected"),
    [("typical_case", "本月", "2023-11"), ("typical_case", "上月", "2023-10"), ("typical_case", "上个月", "2023-10"),
     ("typical_case", "2023年9月", "2023-09"), ("typical_case", "9月", "2023-09"), ("typical_case", "十月份", "2023-10"),
     ("typical_case", "last month", "2023-10"), ("typical_case", "September 2023", "2023-09"),
     ("typical_case", "10月15日", "2023-10"), ("typical_case", "2023年10月15日", "2023-10"), ("typical_case", "三季度", None),
     ("stage_summary", "第二阶段", "2023-11-15"), ("stage_summary", "Stage 3", "2024-03-15"), ("stage_summary", "第九阶段", None),
     ("final_summary", "最终总结", "once"), ("major_issue", "本月", "any"), ("major_issue", "胡说八道", None),
     ("group_weekly", "本周", "2023-W46"), ("group_weekly", "上周", "2023-W45"), ("group_weekly", "第40周", "2023-W40"),
     ("typical_case", "胡说", None)],
    ids=lambda v: str(v),
)
def test_period_for_phrase(report_key: str, phrase: str, expected: str | None) -> None:
    config = load_config()
    found = period_for_phrase(phrase, config.report(report_key), now=NOW, tz=SHANGHAI, start=config.campaign.start,
                              end=config.campaign.end, calendar=CAL)
    assert (found.period_key if found else None) == expected


@pytest.mark.parametrize(
    ("schedule", "phrase", "expected"),
    [({"kind": "quarterly", "day": 10}, "三季度", "2023-Q3"), ({"kind": "quarterly", "day": 10}, "第四季度", "2023-Q4"),
     ({"kind": "quarterly", "day": 10}, "上季度", "2023-Q3"), ({"kind": "quarterly", "day": 10}, "Q1", "2024-Q1"),
     ({"kind": "half_yearly", "day": 15}, "上半年", "2024-H1"), ({"kind": "half_yearly", "day": 15}, "2023年下半年", "2023-H2"),
     ({"kind": "yearly", "day": 31}, "2023年", "2023"), ({"kind": "yearly", "day": 31}, "今年", "2023")],
    ids=lambda v: str(v) if isinstance(v, str) else v["kind"],
)
def test_period_for_phrase_other_rules(schedule: dict[str, Any], phrase: str, expected: str) -> None:
    found = period_for_phrase(phrase, timing(schedule), now=NOW, tz=SHANGHAI, start=date(2023, 8, 8), end=date(2024, 11, 30), calendar=CAL)
    assert found is not None and found.period_key == expected


@pytest.mark.parametrize(
    ("report_key", "phrase", "expected"),
    [("typical_case", "三季度", ["2023-08", "2023-09"]),  # the campaign starts in August
     ("typical_case", "第四季度", ["2023-10", "2023-11", "2023-12"]),
     ("typical_case", "上半年", ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]),  # 2023's is before the campaign
     ("typical_case", "2023年", ["2023-08", "2023-09", "2023-10", "2023-11", "2023-12"]),
     ("typical_case", "9月", ["2023-09"]), ("group_weekly", "第40周", ["2023-W40"]),
     ("stage_summary", "上半年", ["2024-06-15"]), ("typical_case", "胡说", [])],
    ids=lambda v: str(v),
)
def test_periods_for_phrase_spans_the_periods_within(report_key: str, phrase: str, expected: list[str]) -> None:
    config = load_config()
    found = periods_for_phrase(phrase, config.report(report_key), now=NOW, tz=SHANGHAI, start=config.campaign.start,
                               end=config.campaign.end, calendar=CAL)
    assert [i.period_key for i in found] == expected
