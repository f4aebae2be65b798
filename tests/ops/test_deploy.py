"""The deployment files say what the code can do: every command they run parses with the real
command line, every file they copy exists, nothing runs as root. (No Docker engine here: the image
build itself is documented in docs/operations.md; `docker compose config` validates compose.yaml where
Compose is installed.)"""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def parses(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert getattr(args, "func", None) is not None, argv


def dockerfile() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [(m[1].upper(), m[2].strip()) for m in re.finditer(r"^([A-Za-z]+)\s+(.*)$", text, re.MULTILINE) if not m[0].startswith("#")]


def test_dockerfile_installs_the_lock_copies_what_exists_and_runs_unprivileged() -> None:
    steps = dockerfile()
    copies = [args.split() for op, args in steps if op == "COPY" and "--from" not in args]
    for parts in copies:
        for source in parts[:-1]:
            assert (ROOT / source).exists(), source
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert "pip install -r requirements.lock" in runs and "pip install --no-deps ." in runs
    assert "cjk_font()" in runs  # the Chinese font is checked at build time
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1] not in {"root", "0"}
    entry = json.loads(next(args for op, args in steps if op == "ENTRYPOINT"))
    assert entry[-1] == "liaison-bot"
    parses(json.loads(next(args for op, args in steps if op == "CMD")))
    health = next(args for op, args in steps if op == "HEALTHCHECK")
    parses(json.loads(health.split("CMD", 1)[1])[1:])


def test_compose_starts_postgres_then_migrates_then_the_bot() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "migrate", "bot"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["bot"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["bot"]["depends_on"]["db"]["condition"] == "service_healthy"
    parses(services["migrate"]["command"])
    parses(services["bot"]["command"])
    assert "--no-migrate" in services["bot"]["command"]
    environment = services["bot"]["environment"]
    assert environment["LIAISON_BOT_TOKEN"].startswith("${LIAISON_BOT_TOKEN:?")  # from .env, never written here
    assert environment["LIAISON_BOT_DATABASE_URL"].startswith("postgresql://")
    assert "./config.toml:/etc/liaison-bot/config.toml:ro" in services["bot"]["volumes"]


def test_systemd_units_run_commands_that_exist_as_a_dedicated_user() -> None:
    for name in ("liaison-bot.service", "liaison-bot-backup.service"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # type: ignore[assignment,method-assign]  # (systemd keys are case-sensitive)
        unit.read(ROOT / "deploy" / "systemd" / name, encoding="utf-8")
        service = unit["Service"]
        assert service["User"] == "liaison"
        for key in ("ExecStartPre", "ExecStart"):
            command = service.get(key, "")
            if "liaison-bot " not in command:
                continue
            words = shlex.split(command)
            if words[0] == "/bin/sh":  # sh -c 'exec … $(date …)'
                words = shlex.split(words[2].replace("$(date +%%Y%%m%%d-%%H%%M)", "20240101"))[1:]
            start = next(i for i, w in enumerate(words) if w.endswith("/liaison-bot"))
            parses(words[start + 1 :])
    assert (ROOT / "deploy" / "systemd" / "liaison-bot-backup.timer").is_file()
