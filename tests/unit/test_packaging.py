"""Every data file the bot reads is shipped in the package (the container installs it without -e)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_data_file_is_in_package_data() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    missing = []
    for top in ("bot", "emulator", "migrations"):
        for path in (ROOT / top).rglob("*"):
            if not path.is_file() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            shipped = False
            for package, patterns in declared.items():
                base = ROOT / Path(*package.split("."))
                if base in path.parents:
                    rel = path.relative_to(base).as_posix()
                    shipped = shipped or any(fnmatch.fnmatch(rel, p) for p in patterns)
            if not shipped:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []
