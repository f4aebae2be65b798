"""The short torture run (bench/torture.py): a compressed campaign with injected 429/5xx/drops/403,
a database outage and Hypothesis-fuzzed updates; then the same with kills mid-wave and restarts."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bench.torture import Figures, campaign

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("files_dir")


def _fail(figures: Figures) -> None:
    pytest.fail(figures.line() + "\n" + "\n".join(figures.notes))


async def test_faults_an_outage_and_fuzzed_updates_lose_nothing_double_nothing_and_answer_everyone(tmp_path: Path) -> None:
    # The bench's own command line, in a process of its own: its memory growth is the bot's, not that of the
    # tests this worker ran before, and its logging is the bench's (errors must reach its crash count).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / "torture.py"), "--liaisons", "12", "--rounds", "3", "--actions", "30", "--seed", "14",
        "--kill-rate", "0", "--database-url", f"sqlite:///{tmp_path}/torture.sqlite3", "--json",
        "--no-uploader",  # (the full bench runs it; here the run stays short)
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await run.communicate()
    assert run.returncode == 0, err.decode()[-3000:]
    figures = Figures(**json.loads(out.decode().strip().splitlines()[-1]))
    print(figures.line())  # (kept with the test's output: the RSS and what the run was doing at its peak)
    if (figures.lost, figures.doubled, figures.unanswered, figures.crashes) != (0, 0, 0, 0):
        _fail(figures)
    assert figures.faults >= 6 and figures.actions >= 20
    # Issue 14's criterion: growth < 100 MB (the full runs: +43 to +50 MB; this run +25 to +32 MB). The peak is the
    # run's own VmHWM (getrusage's ru_maxrss carried this test worker's RSS across the fork and exec); the
    # fuzzed updates are drawn before its baseline (Hypothesis's first text, in a fresh clone, builds a
    # 200 MB table of Unicode characters for a moment).
    assert figures.growth_from_start_mb < 100, figures.peak_during


async def test_kills_mid_wave_never_double_nor_crash(tmp_path: Path) -> None:
    figures = await campaign(url=f"sqlite:///{tmp_path}/torture.sqlite3", liaisons=12, rounds=3, actions=20, seed=15, kill_rate=1.0, answer_wait=5.0)
    assert figures.kills == 3
    # Not asserted here (a known limit, see README "Reliability"): a claim whose sender was killed and
    # that the probe cannot tell is given up "delivery unknown" (named in the digest). An update the
    # killed process had fetched and not handled is answered by the next one.
    if (figures.doubled, figures.unanswered, figures.crashes) != (0, 0, 0):
        _fail(figures)


def test_the_fuzzed_updates_are_of_every_kind_and_reproducible() -> None:
    # (Drawn as one list, Hypothesis's first example, they were all the text "0": the runs fuzzed nothing.)
    from collections import Counter

    from bench.torture import draw_actions

    short = draw_actions(30, 14)
    assert len(short) == 30 and len(set(short)) >= 20
    assert len({kind for kind, _ in short}) >= 5
    full = Counter(kind for kind, _ in draw_actions(300, 21))
    assert set(full) == {"text", "command", "huge", "forged", "stale", "file", "edit", "group"}, full
    assert draw_actions(30, 14) == short and draw_actions(30, 15) != short
