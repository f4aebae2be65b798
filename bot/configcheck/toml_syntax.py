"""A TOML syntax error as the user can act on it: line, column, the line itself and a hint."""

from __future__ import annotations

import re

_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")
# tomllib's words → what the user most likely did.
_HINTS = (
    ("Invalid value", 'a text value needs quotes ("…"); dates are written 2024-03-31, true/false in lower case'),
    ("Expected '=' after a key", "each line is `key = value`; a key with spaces or Chinese characters needs quotes"),
    ("Cannot overwrite a value", "this key is given twice in the same table"),
    ("Cannot declare", "this table is declared twice; a list of tables is written [[units]]"),
    ("Unclosed array", "a list opened with [ is not closed with ]"),
    ("Unterminated string", "a text value opened with a quote is not closed on the same line"),
    ("Expected newline or end of document after a statement", "one `key = value` a line; check for a missing comma or quote"),
    ("Unclosed inline table", "an inline table { … } must stay on one line and end with }"),
)


def where_and_hint(message: str, source: str) -> tuple[str, str, str]:
    """(position, the offending line, what is wrong and a hint) for a `tomllib.TOMLDecodeError` message."""
    m = _WHERE.search(message)
    if m:
        line_no, column = int(m[1]), int(m[2])
        reason = message[: m.start()]
        lines = source.splitlines()
        line = lines[line_no - 1].strip() if 0 < line_no <= len(lines) else ""
        where = f"line {line_no}, column {column}"
    else:
        reason = _AT_END.sub("", message)
        line, where = "", "end of file"
    hint = next((h for prefix, h in _HINTS if reason.startswith(prefix)), "")
    return where, line, f"not valid TOML: {reason}" + (f" — {hint}" if hint else "")
