"""Form checks: money, dates, statistics rows and the cumulative comparison, long-text splitting."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.services.forms import statistics as stats
from bot.services.forms import validators
from bot.services.forms.render import split

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


def test_statistics_row_problems_name_their_cells() -> None:
    row, problems = stats.parse_row("online", "3 4 1 0 0.5 0 0")
    assert row is None
    assert [(p.key, p.cell("zh-CN")) for p in problems] == [("exceeds", "药品网络销售单位 × 发现违规单位数量（家）")]
    row, problems = stats.parse_row("retail", "3、2、1、0、1.25、0、0")
    assert problems == [] and row is not None and row["fines"] == "1.25" and row["inspected"] == "3"
    _, problems = stats.parse_row("retail", "3 2 1.5 0 0 0 0")
    assert [(p.key, p.column) for p in problems] == [("whole", "rectified")]


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
    from bot.services.forms.workbook import read_workbook

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
    from bot.services.forms.workbook import read_workbook

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
    from bot.services.forms.workbook import Unreadable, blank_workbook, read_workbook

    with pytest.raises(Unreadable):
        read_workbook(blank_workbook()[:300])
    with pytest.raises(Unreadable):
        read_workbook(b"%PDF-1.4 not a workbook")
