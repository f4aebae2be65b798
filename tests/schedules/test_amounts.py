"""Amounts in every form officials write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schedules.amounts import in_unit, parse_amount, shown


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("5000", "5000"), ("5,000.00", "5000"), ("5千元", "5000"), ("5千", "5000"), ("三千二百元", "3200"),
        ("1万5千元", "15000"), ("一万五千元", "15000"), ("一万五", "15000"), ("三千二", "3200"), ("伍仟元", "5000"),
        ("伍仟元整", "5000"), ("壹万零伍佰元", "10500"), ("一万零五元", "10005"), ("0.5万元", "5000"), ("0.5万", "5000"),
        ("1.25万元", "12500"), ("¥3200", "3200"), ("人民币叁佰元伍角", "300.5"), ("叁佰元伍角贰分", "300.52"),
        ("十万元", "100000"), ("２０００元", "2000"), ("1万500元", "10500"), ("两千元", "2000"), ("1亿2千万元", "120000000"),
        ("五十元", "50"), ("3200 元", "3200"), ("0", "0"),
    ],
)
def test_amounts_in_yuan(text: str, yuan: str) -> None:
    found = parse_amount(text)
    assert found is not None, text
    assert shown(in_unit(found, "元")) == yuan


@pytest.mark.parametrize(("text", "wan"), [("5千元", "0.5"), ("0.5万元", "0.5"), ("1.25", "1.25"), ("3200元", "0.32"), ("1万5千元", "1.5"), ("2万", "2")])
def test_amounts_in_wan(text: str, wan: str) -> None:
    found = parse_amount(text)
    assert found is not None
    assert shown(in_unit(found, "万元")) == wan


@pytest.mark.parametrize("text", ["", "abc", "五千美元", "一二三", "万", "5..0", "元", "1.2.3", "5千5千"])
def test_not_amounts(text: str) -> None:
    assert parse_amount(text) is None


def test_a_bare_number_is_in_the_question_s_unit() -> None:
    found = parse_amount("1.5")
    assert found is not None and not found.in_yuan and in_unit(found, "万元") == Decimal("1.5")
