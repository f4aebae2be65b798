"""Flood limits and fault injection: the ways real Telegram says no or goes away."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.errors import ApiError

# Calls that count as sending a message (edits are deliberately not counted: Telegram
# limits them separately and far more loosely).
SEND_METHODS = {
    "sendmessage", "senddocument", "sendphoto", "sendaudio", "sendvideo", "sendvoice",
    "sendanimation", "sendsticker", "sendmediagroup", "sendlocation", "sendvenue",
    "sendcontact", "sendpoll", "senddice", "sendvideonote", "sendpaidmedia", "sendinvoice",
    "copymessage", "copymessages", "forwardmessage", "forwardmessages", "sendchecklist",
}  # fmt: skip


@dataclass
class _Window:
    limit: int
    seconds: float
    stamps: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more send fits, 0 if it fits now."""
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.seconds - now


class FloodControl:
    """Strict rolling windows over accepted sends; off until `enable`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.enabled = False
        self.total_per_s = 30
        self.per_chat_per_s = 1
        self.per_group_per_min = 20
        self.rejections: list[dict[str, Any]] = []  # every 429 given
        self._total = _Window(30, 1.0)
        self._chats: dict[int, _Window] = {}

    def enable(
        self, total_per_s: int = 30, per_chat_per_s: int = 1, per_group_per_min: int = 20
    ) -> None:
        """Start enforcing; private chats get the per-second limit, groups the per-minute."""
        self.enabled = True
        self.total_per_s = total_per_s
        self.per_chat_per_s = per_chat_per_s
        self.per_group_per_min = per_group_per_min
        self.reset()

    def disable(self) -> None:
        self.enabled = False

    def reset(self) -> None:
        self._total = _Window(self.total_per_s, 1.0)
        self._chats = {}

    def _chat_window(self, chat_id: int) -> _Window:
        if chat_id not in self._chats:
            if chat_id < 0:
                self._chats[chat_id] = _Window(self.per_group_per_min, 60.0)
            else:
                self._chats[chat_id] = _Window(self.per_chat_per_s, 1.0)
        return self._chats[chat_id]

    def check(self, method: str, chat_id: int) -> None:
        """Raise 429 if this send would exceed a window."""
        if not self.enabled or method.lower() not in SEND_METHODS:
            return
        now = self.clock()
        wait = max(self._total.wait(now), self._chat_window(chat_id).wait(now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            self.rejections.append(
                {"method": method, "chat_id": chat_id, "retry_after": retry_after, "at": now}
            )
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                parameters={"retry_after": retry_after},
            )

    def accepted(self, method: str, chat_id: int) -> None:
        """Count a send that was performed."""
        if not self.enabled or method.lower() not in SEND_METHODS:
            return
        now = self.clock()
        self._total.stamps.append(now)
        self._chat_window(chat_id).stamps.append(now)


@dataclass
class _Rule:
    kind: str  # "fail" | "drop" | "hold"
    remaining: int
    method: str | None
    status: int = 502
    html: bool = False
    after: bool = False
    release: asyncio.Event | None = None  # "hold": the answer waits for it
    chat: int | None = None  # only calls to this chat


class Faults:
    """Injected failures: gateway errors, dropped connections, blocked users, latency."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self.blocked: set[int] = set()
        self.latency: float = 0.0
        self.injected: list[dict[str, Any]] = []

    def fail_next(
        self, n: int = 1, status: int = 502, method: str | None = None, *, html: bool = False, chat_id: int | None = None
    ) -> None:
        """Answer the next `n` calls (of `method`, to `chat_id`, if given) with a 5xx error.

        `html=True` answers with an nginx-style HTML page instead of Telegram's JSON.
        """
        self._rules.append(_Rule("fail", n, method and method.lower(), status, html, chat=chat_id))

    def drop_next(self, n: int = 1, method: str | None = None, *, after: bool = False, chat_id: int | None = None) -> None:
        """Close the connection without an answer on the next `n` calls (to `chat_id`, if given).

        With `after=True` the call is performed first (the bot cannot know it succeeded).
        """
        self._rules.append(_Rule("drop", n, method and method.lower(), after=after, chat=chat_id))

    def hold_next(self, n: int = 1, method: str | None = None) -> asyncio.Event:
        """Perform the next `n` calls at once but hold their answers until the returned event is set.

        Models a request still in flight: Telegram has done it, the bot does not know yet.
        """
        release = asyncio.Event()
        self._rules.append(_Rule("hold", n, method and method.lower(), release=release))
        return release

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends to the chat answer 403."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def delay(self, seconds: float) -> None:
        """Add latency to every bot call (0 to remove)."""
        self.latency = seconds

    def clear(self) -> None:
        """Forget every pending fault, block and delay (held answers are released)."""
        for rule in self._rules:
            if rule.release is not None:
                rule.release.set()
        self._rules.clear()
        self.blocked.clear()
        self.latency = 0.0

    def take(self, method: str, chat_id: Any = None) -> _Rule | None:
        """The rule that applies to this call, consuming one of its uses.

        A rule without a method applies to every method but getUpdates, so that a pending
        long poll does not swallow a fault meant for a send.
        """
        name = method.lower()
        for rule in self._rules:
            if rule.chat is not None and str(rule.chat) != str(chat_id):
                continue
            if rule.method == name or (rule.method is None and name != "getupdates"):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                self.injected.append({"method": method, "kind": rule.kind, "after": rule.after})
                return rule
        return None
