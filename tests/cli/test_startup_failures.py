"""Every failure `liaison-bot run` meets at start is one line on stderr saying what to do, exit status 2;
the traceback only with --debug."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from emulator import Emulator

TOKEN = "7000001:AAFakeTokenForTests_abcdefghijk"
OTHER_TOKEN = "7000002:AAAnotherTokenForTests_abcdefgh"


def _env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_BOT_")}
    env.update(
        LIAISON_BOT_TOKEN=TOKEN,
        LIAISON_BOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        LIAISON_BOT_FILES_DIR=str(tmp_path / "files"),
        LIAISON_BOT_API_URL="http://127.0.0.1:9",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


async def _run(env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _one_line(err: str) -> str:
    """The failure's line: the last, the only one not from the log (an INFO line may precede it)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err
    assert lines and lines[-1].startswith("liaison-bot: "), err
    assert all(" INFO " in line for line in lines[:-1]), err
    return lines[-1]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens there


async def test_a_token_the_bot_api_refuses(tmp_path: Path) -> None:
    emu = Emulator(bot_token=OTHER_TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    try:
        code, _, err = await _run(_env(tmp_path, LIAISON_BOT_API_URL=emu.url))
    finally:
        await emu.stop()
    line = _one_line(err)
    assert code == 2
    assert "refused the token in $LIAISON_BOT_TOKEN" in line and "@BotFather" in line


async def test_an_unreachable_bot_api(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    code, _, err = await _run(_env(tmp_path, LIAISON_BOT_API_URL=url))
    line = _one_line(err)
    assert code == 2
    assert f"Cannot reach the Bot API at {url}" in line and "proxy" in line


async def test_a_database_url_that_does_not_open(tmp_path: Path) -> None:
    url = f"postgresql://nobody:hunter2@127.0.0.1:{_closed_port()}/liaison"
    code, _, err = await _run(_env(tmp_path, LIAISON_BOT_DATABASE_URL=url))
    line = _one_line(err)
    assert code == 2
    assert "Cannot open the database postgresql+psycopg://nobody:***@127.0.0.1" in line
    assert "$LIAISON_BOT_DATABASE_URL" in line
    assert "hunter2" not in err


async def test_pending_migrations_with_no_migrate(tmp_path: Path) -> None:
    code, _, err = await _run(_env(tmp_path), "--no-migrate")
    line = _one_line(err)
    assert code == 2
    assert "needs migrations: it is at revision none (empty)" in line
    assert "liaison-bot db upgrade" in line


async def test_an_invalid_config(tmp_path: Path) -> None:
    bad = tmp_path / "campaign.toml"
    bad.write_text('[campaign]\nname = "x"\nstart = 2024-01-01\nend = 2023-01-01\n[[unit]]\ncode = "a"\n', encoding="utf-8")
    code, _, err = await _run(_env(tmp_path), "--config", str(bad))
    line = _one_line(err)
    assert code == 2
    assert f"The config {bad} is invalid" in line and "(and 1 more)" in line
    assert f"liaison-bot check-config {bad}" in line


async def test_a_missing_token(tmp_path: Path) -> None:
    code, _, err = await _run(_env(tmp_path, LIAISON_BOT_TOKEN=""))
    line = _one_line(err)
    assert code == 2
    assert "LIAISON_BOT_TOKEN is not set" in line


async def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    code, _, err = await _run(_env(tmp_path), "--no-migrate", "--debug")
    assert code == 1  # Python's own exit status for an uncaught exception
    assert "Traceback" in err and "StartupError" in err and "needs migrations" in err


async def test_migrating_on_start_prints_no_alembic_chatter(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"  # the start stops at the Bot API, after migrating
    code, out, err = await _run(_env(tmp_path, LIAISON_BOT_API_URL=url))
    assert code == 2
    assert (tmp_path / "bot.sqlite3").exists()
    assert "alembic" not in (out + err).lower() and "Context impl" not in err and "Running upgrade" not in err
    assert "migrated from empty to" in err


@pytest.mark.parametrize("command", [["deadlines"], ["parse-date", "明天", "下周五"]])
async def test_a_pipe_closed_early_ends_quietly(command: list[str], tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader has gone, as `| head` does after its lines
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *command, stdout=write, stderr=asyncio.subprocess.PIPE, env=_env(tmp_path)
    )
    os.close(write)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert err.decode() == ""
    assert proc.returncode == 0
