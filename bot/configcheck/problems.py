"""A mistake in a config file (`Problem`: key path, value, what is expected) and the error that carries them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One mistake in a config file."""

    key: str
    value: Any
    expected: str

    def __str__(self) -> str:
        if not self.key:  # the file itself (not found, not readable)
            return self.expected
        if self.value is MISSING and " " in self.key:  # a position in the file ('end of file'): no value to show
            return f"{self.key}: {self.expected}"
        return f"{self.key}: {_shown(self.value)}: {self.expected}"


def _shown(value: Any) -> str:
    """A value as the file has it, short: a table shows its first scalar keys, not every unit."""
    if value is MISSING:
        return "(missing)"
    if value is HIDDEN:
        return "(not shown)"
    if isinstance(value, dict):
        scalars = [(k, v) for k, v in value.items() if not isinstance(v, (dict, list))]
        inner = ", ".join(f"{k} = {_scalar(v)}" for k, v in scalars[:4])
        return "{" + inner + (", …" if len(value) > min(len(scalars), 4) else "") + "}"
    if isinstance(value, list) and len(repr(value)) > 120:
        return f"[{len(value)} entries]"
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):  # a list of tables: [[unit]]
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    return value.isoformat() if isinstance(value, (date, time)) else repr(value)


MISSING = object()
HIDDEN = object()  # a secret put where it does not belong is named, not shown


class ConfigError(Exception):
    """A config file with mistakes; `problems` names every one."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def key_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic location with names: units[3].code, report_types[typical_case].schedule.day."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label: str = str(part)
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("key") or node[part].get("code")
                if isinstance(name, str):
                    label = f"{part}:{name}"
            out += f"[{label}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            if part in {"monthly", "quarterly", "half_yearly", "yearly", "weekly", "fixed", "once", "any_time"} and isinstance(node, dict) and node.get("kind") == part:
                continue  # the discriminator's branch name adds nothing for a reader
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def value_at(loc: tuple[int | str, ...], data: Any) -> Any:
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            if part in node:
                node = node[part]
            elif node.get("kind") == part:
                continue
            else:
                return MISSING
        else:
            return MISSING
    return node
