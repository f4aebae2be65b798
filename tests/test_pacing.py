"""PacedLimiter with short real times: pacing, lanes, one chat held on 429, message id tracking."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.pacing import BROADCAST, INTERACTIVE, Limits, PacedLimiter


@pytest.fixture
async def limiter() -> Any:
    paced = PacedLimiter(Limits(total_per_s=50.0, private_interval_s=0.2))
    await paced.initialize()
    yield paced
    await paced.shutdown()


def sender(log: list[tuple[str, int, float]], tag: str, chat: int) -> Any:
    async def send() -> dict[str, Any]:
        log.append((tag, chat, time.monotonic()))
        return {"message_id": len(log), "chat": {"id": chat}}

    return send


async def test_answers_go_ahead_of_a_broadcast_backlog(limiter: PacedLimiter) -> None:
    log: list[tuple[str, int, float]] = []
    wave = [
        asyncio.create_task(limiter.process_request(sender(log, "b", c), (), {}, "sendMessage", {"chat_id": c}, {"lane": BROADCAST}))
        for c in range(1, 41)
    ]
    await asyncio.sleep(0.1)
    start = time.monotonic()
    await limiter.process_request(sender(log, "i", 999), (), {}, "sendMessage", {"chat_id": 999}, None)
    assert time.monotonic() - start < 0.1  # not behind the 40 broadcasts (0.8 s at 50/s)
    assert [t for t, _, _ in log].index("i") < 10
    await asyncio.gather(*wave)


async def test_pacing_keeps_the_total_rate_and_the_per_chat_interval(limiter: PacedLimiter) -> None:
    log: list[tuple[str, int, float]] = []
    await asyncio.gather(
        *(limiter.process_request(sender(log, "b", c % 3), (), {}, "sendMessage", {"chat_id": c % 3}, {"lane": BROADCAST}) for c in range(9))
    )
    times = [at for _, _, at in log]
    assert times[-1] - times[0] >= 0.2 * 2 - 0.02  # three sends per chat, 0.2 s apart
    for chat in range(3):
        mine = [at for _, c, at in log if c == chat]
        assert all(b - a >= 0.19 for a, b in zip(mine, mine[1:], strict=False))


async def test_429_holds_that_chat_only(limiter: PacedLimiter) -> None:
    log: list[tuple[str, int, float]] = []
    failed = []

    async def flaky() -> dict[str, Any]:
        if not failed:
            failed.append(time.monotonic())
            raise RetryAfter(1)
        log.append(("retry", 1, time.monotonic()))
        return {"message_id": 1}

    held = asyncio.create_task(limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, {"lane": BROADCAST}))
    await asyncio.sleep(0.05)
    others = await asyncio.gather(
        *(limiter.process_request(sender(log, "b", c), (), {}, "sendMessage", {"chat_id": c}, {"lane": BROADCAST}) for c in range(2, 12))
    )
    assert len(others) == 10 and time.monotonic() - failed[0] < 0.9  # the others did not wait for chat 1
    await held
    assert log[-1][0] == "retry" and log[-1][2] - failed[0] >= 0.99
    assert limiter.retry_after_count == 1


async def test_a_reply_waits_out_a_longer_flood_than_a_broadcast_send(limiter: PacedLimiter) -> None:
    # A reply has nobody to try it again: it meets 429s up to `max_retry_after_interactive` times; a
    # broadcast send gives up after `max_retry_after` (its delivery tries it again later).
    limiter.limits.max_retry_after, limiter.limits.max_retry_after_interactive = 1, 3

    def flooded(times: int) -> Any:
        met: list[int] = []

        async def send() -> dict[str, Any]:
            if len(met) < times:
                met.append(1)
                raise RetryAfter(0.01)
            return {"message_id": 7}

        return send

    assert await limiter.process_request(flooded(3), (), {}, "sendMessage", {"chat_id": 5}, {"lane": INTERACTIVE}) == {"message_id": 7}
    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded(4), (), {}, "sendMessage", {"chat_id": 6}, {"lane": INTERACTIVE})
    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded(2), (), {}, "sendMessage", {"chat_id": 8}, {"lane": BROADCAST})


async def test_it_remembers_the_highest_message_id_per_chat(limiter: PacedLimiter) -> None:
    async def sent() -> dict[str, Any]:
        return {"message_id": 7, "chat": {"id": 5}}

    async def updates() -> list[dict[str, Any]]:
        return [{"update_id": 1, "message": {"message_id": 9, "chat": {"id": 5}}}]

    await limiter.process_request(sent, (), {}, "sendMessage", {"chat_id": "5"}, None)
    assert limiter.top_message_id(5) == 7 and limiter.own_message_ids(5) == {7}
    await limiter.process_request(updates, (), {}, "getUpdates", {}, None)
    assert limiter.top_message_id(5) == 9
    assert limiter.top_message_id(6) is None
    assert INTERACTIVE != BROADCAST
