"""`liaison-bot run --cpu N`: the bot on one CPU (its threads' hand-overs stay in one core's cache), its worker
processes (uploads parsed, workbooks laid out) back on every CPU it had; a CPU it may not use is refused."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cpu
from emulator import Emulator
from tests.ops.test_polling import TOKEN, env_for, free_port, start

ROOT = Path(__file__).resolve().parents[2]

WORKERS_UNPINNED = """
import json, os
from bot import cpu, parsing
from bot.services.coordinator import apart
before = cpu.available()
cpu.pin(min(before))
assert cpu.available() == {min(before)}, cpu.available()
parsed = parsing.parse(os.sched_getaffinity, 0, limits=parsing.Limits(seconds=30))
laid_out = apart.submit(os.sched_getaffinity, 0)
print(json.dumps([sorted(before), sorted(parsed), sorted(laid_out.result(60)), sorted(cpu.available())]))
parsing.shutdown()
"""


@pytest.mark.skipif(len(cpu.available()) < 2, reason="one CPU: nothing to pin apart")
def test_the_worker_processes_of_a_pinned_bot_run_on_every_cpu_it_had() -> None:
    done = subprocess.run([sys.executable, "-c", WORKERS_UNPINNED], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    before, parsed, laid_out, pinned = json.loads(done.stdout.strip().splitlines()[-1])
    assert parsed == before and laid_out == before
    assert pinned == [min(before)]


async def test_a_cpu_the_bot_may_not_use_is_refused_in_one_line(tmp_path: Path) -> None:
    emu = Emulator(bot_token=TOKEN, bot_username="liaison_demo_bot")
    await emu.start()
    try:
        process = await start(env_for(emu, tmp_path), free_port(), "--cpu", "4096")
        _, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 2
        failure = err.decode().strip().splitlines()[-1]
        assert failure.startswith("liaison-bot: CPU 4096 is not one this process may use") and "Drop --cpu" in failure
        assert "Traceback" not in err.decode()
    finally:
        await emu.stop()
