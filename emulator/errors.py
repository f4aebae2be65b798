"""Errors the emulator answers with, in Telegram's shapes."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An answer `{"ok": false, ...}`; `violation` marks a request the bot should never make."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        violation: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.violation = violation

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, *, violation: bool = False) -> ApiError:
    """A 400 "Bad Request: ..." answer."""
    return ApiError(400, f"Bad Request: {description}", violation=violation)


def forbidden(description: str) -> ApiError:
    """A 403 "Forbidden: ..." answer."""
    return ApiError(403, f"Forbidden: {description}")
