"""Validation errors said in the user's terms, with "did you mean" for near misses."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

# What a pattern means, for "String should match pattern '^...$'".
PATTERNS = {
    r"^[A-Za-z0-9_-]{1,32}$": "expected a short code of letters, digits, _ or - (at most 32 characters), e.g. 'pgs'",
    r"^[a-z][a-z0-9_]{0,39}$": "expected a lower-case name: a letter, then letters, digits or _ (at most 40), e.g. 'typical_case'",
}


def suggestion(word: object, choices: Sequence[str]) -> str:
    """' (did you mean 'units'?)' for a near miss among `choices`, else ''."""
    if not isinstance(word, str) or not choices:
        return ""
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.strip().lower(), list(lowered), n=1, cutoff=0.6)
    if not close:  # 'friday' for 'fri': a choice the word starts with
        close = [c for c in lowered if len(c) >= 3 and word.strip().lower().startswith(c)][:1]
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def _choices(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def _one_of(options: list[str]) -> str:
    return "one of " + ", ".join(repr(o) for o in options)


def explain(error: ErrorDetails, value: Any, allowed_keys: list[str] | None) -> str:
    """What is expected, for one pydantic error; `allowed_keys` are the keys of the table it is in."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    msg: str = error["msg"]
    if kind == "extra_forbidden":
        key = error["loc"][-1] if error["loc"] else ""
        hint = suggestion(key, allowed_keys or [])
        known = "" if hint or not allowed_keys else f" (this table takes: {', '.join(allowed_keys)})"
        return f"unknown key{hint or known}; remove it or correct the spelling"
    if kind == "missing":
        return "required key is missing"
    if kind in {"literal_error", "enum"}:
        options = _choices(str(ctx.get("expected", "")))
        return f"expected {_one_of(options)}{suggestion(value, options)}"
    if kind == "union_tag_invalid":
        options = _choices(str(ctx.get("expected_tags", "")))
        return f"unknown kind {ctx.get('tag')!r}: expected {_one_of(options)}{suggestion(ctx.get('tag'), options)}"
    if kind == "union_tag_not_found":
        return "the schedule needs a kind: monthly, quarterly, half_yearly, yearly, weekly, fixed, once or any_time"
    if kind == "string_pattern_mismatch":
        return PATTERNS.get(str(ctx.get("pattern")), f"does not have the expected form {ctx.get('pattern')}")
    simple = {
        "int_parsing": "expected a whole number, without quotes (e.g. 3)",
        "int_type": "expected a whole number, without quotes (e.g. 3)",
        "int_from_float": "expected a whole number, not a fraction",
        "float_parsing": "expected a number, without quotes",
        "bool_parsing": "expected true or false (lower case, without quotes)",
        "bool_type": "expected true or false (lower case, without quotes)",
        "string_type": 'expected text in quotes, e.g. "…"',
        "list_type": 'expected a list in square brackets, e.g. ["a", "b"]',
        "dict_type": "expected a table: a [section] or { key = value, … }",
        "model_type": "expected a table: a [section] or { key = value, … }",
        "model_attributes_type": "expected a table: a [section] or { key = value, … }",
        "date_parsing": "expected a date such as 2024-03-31 (year-month-day, without quotes)",
        "date_type": "expected a date such as 2024-03-31 (year-month-day, without quotes)",
        "date_from_datetime_parsing": "expected a date such as 2024-03-31 (year-month-day, without quotes)",
        "date_from_datetime_inexact": "expected a date without a time of day, such as 2024-03-31",
        "time_parsing": "expected a time of day such as 09:00",
        "time_type": "expected a time of day such as 09:00",
        "timedelta_parsing": "expected a duration such as '12h', '30m' or '2d'",
        "timedelta_type": "expected a duration such as '12h', '30m' or '2d'",
    }
    if kind in simple:
        return simple[kind]
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, name = bounds[kind]
        return f"expected a number {words} {ctx.get(name)}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "expected at least one entry" if n == 1 else f"expected at least {n} entries"
    if kind == "too_long":
        return f"expected at most {ctx.get('max_length')} entries"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters"
    return msg.removeprefix("Value error, ").replace("Input should be", "expected")


def allowed_keys(model: type[BaseModel], loc: Sequence[int | str], data: Any) -> list[str] | None:
    """The keys the table at `loc` takes (the location of an unknown key, without that key), or None."""
    annotation: Any = model
    node = data
    for part in loc:
        target = _model_of(annotation, node)
        if isinstance(part, int):
            annotation = _item_of(annotation)
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif target is not None and part in target.model_fields:
            annotation = target.model_fields[part].annotation
            node = node.get(part) if isinstance(node, dict) else None
        elif target is None and _branch(annotation, part) is not None:
            annotation = _branch(annotation, part)  # a discriminated union's branch ('quarterly')
        else:
            return None
    target = _model_of(annotation, node)
    return list(target.model_fields) if target is not None else None


def _unwrap(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _models(annotation: Any) -> list[type[BaseModel]]:
    return [t for t in _unwrap(annotation) if isinstance(t, type) and issubclass(t, BaseModel)]


def _model_of(annotation: Any, node: Any) -> type[BaseModel] | None:
    models = _models(annotation)
    if len(models) == 1:
        return models[0]
    kind = node.get("kind") if isinstance(node, dict) else None
    return _branch(annotation, kind) if isinstance(kind, str) else None


def _branch(annotation: Any, tag: object) -> type[BaseModel] | None:
    for model in _models(annotation):
        field = model.model_fields.get("kind")
        if field is not None and get_origin(field.annotation) is Literal and tag in get_args(field.annotation):
            return model
    return None


def _item_of(annotation: Any) -> Any:
    for t in _unwrap(annotation):
        if get_origin(t) is list:
            return get_args(t)[0]
    return None
