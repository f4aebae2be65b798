"""Weekly periods are named by their dates, as officials write them (8月7日—8月13日)."""

from __future__ import annotations

from datetime import date

import pytest

from schedules.periods import week_label, week_label_en


@pytest.mark.parametrize(
    ("first", "zh", "en"),
    [
        (date(2023, 8, 7), "8月7日—8月13日", "7 Aug – 13 Aug 2023"),
        (date(2023, 8, 28), "8月28日—9月3日", "28 Aug – 3 Sep 2023"),
        (date(2024, 12, 30), "2024年12月30日—2025年1月5日", "30 Dec 2024 – 5 Jan 2025"),
    ],
    ids=["in-a-month", "across-months", "across-years"],
)
def test_week_labels(first: date, zh: str, en: str) -> None:
    last = date.fromordinal(first.toordinal() + 6)
    assert week_label(first, last) == zh
    assert week_label_en(first, last) == en
