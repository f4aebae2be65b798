"""Shared by the registration, invite and authorization tests: a fast limiter and a registration walk."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import bot.app
from emulator import Emulator
from emulator.control import UserHandle
from emulator.state import BotMessage
from bot.pacing import Limits, PacedLimiter
from bot.storage import Storage
from bot.texts.catalog import t


@pytest.fixture(autouse=True)
def fast_sends(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No 1-second pacing per chat: these tests talk a lot in one chat (flood control is off in the emulator)."""
    monkeypatch.setattr(bot.app, "PacedLimiter", lambda: PacedLimiter(Limits(private_interval_s=0.0, group_interval_s=0.0, total_per_s=10_000)))
    yield


ANSWERS = {
    "name": "张 伟",
    "department": "药品股",
    "title": "副股长",
    "office_phone": "0564-1234567",
    "mobile": "138 0000 1234",
    "email": "zhangwei@example.gov.cn",
}


async def register(user: UserHandle, token: str, answers: dict[str, str] | None = None, language: str = "zh-CN") -> None:
    """Open the invite link, answer every question, confirm."""
    answers = {**ANSWERS, **(answers or {})}
    await user.ask(f"/start {token}")
    await user.wait_for()  # the first question follows the greeting
    for field in ("name", "department", "title", "office_phone", "mobile"):
        await user.ask(answers[field])
    summary = await user.ask(answers["email"])
    assert t(language, "registration.confirm-button") in summary.button_texts
    user.skip_pending()
    await user.press(t(language, "registration.confirm-button"))
    await user.wait_for(lambda m: t(language, "registration.done", unit="", role="")[:4] in m.text)


def person_id_of(storage: Storage, telegram_user_id: int) -> int:
    person = storage.people.get_person_by_telegram_id(telegram_user_id=telegram_user_id)
    assert person is not None and person.id is not None
    return person.id


__all__ = ["ANSWERS", "Emulator", "fast_sends", "person_id_of", "press_old", "register", "reply_to", "settle"]


async def press_old(user: UserHandle, snapshot: BotMessage, text: str) -> None:
    """Press a button of a message as it was when received (e.g. after the bot removed it): a stale press."""
    for b in snapshot.buttons:
        if b.get("text") == text:
            await user._callback(user.id, snapshot, b)
            return
    raise AssertionError(f"no button {text!r} in {snapshot}")


async def settle(user: UserHandle, quiet: float = 0.25) -> None:
    """Let messages the bot sends on its own at start (e.g. a coordinator's digest) arrive, then skip them."""
    while True:
        try:
            await user.wait_for(timeout=quiet)
        except AssertionError:
            break
    user.skip_pending()


async def reply_to(user: UserHandle, command: str, *starts: str) -> BotMessage:
    """Send `command`; the bot's reply is the next message starting with one of `starts` (the start of a
    catalog text): what the bot sends on its own meanwhile (a digest at start) is passed over."""
    import re

    plain = [re.sub(r"<[^>]+>", "", s) for s in starts]
    user.skip_pending()
    await user.send(command)
    return await user.wait_for(lambda m: any(m.text.startswith(p) for p in plain))
