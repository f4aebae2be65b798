"""`schedules` is pure: no clock reads, no imports of `bot` or `telegram`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOURCES = sorted((Path(__file__).resolve().parents[2] / "schedules").glob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_no_clock_and_no_app_imports(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\.now\(|\.today\(|time\.time\(|utcnow\(", text)
    assert not re.search(r"^\s*(from|import)\s+(bot|telegram|handlers)\b", text, re.M)
