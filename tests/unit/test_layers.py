"""Imports flow one way: handlers → bot → schedules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports_of(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(("package", "forbidden"), [("schedules", {"bot", "handlers", "telegram"}), ("bot", {"handlers"})])
def test_imports_flow_one_way(package: str, forbidden: set[str]) -> None:
    offenders = {path: names & forbidden for path, names in imports_of(package).items() if names & forbidden}
    allowed = {"bot/app.py"}  # build_application registers the handlers: the one wiring point
    assert {p: n for p, n in offenders.items() if p not in allowed} == {}
