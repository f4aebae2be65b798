"""The message catalog: both languages complete, parameters escaped."""

from __future__ import annotations

import pytest

from bot.texts.catalog import Markup, normalize_language, parameters, t, texts


def test_both_languages_have_the_same_keys_and_parameters() -> None:
    zh, en = texts("zh-CN"), texts("en")
    assert zh.keys() == en.keys()
    mismatched = {k for k in zh if parameters(zh[k]) != parameters(en[k])}
    assert not mismatched


def test_parameters_are_escaped_unless_marked_safe() -> None:
    assert "&lt;script&gt;" in t("en", "start.welcome", name="<script>", campaign="C")
    assert "<i>C</i>" in t("en", "start.welcome", name="x", campaign=Markup("<i>C</i>"))


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", "zh-CN"), ("zh-TW", "zh-CN"), ("en-US", "en"), ("en", "en"), ("ru", "zh-CN"), (None, "zh-CN")],
)
def test_telegram_language_codes(code: str | None, expected: str) -> None:
    assert normalize_language(code) == expected
