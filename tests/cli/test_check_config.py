"""`liaison-bot check-config` in the user's terms: every problem at once with its key path, value, what is
expected and a suggestion for a near miss; TOML syntax errors with their line; the traps as warnings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from schedules import ChinaCalendar, all_due_items, reminders_for

HEAD = """
[campaign]
name = "测试行动"
start = 2024-01-08
end = 2024-12-31

[[units]]
code = "a"
name = "甲所"
tags = ["所队"]
"""


def check(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> tuple[int, list[str]]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["check-config", str(path)])
    out, err = capsys.readouterr()
    return code, [line.removeprefix("  - ") for line in (out + err).splitlines()]


def report(schedule: str, extra: str = "") -> str:
    return f'\n[[report_types]]\nkey = "r"\ntitle = "报告"\ntemplate = "free"\nschedule = {schedule}\n{extra}'


def test_every_problem_at_once_in_the_users_terms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = 'languge = "en"\n' + HEAD.replace('tags = ["所队"]', 'tag = ["所队"]') + """
[reminders]
escalate_after_days = "three"

[[unit]]
code = "b"

[[report_types]]
key = "q"
title = "季报"
template = "sumary"
reminders = ["-1x", "0d@09:00", "+1d@25:00"]
reminders_working_day_only = true
schedule = { kind = "quartely", day = 15 }

[[report_types]]
key = "w"
title = "周报"
template = "free"
schedule = { kind = "weekly", weekday = "friday" }
"""
    code, lines = check(tmp_path, capsys, text)
    assert code == 2
    assert lines[0].endswith("10 problem(s):")
    assert set(lines[1:]) == {
        "languge: 'en': unknown key (did you mean 'language'?); remove it or correct the spelling",
        "unit: [{code = 'b'}]: unknown key (did you mean 'units'?); remove it or correct the spelling",
        "units[0:a].tag: ['所队']: unknown key (did you mean 'tags'?); remove it or correct the spelling",
        "reminders.escalate_after_days: 'three': expected a whole number, without quotes (e.g. 3)",
        "report_types[0:q].template: 'sumary': expected one of 'case', 'statistics', 'summary', 'confirmation', "
        "'liaison', 'free' (did you mean 'summary'?)",
        "report_types[0:q].reminders[0]: '-1x': '-1x' is not a reminder offset; expected e.g. '-3d@09:00', '0d@09:00', "
        "'+1d@09:00', '-2h', '-10m', '-30s'",
        "report_types[0:q].reminders[2]: '+1d@25:00': '+1d@25:00': 25:00 is not a time of day",
        "report_types[0:q].reminders_working_day_only: True: unknown key (did you mean 'reminders_working_days_only'?); "
        "remove it or correct the spelling",
        "report_types[0:q].schedule.kind: 'quartely': unknown kind 'quartely': expected one of 'monthly', 'quarterly', "
        "'half_yearly', 'yearly', 'weekly', 'fixed', 'once', 'any_time' (did you mean 'quarterly'?)",
        "report_types[1:w].schedule.weekday: 'friday': expected one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun' "
        "(did you mean 'fri'?)",
    }
    assert not any("Input should" in line or "pydantic" in line or "constrained" in line for line in lines)


def test_a_toml_syntax_error_names_its_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, HEAD + "\n[files]\ndir = data/files\n")
    assert code == 2
    assert lines[1] == (
        "line 13, column 7: 'dir = data/files': not valid TOML: Invalid value — a text value needs quotes (\"…\"); "
        "dates are written 2024-03-31, true/false in lower case"
    )
    assert "(top level)" not in lines[1] and "(missing)" not in lines[1]


def test_a_day_out_of_range_is_one_problem_that_mentions_last(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, HEAD + report('{ kind = "monthly", day = 40 }'))
    assert code == 2
    assert lines[1:] == [
        "report_types[0:r].schedule.day: 40: expected a day of the month from 1 to 31, or \"last\" for the month's last day (月底)"
    ]


def test_day_last_is_the_months_last_day(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEAD + report('{ kind = "monthly", day = "last" }') + report('{ kind = "quarterly", day = "last" }').replace('"r"', '"q"'))
    config = load_config(path)
    calendar = ChinaCalendar(config.calendar)
    items = all_due_items(config.report_types, tz=config.campaign.tz, start=config.campaign.start, end=config.campaign.end, calendar=calendar)
    monthly = [i.due_date for i in items if i.report_key == "r"][:3]
    assert monthly == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]  # January, February (leap), March
    assert [i.due_date for i in items if i.report_key == "q"][:2] == [date(2024, 4, 30), date(2024, 7, 31)]


def test_trap_quarterly_day_31_is_not_the_quarters_last_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, HEAD + report('{ kind = "quarterly", day = 31 }'))
    assert code == 1
    assert "valid, but 1 warning(s)" in lines[0]
    assert lines[1] == (
        "report_types[0:r].schedule.day: 31: this is a day of the month after the quarter (30 April (the month is shorter), "
        "31 July, 31 October, 31 January), not the quarter's own last day; write days_after = 0 for the quarter's last day, "
        'or day = "last" for the last day of the month after it'
    )
    code, _ = check(tmp_path, capsys, HEAD + report('{ kind = "quarterly", days_after = 0 }'))
    assert code == 0  # the quarter's last day, said plainly: no warning


def test_trap_a_period_due_before_the_campaign_starts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = check(tmp_path, capsys, HEAD + report('{ kind = "monthly", day = 2, covers = "current_month" }'))
    assert code == 1
    assert lines[1] == (
        "report_types[0:r].schedule: 'monthly': the period 2024年1月 (2024-01-01 to 2024-01-31) overlaps the campaign but "
        "falls due 2024-01-02, before campaign.start 2024-01-08, so it is never due; to have it reported, set campaign.start "
        "to 2024-01-02 or earlier, or add a 'once' report type for it"
    )
    code, _ = check(tmp_path, capsys, HEAD + report('{ kind = "monthly", day = 2 }'))  # (covers the previous month)
    assert code == 0


def test_the_shipped_config_reminds_on_working_days_only() -> None:
    config = load_config()
    calendar = ChinaCalendar(config.calendar)
    tz = config.campaign.tz
    reminded = [r for r in config.report_types if r.reminders]
    assert reminded and all(r.reminders_working_days_only for r in reminded)
    by_key = {r.key: r for r in config.report_types}
    items = all_due_items(config.report_types, tz=tz, start=config.campaign.start, end=config.campaign.end, calendar=calendar)
    days = {m.at.astimezone(tz).date() for i in items for m in reminders_for(i, by_key[i.report_key], calendar=calendar, tz=tz)}
    assert len(days) > 100
    assert [d for d in days if not calendar.is_working_day(d)] == []
    assert date(2023, 10, 7) in days  # a 调休 Saturday is a working day


def test_the_config_is_found_by_environment_then_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    here = tmp_path / "office"
    here.mkdir()
    (here / "config.toml").write_text(HEAD, encoding="utf-8")
    elsewhere = tmp_path / "campaign.toml"
    elsewhere.write_text(HEAD.replace("测试行动", "另一个行动"), encoding="utf-8")
    monkeypatch.chdir(here)
    monkeypatch.delenv("LIAISON_BOT_CONFIG", raising=False)
    assert load_config().campaign.name == "测试行动"  # ./config.toml, not the source checkout's
    monkeypatch.setenv("LIAISON_BOT_CONFIG", str(elsewhere))
    assert load_config().campaign.name == "另一个行动"
    assert main(["check-config"]) == 0
    assert capsys.readouterr().out.startswith(f"{elsewhere}: ok")
    monkeypatch.setenv("LIAISON_BOT_CONFIG", str(tmp_path / "missing.toml"))
    assert main(["check-config"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"{tmp_path / 'missing.toml'}: 1 problem(s):", "  - file not found"]
