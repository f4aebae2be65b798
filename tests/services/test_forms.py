"""Form checks: money, dates, statistics rows and the cumulative comparison, long-text splitting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.services.submissions.forms import statistics as stats
from bot.services.submissions.forms import validators
from bot.replies import split

NOW = datetime(2023, 8, 16, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "yuan"),
    [("5000", "5000.00"), ("5000元", "5000.00"), ("1.5万元", "15000.00"), ("1.5万", "15000.00"), ("０", "0.00"), ("12,000元", "12000.00")],
)
def test_amounts_in_yuan_or_wan(text: str, yuan: str) -> None:
    assert validators.amount_yuan(text) == Decimal(yuan)


@pytest.mark.parametrize(("text", "key"), [("-5", "amount-negative"), ("很多", "amount"), ("1.234元", "amount-precision")])
def test_bad_amounts_say_why(text: str, key: str) -> None:
    with pytest.raises(validators.Invalid) as e:
        validators.amount_yuan(text)
    assert e.value.key == key


def test_decision_dates_are_in_the_past() -> None:
    assert validators.past_date("8月10日", now=NOW, tz=TZ).isoformat() == "2023-08-10"
    assert validators.past_date("昨天", now=NOW, tz=TZ).isoformat() == "2023-08-15"
    with pytest.raises(validators.Invalid) as e:
        validators.past_date("2023年9月1日", now=NOW, tz=TZ)
    assert e.value.key == "date-future"


AUG_30 = datetime(2023, 8, 30, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(("text", "day"), [("9月30日", "2022-09-30"), ("9月30号", "2022-09-30"), ("9/30", "2022-09-30"), ("8月29日", "2023-08-29"), ("8月30日", "2023-08-30")])
def test_a_bare_month_day_after_today_is_last_years(text: str, day: str) -> None:
    assert validators.past_date(text, now=AUG_30, tz=TZ).isoformat() == day


@pytest.mark.parametrize(("text", "day"), [("明天", "2023-08-31"), ("下周五", "2023-09-08"), ("后天", "2023-09-01")])
def test_a_relative_phrase_naming_a_future_day_is_refused(text: str, day: str) -> None:
    with pytest.raises(validators.Invalid) as e:
        validators.past_date(text, now=AUG_30, tz=TZ)
    assert e.value.key == "date-future-phrase" and e.value.params == {"text": text, "day": day}
    assert validators.past_date("今天", now=AUG_30, tz=TZ).isoformat() == "2023-08-30"
    assert validators.past_date("上周五", now=AUG_30, tz=TZ).isoformat() == "2023-08-25"


def test_statistics_row_problems_name_their_cells() -> None:
    row, problems = stats.parse_row("online", "3 4 1 0 0.5 0 0")
    assert row is None
    assert [(p.key, p.cell("zh-CN")) for p in problems] == [("exceeds", "药品网络销售单位 × 发现违规单位数量（家）")]
    row, problems = stats.parse_row("retail", "3、2、1、0、1.25、0、0")
    assert problems == [] and row is not None and row["fines"] == "1.25" and row["inspected"] == "3"
    _, problems = stats.parse_row("retail", "3 2 1.5 0 0 0 0")
    assert [(p.key, p.column) for p in problems] == [("whole", "rectified")]


def test_statistics_row_names_every_problem_at_once() -> None:
    # a wrong cell (x) does not hide that found > inspected and rectified > found among the others
    _, problems = stats.parse_row("retail", "10 12 13 1 0.5 x 0")
    assert [(p.key, p.column) for p in problems] == [("not-number", "revoked"), ("exceeds", "violating"), ("exceeds", "rectified")]
    # a wrong cell in the middle of a rule: the rule is not checked (nothing to compare with)
    _, problems = stats.parse_row("retail", "10 x 13 1 0.5 0 0")
    assert [(p.key, p.column) for p in problems] == [("not-number", "violating")]


@pytest.mark.parametrize(("raw", "key"), [
    ("1e5", "not-number"), ("1_000", "not-number"), ("+5", "not-number"), ("1e999999", "not-number"), ("NaN", "not-number"),
    ("Infinity", "not-number"), ("0x10", "not-number"), ("1.", "not-number"), (".5", "not-number"), ("-1", "negative"), ("1.5", "whole"),
    ("3.0", "whole"),
])
def test_only_plain_digits_are_counts(raw: str, key: str) -> None:
    number, problem = stats.parse_cell("retail", "inspected", raw)
    assert number is None and problem is not None and problem.key == key


@pytest.mark.parametrize(("raw", "key"), [("1e5", "not-number"), ("+0.5", "not-number"), ("1e999999", "not-number"), ("0.555", "money-precision"), ("-0.5", "negative")])
def test_only_plain_decimals_are_fines(raw: str, key: str) -> None:
    number, problem = stats.parse_cell("retail", "fines", raw)
    assert number is None and problem is not None and problem.key == key


@pytest.mark.parametrize(("column", "raw", "number"), [("inspected", "12", "12"), ("inspected", "12家", "12"), ("inspected", "007", "7"),
                                                      ("fines", "0.5万元", "0.5"), ("fines", "1.25", "1.25"), ("fines", "3", "3"), ("fines", "0.50", "0.5")])
def test_plain_figures_are_read(column: str, raw: str, number: str) -> None:
    assert stats.parse_cell("retail", column, raw) == (number, None)


def test_cumulative_figures_lower_than_before_are_found() -> None:
    before = {"retail": {"inspected": "10", "fines": "1.5"}}
    now = {"retail": {"inspected": "9", "fines": "2"}}
    [problem] = stats.lower_than_before(now, before)
    assert problem.cell("en") == "Retail pharmacies × Units inspected"


def test_split_keeps_everything_within_the_limit_and_entities_whole() -> None:
    text = "<b>标题</b>\n" + "甲&amp;" * 1500 + "\n尾"
    parts = split(text, limit=1000)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert all(len(p) <= 1000 for p in parts)
    assert all(not p.endswith("&amp") and not p.startswith("amp;") for p in parts)


def _workbook(rows: list[list[object]]) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_is_read_by_category_name_wherever_the_rows_are() -> None:
    from bot.services.submissions.forms.workbook import read_workbook

    data = _workbook([
        ["附件1"],
        [],
        ["类别", "检查", "违规", "整改", "立案", "罚没", "吊销", "移送"],
        [" 药品网络销售单位 ", "2", "0", "0", "0", "0.5万元", "0", "0"],
        ["零售药店", 10, 3, 2, 1, 1.25, 0, 0],
        ["药品 使用单位", "5家", 1, 1, 0, 0, 0, 0],
    ])
    table, problems = read_workbook(data)
    assert problems == [] and table is not None
    assert table["retail"]["fines"] == "1.25" and table["users"]["inspected"] == "5" and table["online"]["fines"] == "0.5"


def test_workbook_problems_name_the_excel_cell() -> None:
    from bot.services.submissions.forms.workbook import read_workbook

    data = _workbook([["零售药店", 1, 2, 0, 0, 0, 0, -1], ["药品使用单位"], ["其他", 1]])
    table, problems = read_workbook(data)
    assert table is None
    assert [(p.key, p.cell("zh-CN")) for p in problems] == [
        ("negative", "H1 零售药店 × 移送公安机关案件数量（家）"),
        ("exceeds", "C1 零售药店 × 发现违规单位数量（家）"),
        ("empty-row", "B2:H2 药品使用单位"),
        ("missing-row", "药品网络销售单位"),
    ]


def test_a_damaged_workbook_is_unreadable() -> None:
    from bot.services.submissions.forms.workbook import Unreadable, blank_workbook, read_workbook

    with pytest.raises(Unreadable):
        read_workbook(blank_workbook()[:300])
    with pytest.raises(Unreadable):
        read_workbook(b"%PDF-1.4 not a workbook")
