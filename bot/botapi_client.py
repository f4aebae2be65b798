"""The HTTP client to the Bot API: python-telegram-bot's `BaseRequest` on aiohttp.

PTB's HTTPXRequest spends most of the bot's CPU in httpcore's pool bookkeeping, which looks at
every connection of the pool for every request (issue 15); aiohttp's connector takes the last idle
connection of a list. The errors are PTB's, as HTTPXRequest raises them, because the delivery code
decides from them whether a send may have been performed: a request that waited for a free
connection in vain is `TimedOut` with "Pool timeout" (never sent), a connection that could not be
made is `NetworkError` caused by `aiohttp.ClientConnectorError` or `TimedOut` caused by
`aiohttp.ConnectionTimeoutError` (never sent), and anything after the request went out (no answer in
time, a dropped connection) is `TimedOut` or `NetworkError` caused by something else (maybe sent).

A request waits for one of `connection_pool_size` places (`pool_timeout`), then for its connection
(`connect_timeout`), then for the answer (`read_timeout`, from the end of the request's body to each
piece of the answer). aiohttp has no write timeout: a request's body is not bounded in time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


_UNREAD: ContextVar[bool] = ContextVar("unread", default=False)
_KEPT = ("message_id", "date", "chat")  # what a Message needs to be made at all


@contextmanager
def unread() -> Iterator[None]:
    """Within the block, a message sent (sendMessage, editMessageText) comes back as its id, date and chat
    only: the caller reads nothing else of it, and python-telegram-bot's making of the whole Message
    (the text's entities, the keyboard sent) cost a reply a fifth of its CPU (issue 15). The rate
    limiter still sees the whole answer (it keeps the keyboards it sent)."""
    token = _UNREAD.set(True)
    try:
        yield
    finally:
        _UNREAD.reset(token)


def trimmed(endpoint: str, result: Any) -> Any:
    """`result`, or only what a Message needs of it if it is a message sent within `unread()`."""
    if _UNREAD.get() and endpoint in ("sendMessage", "editMessageText") and isinstance(result, dict) and "message_id" in result:
        return {k: result[k] for k in _KEPT if k in result}
    return result


POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent to Telegram. "
    "Consider adjusting the connection pool size or the pool timeout."
)


UPLOAD_FLOOR_BPS = 128 * 1024  # the slowest upload allowed to finish: a 27 MB export gets 3.5 minutes


class AiohttpRequest(BaseRequest):
    """A Bot API client on one aiohttp session: at most `connection_pool_size` requests at once."""

    __slots__ = ("_connect_timeout", "_keepalive_s", "_places", "_pool_size", "_pool_timeout", "_read_timeout", "_session", "_write_timeout")

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        keepalive_s: float = 60.0,
        write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._keepalive_s = keepalive_s
        self._places = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default seconds to wait for the answer (PTB adds it to getUpdates' long-poll timeout)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (again after a shutdown)."""
        if self._session is None or self._session.closed:
            self._places = asyncio.Semaphore(self._pool_size)  # bound to the loop it is used in
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0, keepalive_timeout=self._keepalive_s)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
            # the transports close their sockets on the loop's next turns (a request cancelled midway too)
            for _ in range(3):
                await asyncio.sleep(0)

    async def do_request(  # noqa: PLR0913 (BaseRequest's signature)
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the answer's status and body. Errors as PTB's HTTPXRequest raises them."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read_s = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect_s = self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool_s = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write_s = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        # aiohttp bounds no write by itself: an upload (a file's body) is bounded as a whole instead, by
        # the time to connect, to write it (no slower than UPLOAD_FLOOR_BPS) and to read the answer; a
        # short form fits the socket's buffer.
        total = None
        if request_data is not None and request_data.contains_files and None not in (connect_s, write_s, read_s):
            size = sum(len(part[1]) for part in request_data.multipart_data.values() if isinstance(part[1], bytes | bytearray))
            total = float(connect_s or 0) + float(write_s or 0) + size / UPLOAD_FLOOR_BPS + float(read_s or 0)
        timeout = aiohttp.ClientTimeout(total=total, connect=None, sock_connect=connect_s, sock_read=read_s)
        data = _body(request_data)
        if self._places.locked():  # every place taken: wait for one, in vain after pool_s
            try:
                await asyncio.wait_for(self._places.acquire(), pool_s)
            except TimeoutError as err:
                raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from err
        else:
            await self._places.acquire()
        try:
            async with session.request(method, url, data=data, timeout=timeout, headers=_JSON if isinstance(data, bytes) else None) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError (connect or read) is one
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            self._places.release()


_JSON = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The parameters as a JSON object (each value as PTB encodes it for a form: an object as its JSON
    text), multipart when files go along. Not form-encoded: the standard library quotes a form byte by
    byte in Python, a third of the CPU of a /due reply (a long Chinese text and its keyboard)."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_payload
    form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)  # file names in UTF-8, as httpx sends them
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
