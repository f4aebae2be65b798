"""The drafting rules one sentence at a time: what a sentence of a notice becomes in the draft, and
what is left as a TODO. Each notice is the sentence under a title, a 主送 line and a 印发 date."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.services.drafting import draft_config, render
from bot.services.drafting.model import ReportDraft


def drafted(sentence: str) -> list[ReportDraft]:
    notice = f"关于印发《测试行动方案》的通知\n各单位：\n2024年1月5日\n{sentence}\n"
    return draft_config(notice, today=date(2030, 1, 1)).reports


def shape(r: ReportDraft) -> tuple[object, ...]:
    return (r.key, r.kind, r.day, r.days_after, r.month, r.weekday, r.covers if r.kind == "monthly" else None,
            [d.day for d in r.dates][:3], r.min_items, r.due_time, r.template)


@pytest.mark.parametrize(("sentence", "expected", "todo"), [
    ("各单位于每月2日前报送上月典型案例。",
     ("typical_case", "monthly", 2, None, None, None, "previous_month", [], None, None, "case"), None),
    ("各单位每月二十五日前报送当月工作进展情况。",
     ("progress_report", "monthly", 25, None, None, None, "current_month", [], None, None, "free"), None),
    ("各单位每月底前报送当月工作情况统计表。",
     ("statistics", "monthly", 31, None, None, None, "current_month", [], None, None, "statistics"), None),
    ("各单位应于2023年11月5日前、2024年6月5日前报送阶段性工作总结。",
     ("stage_summary", "fixed", None, None, None, None, None, [date(2023, 11, 5), date(2024, 6, 5)], None, None, "summary"), None),
    ("各单位应于二〇二四年三月十五日前报送自查报告。",
     ("report", "once", None, None, None, None, None, [date(2024, 3, 15)], None, None, "free"), None),
    ("请各单位指定一名联络员，于2024年1月20日前报送市局办公室。",
     ("liaison_list", "once", None, None, None, None, None, [date(2024, 1, 20)], None, None, "liaison"), "names no title"),
    ("原则上各单位每季度不少于一个典型案例。",
     ("typical_case", "quarterly", 10, None, None, None, None, [], 1, None, "case"), "the 10th of the month after the period"),
    ("各单位每季度首月10日前报送上季度统计表。",
     ("statistics", "quarterly", 10, None, None, None, None, [], None, None, "statistics"), None),
    ("各单位每季度结束后10个工作日内报送季度分析报告。",
     ("report", "quarterly", None, 10, None, None, None, [], None, None, "free"), "working days"),
    ("各单位每季度末月25日前报送季度工作情况。",
     ("report", "fixed", None, None, None, None, None, [date(2024, 3, 25), date(2024, 6, 25), date(2024, 9, 25)], None, None, "free"), None),
    ("每半年向市局报送风险分析报告。",
     ("risk_analysis", "half_yearly", 10, None, None, None, None, [], None, None, "free"), "no due day"),
    ("每年度向市局报送监管情况报告。",
     ("supervision_report", "yearly", 15, None, 1, None, None, [], None, None, "free"), "15 January after the year"),
    ("各单位每年1月15日前报送上年度工作总结。",
     ("annual_summary", "yearly", 15, None, 1, None, None, [], None, None, "summary"), None),
    ("各地要于每年12月20日前报送本年度工作总结。",
     ("annual_summary", "fixed", None, None, None, None, None, [date(2024, 12, 20)], None, None, "summary"), None),
    ("各单位每周一上午10时前报送上周工作情况。",
     ("report", "weekly", None, None, None, "mon", None, [], None, time(10, 0), "free"), None),
    ("各单位每周报送工作动态。",
     ("report", "weekly", None, None, None, "fri", None, [], None, None, "free"), "no weekday"),
], ids=lambda v: v if isinstance(v, str) and v.endswith("。") else "")
def test_a_sentence_becomes(sentence: str, expected: tuple[object, ...], todo: str | None) -> None:
    reports = drafted(sentence)
    assert [shape(r) for r in reports] == [expected]
    todos = [s.todo for s in reports[0].sources.values() if s.todo]
    if todo is None:
        assert [t for t in todos if "title" not in t] == []
    else:
        assert any(todo in t for t in todos), todos


@pytest.mark.parametrize("sentence", [
    "2023年11月20日前，全市每个乡镇政府要配备一名药品安全协管员。",  # a date, no report
    "每季度对药品流通过程中的质量风险进行排查。",  # a recurrence, no report
    "力争在2024年底前建成一批化妆品标准化店。",
])
def test_tasks_are_no_reports(sentence: str) -> None:
    assert drafted(sentence) == []


def test_any_time_and_holiday_rule() -> None:
    notice = "关于印发《测试行动方案》的通知\n各单位：\n2024年1月5日\n对工作中发现的重大问题随时上报。各单位每月5日前报送统计表，遇节假日顺延。\n"
    d = draft_config(notice, today=date(2030, 1, 1))
    assert [(r.key, r.kind, r.min_items, r.max_items) for r in d.reports] == [("major_issue", "any_time", 0, 99), ("statistics", "monthly", None, None)]
    assert d.holiday_rule == "next_working_day"
    assert 'holiday_rule = "next_working_day"  # 「各单位每月5日前报送统计表，遇节假日顺延。」' in render(d, "n.txt")


def test_a_day_left_open_is_the_monthly_reports_day() -> None:
    """Cases of a quarter with no day of their own: due on the statistics' day, the month after the quarter."""
    reports = drafted("各单位每月5日前报送上月统计表。有典型案例的及时报送，原则上各单位每季度不少于1个典型案例。")
    assert [shape(r) for r in reports] == [
        ("statistics", "monthly", 5, None, None, None, "previous_month", [], None, None, "statistics"),
        ("typical_case", "quarterly", 5, None, None, None, None, [], 1, None, "case"),
    ]
    assert "day 5 of the month after the period" in (reports[1].sources["schedule"].todo or "")
    assert reports[1].holiday_rule is None  # the statistics' rule: the two go together
