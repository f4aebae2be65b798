"""Amount fields and the statistics table's money column take every written form, in the field's unit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.submissions.forms import statistics, validators


@pytest.mark.parametrize(("typed", "yuan"), [("5千元", "5000.00"), ("三千二百元", "3200.00"), ("1万5千元", "15000.00"), ("伍仟元", "5000.00"), ("0.5万元", "5000.00"), ("5000", "5000.00")])
def test_yuan_fields(typed: str, yuan: str) -> None:
    assert validators.amount_yuan(typed) == Decimal(yuan)


@pytest.mark.parametrize(("typed", "wan"), [("5千元", "0.5"), ("1.25", "1.25"), ("1万5千元", "1.5"), ("0.5万", "0.5")])
def test_wan_fields(typed: str, wan: str) -> None:
    assert validators.amount(typed, unit="万元", decimals=2) == wan


@pytest.mark.parametrize(("typed", "key"), [("五千美元", "amount"), ("-5千元", "amount-negative"), ("0.001元", "amount-precision")])
def test_refused_amounts_say_why(typed: str, key: str) -> None:
    with pytest.raises(validators.Invalid) as caught:
        validators.amount_yuan(typed)
    assert caught.value.key == key


def test_the_money_column_of_the_table() -> None:
    assert statistics.parse_cell("retail", "fines", "5千元") == ("0.5", None)
    assert statistics.parse_cell("retail", "fines", "1.5万") == ("1.5", None)
    assert statistics.parse_cell("retail", "fines", "2.5") == ("2.5", None)
    value, problem = statistics.parse_cell("retail", "fines", "3456元")  # 0.3456 万元: more decimals than the column keeps
    assert value is None and problem is not None
