"""Button labels: shortened at a word boundary, the distinguishing tail kept."""

from __future__ import annotations

from bot.services.labels import fit, shorten


def test_short_text_is_unchanged() -> None:
    assert shorten("典型案例", 10) == "典型案例"


def test_english_is_cut_at_a_word_boundary() -> None:
    assert shorten("Case statistics entered in the national statistics system", 30) == "Case statistics entered in…"


def test_chinese_is_cut_between_characters() -> None:
    out = shorten("“两品一械”案件查办统计数据（统计信息系统）", 12)
    assert out.endswith("…") and len(out) <= 12 and out.startswith("“两品一械”案件")


def test_the_period_is_kept_when_the_title_is_long() -> None:
    title = "Case statistics entered in the national statistics system"
    label = fit(lambda name: f"Amend filed · {name} · September 2023 (item 2)", title)
    assert len(label) <= 60 and label.endswith("· September 2023 (item 2)") and "…" in label
    assert " statis…" not in label  # no word cut in half
