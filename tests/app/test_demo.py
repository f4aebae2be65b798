"""The offline sandbox: the scripted walk-through and the terminal chat."""

from __future__ import annotations

import io

from bot.clock import FixedClock
from bot.config import load_config
from bot.demo import DEMO_START, Sandbox, play_script, repl


async def test_scripted_walkthrough_prints_the_conversation() -> None:
    sandbox = Sandbox(config=load_config(), clock=FixedClock(DEMO_START))
    await sandbox.start()
    out = io.StringIO()
    try:
        await play_script(sandbox, out=out)
    finally:
        await sandbox.stop()
    transcript = out.getvalue()
    assert "张伟 › /start" in transcript
    assert "邀请链接" in transcript  # the stranger is told how to register
    assert "/invite 邀请联络员" in transcript  # the coordinator's help
    assert "Alex › /help" in transcript and "Commands" in transcript
    assert "界面语言已切换为中文" in transcript
    assert transcript.rstrip().endswith("End of the walk-through.")


async def test_terminal_chat_switches_persona_and_presses_buttons() -> None:
    sandbox = Sandbox(config=load_config(), clock=FixedClock(DEMO_START))
    await sandbox.start()
    stdin = io.StringIO(":as english\n/lang\n:press English\n:as nobody\n:quit\n")
    out = io.StringIO()
    try:
        await repl(sandbox, stdin=stdin, out=out)
    finally:
        await sandbox.stop()
    text = out.getvalue()
    assert "[english: Alex]>" in text
    assert "Choose the interface language" in text
    assert "The interface language is now English." in text
    assert "unknown persona" in text
