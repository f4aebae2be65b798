"""The message catalog: every text a user sees, in zh-CN and en, by kebab-case key.

Each language is a folder of TOML files, one per topic (`zh/common.toml`, `zh/registration.toml` …);
their sections become dotted keys (`start.welcome`).

Texts are TOML strings with named `{parameters}`; parameters are HTML-escaped unless the
caller marks them as already-safe markup with `Markup`.

A text that depends on a number is a table of CLDR plural forms, `units = { one = "{count} unit",
other = "{count} units" }` in English and `units = { other = "{count} 个单位" }` in Chinese;
`tn(language, "x.units", count)` picks the form with Babel's plural rules.
"""

from __future__ import annotations

import html
import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
_DIRS = {"zh-CN": "zh", "en": "en"}
_LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")  # CLDR's plural categories


class Markup(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""


def _flatten(prefix: str, node: dict[str, object], out: dict[str, str]) -> None:
    for key, value in node.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise TypeError(f"catalog key {full!r} must be text")


@cache
def texts(language: str) -> dict[str, str]:
    """All texts of a language, by key (sections joined with dots)."""
    out: dict[str, str] = {}
    for file in sorted((Path(__file__).parent / _DIRS[language]).glob("*.toml")):
        part: dict[str, str] = {}
        _flatten("", tomllib.loads(file.read_text(encoding="utf-8")), part)
        if clash := out.keys() & part.keys():
            raise ValueError(f"{file}: keys defined twice: {sorted(clash)}")
        out.update(part)
    return out


def parameters(template: str) -> set[str]:
    """The named parameters of a text."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def normalize_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram language_code (zh-hans, en-US, …) to a catalog language."""
    if not code:
        return default
    low = code.lower()
    if low.startswith("zh"):
        return "zh-CN"
    if low.startswith("en"):
        return "en"
    return default


def t(language: str, key: str, /, **params: object) -> str:
    """The text `key` in `language`, with parameters filled in and escaped for Telegram HTML."""
    template = texts(language if language in _DIRS else DEFAULT_LANGUAGE)[key]
    safe = {k: v if isinstance(v, Markup) else html.escape(str(v), quote=False) for k, v in params.items()}
    return template.format(**safe)


@cache
def plural_categories(language: str) -> frozenset[str]:
    """The CLDR plural forms a language's texts must give ('other' always)."""
    return Locale.parse(_LOCALES[language]).plural_form.tags | {"other"}


@cache
def _plural_rule(language: str) -> Any:
    """The language's CLDR plural rule (a count -> its form), read once."""
    return Locale.parse(_LOCALES[language]).plural_form


def warm() -> None:
    """Read every language's texts and plural rules now (at the start), not amid the first wave of reminders."""
    for language in _DIRS:
        texts(language)
        _plural_rule(language)
        _plural_texts(language)


def plural_texts(language: str) -> dict[str, dict[str, str]]:
    """The texts that have plural forms: key -> form -> text."""
    return _plural_texts(language if language in _DIRS else DEFAULT_LANGUAGE)


@cache
def _plural_texts(language: str) -> dict[str, dict[str, str]]:
    children: dict[str, dict[str, str]] = {}
    for key, template in texts(language).items():
        base, _, last = key.rpartition(".")
        children.setdefault(base, {})[last] = template
    # a plural text is a table of nothing but plural forms, 'other' among them
    return {base: forms for base, forms in children.items() if "other" in forms and set(forms) <= set(PLURAL_FORMS)}


def tn(language: str, key: str, count: int, /, **params: object) -> str:
    """The plural text `key` in the form `count` takes in `language`; `{count}` is filled in too."""
    language = language if language in _DIRS else DEFAULT_LANGUAGE
    form = _plural_rule(language)(abs(count))
    forms = _plural_texts(language)[key]
    return t(language, f"{key}.{form if form in forms else 'other'}", count=count, **params)
