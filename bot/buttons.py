"""Signed callback data: a button the bot did not make, or made for someone else, is refused.

Data is `action|arg|arg|sig` (at most 64 bytes, Telegram's limit); `sig` is a truncated
HMAC over the rest and the user the button was made for, keyed by a secret derived from the
bot token. Stale buttons are the caller's to detect (they carry ids and versions it checks).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

MAX_BYTES = 64
_SEP = "|"


@dataclass(frozen=True)
class Button:
    """A verified button press: its action and arguments."""

    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int:
        """Argument `index` as an int (ValueError if it is not one)."""
        return int(self.args[index])


class ButtonSigner:
    """Packs and verifies callback data with a secret."""

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"liaison-bot buttons\0" + secret).digest()

    def _sig(self, body: str, user_id: int) -> str:
        mac = hmac.new(self._key, f"{user_id}{_SEP}{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:6]).decode().rstrip("=")

    def pack(self, user_id: int, action: str, *args: str | int) -> str:
        """Callback data for a button shown to `user_id`."""
        parts = [action, *(str(a) for a in args)]
        if any(_SEP in p for p in parts):
            raise ValueError("button arguments must not contain '|'")
        body = _SEP.join(parts)
        data = f"{body}{_SEP}{self._sig(body, user_id)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data too long ({len(data.encode())} bytes): {body!r}")
        return data

    def unpack(self, user_id: int, data: str | None) -> Button | None:
        """The button, if `data` was made by this bot for this user; None if forged, altered or foreign."""
        if not data or _SEP not in data:
            return None
        body, _, sig = data.rpartition(_SEP)
        if not hmac.compare_digest(sig, self._sig(body, user_id)):
            return None
        action, *args = body.split(_SEP)
        return Button(action=action, args=tuple(args))
