"""Flood limits and injected faults, as the bot experiences them."""

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter

from emulator import Emulator


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with Bot(emulator.bot_token, base_url=emulator.base_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}{emulator.bot_token}/") as client:
        yield client


@pytest.fixture
def clock(emulator: Emulator) -> FakeClock:
    fake = FakeClock()
    emulator.flood.clock = fake
    return fake


async def test_flood_is_off_by_default(emulator: Emulator, bot: Bot) -> None:
    await emulator.user(1001, "Li").send("/start")
    for i in range(5):
        await bot.send_message(1001, str(i))
    assert emulator.flood.rejections == []


async def test_per_chat_limit_answers_429_with_retry_after(
    emulator: Emulator, http: httpx.AsyncClient, clock: FakeClock
) -> None:
    emulator.flood.enable(total_per_s=30, per_chat_per_s=1, per_group_per_min=20)
    user = emulator.user(1001, "Li")
    await user.send("/start")
    first = await http.post("sendMessage", json={"chat_id": 1001, "text": "1"})
    clock.now += 0.4
    second = await http.post("sendMessage", json={"chat_id": 1001, "text": "2"})
    assert first.json()["ok"] is True
    assert second.status_code == 429
    assert second.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert [m.text for m in user.messages] == ["1"]
    clock.now += 0.6  # the window has rolled past the first send
    assert (await http.post("sendMessage", json={"chat_id": 1001, "text": "3"})).json()["ok"]
    assert emulator.flood.rejections[0]["retry_after"] == 1


async def test_group_limit_per_minute(emulator: Emulator, http: httpx.AsyncClient, clock: FakeClock) -> None:
    emulator.flood.enable()
    group = emulator.group(-100777, "联络员群")
    for i in range(20):
        clock.now += 1.5
        answer = await http.post("sendMessage", json={"chat_id": -100777, "text": str(i)})
        assert answer.json()["ok"], answer.json()
    over = await http.post("sendMessage", json={"chat_id": -100777, "text": "21"})
    assert over.status_code == 429
    # the first of the 20 went out 28.5 s ago: the window frees in 60 - 28.5 s
    assert over.json()["parameters"]["retry_after"] == 32
    assert len(group.messages) == 20


async def test_total_limit_and_ptb_sees_retry_after(
    emulator: Emulator, bot: Bot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22.8 warns inside RetryAfter() unless it may use timedelta already.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    emulator.flood.enable(total_per_s=3)
    for uid in range(1, 5):
        await emulator.user(uid, f"u{uid}").send("/start")
    for uid in range(1, 4):
        await bot.send_message(uid, "hi")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(4, "hi")
    assert caught.value.retry_after.total_seconds() == 1
    assert emulator.calls("sendMessage")[-1].status == 429


async def test_fail_next_gives_gateway_errors(emulator: Emulator, bot: Bot, http: httpx.AsyncClient) -> None:
    await emulator.user(1001, "Li").send("/start")
    emulator.faults.fail_next(1, status=502, method="sendMessage")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(1001, "lost")
    await bot.send_message(1001, "delivered")
    emulator.faults.fail_next(1, status=504, html=True)
    page = await http.post("sendMessage", json={"chat_id": 1001, "text": "x"})
    assert page.status_code == 504 and page.headers["content-type"].startswith("text/html")
    assert [m.text for m in emulator.user(1001).messages] == ["delivered"]


async def test_drop_before_and_after_performing(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    emulator.faults.drop_next(1, method="sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "never arrives")
    emulator.faults.drop_next(1, method="sendMessage", after=True)
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "arrives unacknowledged")
    assert [m.text for m in user.messages] == ["arrives unacknowledged"]
    assert [c.outcome for c in emulator.calls("sendMessage")] == [
        "dropped before performing",
        "dropped after performing",
    ]


async def test_untargeted_faults_leave_polling_alone(emulator: Emulator, bot: Bot) -> None:
    await emulator.user(1001, "Li").send("/start")
    emulator.faults.fail_next(1)
    assert len(await bot.get_updates()) == 1
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "x")


async def test_blocked_user_answers_403_until_they_write_again(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    user.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "提醒")
    await user.send("/start")
    await bot.send_message(1001, "欢迎回来")
    assert user.last_text == "欢迎回来"


async def test_delay_adds_latency(emulator: Emulator, bot: Bot) -> None:
    emulator.faults.delay(0.3)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3
