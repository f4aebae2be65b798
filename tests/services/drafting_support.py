"""Helpers of the draft-config tests: draft a notice through the command line, read the due dates back
through the project's due-date engine."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config, load_config
from schedules import ChinaCalendar, all_due_items

SEEDS = Path("/work/shared/seeds")
NOTICES = Path(__file__).resolve().parent / "notices"


def seed(prefix: str) -> Path:
    """The seed notice whose file name starts with `prefix` (000, 001 …)."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} is not on this machine")
    return found[0]


def draft(notice: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Config, str]:
    """`liaison-bot draft-config NOTICE -o draft.toml`, then `check-config` on it: the loaded config and its text."""
    out = tmp_path / "campaigns" / "draft.toml"
    assert main(["draft-config", str(notice), "-o", str(out), "--force"]) == 0, capsys.readouterr().err
    assert main(["check-config", str(out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return load_config(out), out.read_text(encoding="utf-8")


def due(config: Config) -> dict[str, list[tuple[str, datetime]]]:
    """Every report type's (period, due moment), through the same engine as `liaison-bot deadlines`."""
    items = all_due_items(config.report_types, tz=config.campaign.tz, start=config.campaign.start, end=config.campaign.end,
                          calendar=ChinaCalendar(config.calendar))
    out: dict[str, list[tuple[str, datetime]]] = {r.key: [] for r in config.report_types}
    for item in items:
        assert item.due_at is not None
        out[item.report_key].append((item.period_key, item.due_at))
    return out


def due_days(config: Config) -> dict[str, list[date]]:
    """Every report type's due dates (campaign zone)."""
    return {key: [at.date() for _, at in items] for key, items in due(config).items()}


def monthly(day: int, first: tuple[int, int], last: tuple[int, int]) -> list[date]:
    """Day `day` of every month from `first` to `last` (year, month), both included."""
    out = []
    y, m = first
    while (y, m) <= last:
        out.append(date(y, m, day))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
