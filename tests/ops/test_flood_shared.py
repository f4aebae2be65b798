"""The flood limit is shared by the workers through the database: two workers that each may send
`per_second` messages a second send no more than that together."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.ops.flood import SharedLimiter
from bot.ops.metrics import Metrics
from bot.pacing import Limits
from bot.storage import Storage
from bot.storage import ops as ops_storage

PER_SECOND = 4


async def test_two_workers_share_one_budget_per_second(db_url: str) -> None:
    limits = Limits(total_per_s=PER_SECOND, private_interval_s=0.0, group_interval_s=0.0)
    workers = [SharedLimiter(Storage.from_url(db_url), limits, metrics=Metrics()) for _ in range(2)]
    sent: list[tuple[int, int]] = []

    async def send(worker: int, chat: int) -> dict[str, Any]:
        sent.append((worker, chat))
        return {"message_id": chat, "chat": {"id": chat}}

    for limiter in workers:
        await limiter.initialize()
    try:
        await asyncio.gather(*(
            limiter.process_request(send, (w, chat), {}, "sendMessage", {"chat_id": chat}, None)
            for w, limiter in enumerate(workers) for chat in range(1000 + 10 * w, 1000 + 10 * w + 6)
        ))  # fmt: skip
    finally:
        for limiter in workers:
            await limiter.shutdown()
    assert len(sent) == 12
    with workers[0].storage.session() as s:
        slots = ops_storage.send_slots(s)
    assert sum(slots.values()) == 12  # every send was counted, by both workers in the same table
    assert max(slots.values()) <= PER_SECOND  # and no second holds more than one worker's limit
    assert len(slots) >= 3  # 12 sends at 4 a second need three seconds at least
    for limiter in workers:
        limiter.storage.dispose()
    assert workers[0].metrics is not None and workers[0].metrics.send_seconds._sum.get() > 0  # latency observed


async def test_reading_and_other_methods_are_not_counted(storage: Storage) -> None:
    limiter = SharedLimiter(storage, Limits(total_per_s=1))
    await limiter.initialize()

    async def call() -> dict[str, Any]:
        return {"ok": True}

    try:
        for _ in range(5):
            await limiter.process_request(call, (), {}, "getMe", {}, None)
            await limiter.process_request(call, (), {}, "answerCallbackQuery", {"callback_query_id": "1"}, None)
    finally:
        await limiter.shutdown()
    with storage.session() as s:
        assert ops_storage.send_slots(s) == {}
