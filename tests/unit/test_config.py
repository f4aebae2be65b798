"""Config validation: the shipped campaign is good; every mistake in a bad one is named at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from schedules.rules import MonthlySchedule

GOOD_HEAD = """
[campaign]
name = "测试行动"
timezone = "Asia/Shanghai"
start = 2023-08-08
end = 2024-11-30

[[units]]
code = "a"
name = "甲所"
tags = ["所队"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_is_valid_and_follows_seed_000() -> None:
    config = load_config()
    assert config.campaign.timezone == "Asia/Shanghai"
    cases = config.report("typical_case")
    assert isinstance(cases.schedule, MonthlySchedule) and cases.schedule.day == 2
    assert cases.min_items == 1 and cases.max_items == 2 and cases.zero_report
    assert [u.code for u in config.units_owing(cases)] == ["pgs", "shs", "sys", "sgs", "hjs", "yls", "zfdd"]
    assert "每月 3 日前" in Path("config.toml").read_text(encoding="utf-8")  # the contradiction is commented


def test_check_config_exits_0_on_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    assert "ok" in capsys.readouterr().out


def test_check_config_names_every_mistake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        GOOD_HEAD.replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Shangai"').replace('tags = ["所队"]', 'tagz = ["所队"]')
        + """
[[report_types]]
key = "cases"
title = "典型案例"
template = "case"
schedule = { kind = "monthly", day = 32 }
""",
    )
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert "campaign.timezone: 'Asia/Shangai'" in err and "IANA" in err
    assert "units[0:a].tagz" in err and "unknown key" in err
    assert "report_types[0:cases].schedule.day: 32" in err and "31" in err


@pytest.mark.parametrize(
    ("extra", "key", "expected"),
    [
        ('\n[[report_types]]\nkey = "x"\ntitle = "X"\ntemplate = "nope"\nschedule = { kind = "any_time" }\n', "report_types[0:x].template", "case"),
        ('\n[[report_types]]\nkey = "x"\ntitle = "X"\ntemplate = "case"\nreminders = ["-3x"]\nschedule = { kind = "any_time" }\n', "report_types[0:x].reminders", "-3d@09:00"),
        ('\n[[report_types]]\nkey = "x"\ntitle = "X"\ntemplate = "case"\nschedule = { kind = "fortnightly" }\n', "report_types[0:x].schedule", "monthly"),
        ('\n[[report_types]]\nkey = "x"\ntitle = "X"\ntemplate = "case"\nschedule = { kind = "quarterly" }\n', "report_types[0:x].schedule", "exactly one"),
        ('\n[[report_types]]\nkey = "adhoc_1"\ntitle = "X"\ntemplate = "case"\nschedule = { kind = "any_time" }\n', "report_types[0:adhoc_1].key", "reserved"),
        ('\n[reminders]\nquiet_hours = "late"\n', "reminders.quiet_hours", "22:00-07:30"),
        ('\n[database]\nurl = "mysql://x"\n', "database.url", "postgresql"),
        ('\n[telegram]\napi_url = "ftp://x"\n', "telegram.api_url", "http"),
    ],
    ids=["template", "reminder-offset", "schedule-kind", "quarterly-needs-day", "adhoc-prefix", "quiet-hours", "database-url", "api-url"],
)
def test_each_mistake_is_explained(tmp_path: Path, extra: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD_HEAD + extra))
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(key) and expected in p for p in problems), problems


def test_missing_key_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[campaign]\nname = 'x'\nstart = 2023-01-01\n"))
    assert any(str(p).startswith("campaign.end: (missing)") for p in caught.value.problems)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[campaign\n"))
    assert "not valid TOML" in str(caught.value.problems[0])


def test_owed_by_a_tag_no_unit_has(tmp_path: Path) -> None:
    extra = '\n[[report_types]]\nkey = "x"\ntitle = "X"\ntemplate = "case"\nowed_by = ["股室"]\nschedule = { kind = "any_time" }\n'
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD_HEAD + extra))
    [problem] = caught.value.problems
    assert (problem.key, problem.value) == ("report_types[0:x].owed_by[0]", "股室")
    assert problem.expected.startswith("no unit has this tag")


def test_cross_references_are_named_with_the_field_mistakes(tmp_path: Path) -> None:
    """Codes and keys used twice, unknown tags and dates outside the campaign come with every other mistake, each by its key."""
    extra = (
        '\n[[units]]\ncode = "dup"\nname = "甲"\n\n[[units]]\ncode = "dup"\nname = "乙"\n'
        '\n[[report_types]]\nkey = "x"\ntitle = "X"\ntemplate = "nope"\nschedule = { kind = "any_time" }\n'
        '\n[[report_types]]\nkey = "x"\ntitle = "X2"\ntemplate = "summary"\n'
        'schedule = { kind = "fixed", dates = [{ date = 2030-03-15, label = "第六阶段" }] }\n'
        '\n[[report_types]]\nkey = "y"\ntitle = "Y"\ntemplate = "summary"\nschedule = { kind = "once", date = 2001-01-01 }\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD_HEAD + extra))
    found = {p.key: p for p in caught.value.problems}
    unit_dup = next(k for k in found if k.startswith("units[") and k.endswith(":dup].code") and "used twice" in found[k].expected)
    assert found[unit_dup].value == "dup"
    key_dup = next(k for k in found if k.startswith("report_types[") and k.endswith(":x].key"))
    assert "used twice" in found[key_dup].expected
    template = next(k for k in found if k.endswith(":x].template"))
    assert found[template].value == "nope"
    fixed = next(k for k in found if k.endswith(":x].schedule.dates[0].date"))
    assert "within the campaign" in found[fixed].expected and str(found[fixed]).count("2030-03-15") == 1
    once = next(k for k in found if k.endswith(":y].schedule.date"))
    assert "within the campaign" in found[once].expected
    assert all(len(str(p)) < 300 for p in caught.value.problems)  # no problem prints the whole file


def test_environment_overrides_urls(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, GOOD_HEAD),
        environ={"LIAISON_BOT_API_URL": "http://127.0.0.1:8081/", "LIAISON_BOT_DATABASE_URL": "postgresql://u@h/db"},
    )
    assert config.telegram.api_url == "http://127.0.0.1:8081"
    assert config.database.url == "postgresql://u@h/db"


def test_webhook_settings_default_to_polling_and_take_the_path_from_the_url(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, GOOD_HEAD)).telegram.webhook_url is None  # long polling
    telegram = load_config(write(tmp_path, GOOD_HEAD + '\n[telegram]\nwebhook_url = "https://bot.example.org:8443/tg/hook"\n')).telegram
    assert (telegram.webhook_listen, telegram.webhook_port, telegram.webhook_url_path) == ("127.0.0.1", 8443, "/tg/hook")
    extra = '\n[telegram]\nwebhook_url = "https://bot.example.org"\nwebhook_listen = "0.0.0.0"\nwebhook_port = 9000\nwebhook_path = "/in"\n'
    telegram = load_config(write(tmp_path, GOOD_HEAD + extra)).telegram
    assert (telegram.webhook_listen, telegram.webhook_port, telegram.webhook_url_path) == ("0.0.0.0", 9000, "/in")
    assert load_config(write(tmp_path, GOOD_HEAD + '\n[telegram]\nwebhook_url = "https://bot.example.org"\n')).telegram.webhook_url_path == "/"


@pytest.mark.parametrize(
    ("telegram", "key", "expected"),
    [
        ('webhook_url = "http://bot.example.org/hook"', "telegram.webhook_url", "https://"),
        ('webhook_url = "https://bot.example.org:8080/hook"', "telegram.webhook_url", "ports 443, 80, 88 or 8443"),
        ('webhook_url = "https://192.168.1.5/hook"', "telegram.webhook_url", "private or local address"),
        ('webhook_url = "https://bot.example.org/hook?key=1"', "telegram.webhook_url", "secret token"),
        ('webhook_url = "https://bot.example.org/ho ok"', "telegram.webhook_url", "letters, digits"),
        ('webhook_url = "https://bot.example.org"\nwebhook_port = 70000', "telegram.webhook_port", "1 to 65535"),
        ('webhook_url = "https://bot.example.org"\nwebhook_listen = "every where"', "telegram.webhook_listen", "'0.0.0.0'"),
        ('webhook_url = "https://bot.example.org"\nwebhook_path = "hook"', "telegram.webhook_path", "starting with '/'"),
        ("webhook_port = 8443", "telegram", "webhook_port given without webhook_url"),
        ('webhook_secret = "abc"', "telegram.webhook_secret", "LIAISON_BOT_WEBHOOK_SECRET"),
        ('token = "123:abc"', "telegram.token", "LIAISON_BOT_TOKEN"),
        ('webhook_urll = "https://bot.example.org"', "telegram.webhook_urll", "unknown key"),
    ],
    ids=[
        "http", "port", "private-ip", "query", "path-characters", "listen-port", "listen", "path", "no-url",
        "secret-in-file", "token-in-file", "typo",
    ],  # fmt: skip
)
def test_each_webhook_mistake_is_explained(tmp_path: Path, telegram: str, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD_HEAD + f"\n[telegram]\n{telegram}\n"))
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(key + ":") and expected in p for p in problems), problems
    assert "abc" not in str(caught.value)  # a secret in the wrong place is named, never shown


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` started from another folder opens the same database and attachments folder."""
    path = write(tmp_path, GOOD_HEAD + '\n[database]\nurl = "sqlite:///data/bot.sqlite3"\n\n[files]\ndir = "data/files"\n')
    monkeypatch.chdir("/")
    config = load_config(path, environ={})
    assert config.database.url == f"sqlite:///{tmp_path.resolve() / 'data' / 'bot.sqlite3'}"
    assert config.files.dir == str(tmp_path.resolve() / "data" / "files")
    taken = load_config(path, environ={"LIAISON_BOT_DATABASE_URL": "sqlite:///elsewhere.sqlite3"})
    assert taken.database.url == "sqlite:///elsewhere.sqlite3"  # the environment's URL is taken as given
    absolute = load_config(write(tmp_path, GOOD_HEAD + '\n[database]\nurl = "sqlite:////srv/bot.sqlite3"\n'), environ={})
    assert absolute.database.url == "sqlite:////srv/bot.sqlite3"
