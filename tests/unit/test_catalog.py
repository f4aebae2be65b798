"""The message catalog: both languages complete, parameters escaped."""

from __future__ import annotations

import pytest

from bot.texts.catalog import LANGUAGES, Markup, normalize_language, parameters, plural_categories, plural_texts, t, texts, tn


def _singular(language: str) -> dict[str, str]:
    """The texts without plural forms."""
    plural = {f"{base}.{form}" for base, forms in plural_texts(language).items() for form in forms}
    return {k: v for k, v in texts(language).items() if k not in plural}


def test_both_languages_have_the_same_keys_and_parameters() -> None:
    zh, en = _singular("zh-CN"), _singular("en")
    assert zh.keys() == en.keys()
    mismatched = {k for k in zh if parameters(zh[k]) != parameters(en[k])}
    assert not mismatched


def test_plural_texts_give_every_form_of_their_language_with_the_same_parameters() -> None:
    zh, en = plural_texts("zh-CN"), plural_texts("en")
    assert zh.keys() == en.keys() and zh
    for language in LANGUAGES:
        for key, forms in plural_texts(language).items():
            assert set(forms) == plural_categories(language), (language, key)
    for key in zh:
        found = {frozenset(parameters(text)) for forms in (zh[key], en[key]) for text in forms.values()}
        assert len(found) == 1 and "count" in next(iter(found)), key


def test_plural_forms_follow_the_number() -> None:
    assert tn("en", "counts.units", 1) == "1 unit"
    assert tn("en", "counts.units", 2) == "2 units"
    assert tn("en", "counts.units", 0) == "0 units"
    assert tn("zh-CN", "counts.units", 1) == "1 个单位"


def test_parameters_are_escaped_unless_marked_safe() -> None:
    assert "&lt;script&gt;" in t("en", "start.welcome", name="<script>", campaign="C")
    assert "<i>C</i>" in t("en", "start.welcome", name="x", campaign=Markup("<i>C</i>"))


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", "zh-CN"), ("zh-TW", "zh-CN"), ("en-US", "en"), ("en", "en"), ("ru", "zh-CN"), (None, "zh-CN")],
)
def test_telegram_language_codes(code: str | None, expected: str) -> None:
    assert normalize_language(code) == expected
