"""Prometheus metrics of one worker, in a registry of its own (nothing global, several bots per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from bot.pacing import PacedLimiter

# Send latency: from the request to Telegram's answer, the wait for the chat's turn included.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The worker's metrics; `render()` is the text /metrics answers."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "liaison_bot_updates", "Telegram updates received, by outcome: handled, or duplicate (taken by another worker)",
            ["outcome"], registry=self.registry,
        )  # fmt: skip
        self.send_seconds = Histogram(
            "liaison_bot_send_seconds", "Time from a message send request to Telegram's answer, waiting for its turn included",
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.send_errors = Counter("liaison_bot_send_errors", "Message sends that failed, by error", ["error"], registry=self.registry)
        for outcome in ("handled", "duplicate"):
            self.updates.labels(outcome)

    def watch(self, limiter: PacedLimiter, reminders: Callable[[], dict[str, int]], on_loop: Callable[[], int] = lambda: 0) -> None:
        """Read the limiter (429s, queue depth), the database (reminders by status) and the count of its
        calls made on the event loop (`bot.storage.base.OnLoop`) at each scrape."""
        self.registry.register(_Live(limiter, reminders, on_loop))

    def render(self) -> bytes:
        """The exposition text (blocking: the reminder counts come from the database)."""
        return generate_latest(self.registry)


class _Live(Collector):
    def __init__(self, limiter: PacedLimiter, reminders: Callable[[], dict[str, int]], on_loop: Callable[[], int]) -> None:
        self.limiter = limiter
        self.reminders = reminders
        self.on_loop = on_loop

    def describe(self) -> list[Metric]:
        return []  # (values are read at scrape time; nothing to describe ahead)

    def collect(self) -> Iterator[Metric]:
        from bot.pacing import LANES

        throttled = CounterMetricFamily("liaison_bot_telegram_429", "Answers 429 Too Many Requests from the Bot API")
        throttled.add_metric([], float(self.limiter.retry_after_count))
        yield throttled
        queue = GaugeMetricFamily("liaison_bot_send_queue", "Message sends waiting for their turn, by lane", labels=["lane"])
        for lane in LANES:
            queue.add_metric([lane], float(self.limiter.pending(lane)))
        yield queue
        reminders = GaugeMetricFamily(
            "liaison_bot_reminders", "Reminders in the database, by status (pending: claimed, not yet sent)", labels=["status"]
        )
        for status, n in sorted(self.reminders().items()):
            reminders.add_metric([status], float(n))
        yield reminders
        on_loop = CounterMetricFamily(
            "liaison_bot_db_calls_on_loop", "Database connections taken on the event loop (each holds up every update while it waits)"
        )
        on_loop.add_metric([], float(self.on_loop()))
        yield on_loop
