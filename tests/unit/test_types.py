"""The type checker passes on the application (configured in pyproject.toml's [tool.mypy])."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_IGNORES = 10


def test_mypy_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def test_few_type_ignores_each_with_its_reason() -> None:
    found = [
        (str(path.relative_to(ROOT)), line.strip())
        for package in ("bot", "handlers", "schedules", "emulator")
        for path in (ROOT / package).rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if "type: ignore" in line
    ]
    assert len(found) <= MAX_IGNORES, found
    without_reason = [f for f in found if not re.search(r"type: ignore\[[\w-]+(, [\w-]+)*\]\s+#\s*\S", f[1])]
    assert without_reason == [], "a type: ignore says why, in a comment after it"
