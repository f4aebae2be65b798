"""The bot's Bot API client (aiohttp) against the emulator over a socket: calls, files, and PTB's errors."""

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.botapi_client import AiohttpRequest
from bot.services.reminders.delivery import _surely_not_sent
from emulator import Emulator


def _bot(emulator: Emulator, request: AiohttpRequest, base_url: str | None = None) -> Bot:
    return Bot(emulator.bot_token, base_url=base_url or emulator.base_url, base_file_url=emulator.base_file_url, request=request)


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with _bot(emulator, AiohttpRequest(connection_pool_size=4)) as ptb_bot:
        yield ptb_bot


async def _until(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_a_call_with_nested_parameters_reaches_the_user(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "李明")
    await user.send("/start")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("提交 <1>", callback_data="v1:submit")]])
    sent = await bot.send_message(1001, "<b>报送</b> 截止 & 提醒", parse_mode="HTML", reply_markup=markup)
    assert user.last is not None and user.last.text == "报送 截止 & 提醒"
    assert user.last.message_id == sent.message_id
    assert user.last.reply_markup == {"inline_keyboard": [[{"text": "提交 <1>", "callback_data": "v1:submit"}]]}
    assert (await bot.get_me()).username == emulator.bot_username


async def test_an_upload_goes_as_multipart_and_comes_back_by_get_file(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    payload = "统计表".encode() * 5000
    sent = await bot.send_document(1001, payload, filename="附件1.xlsx", caption="<b>汇总</b>", parse_mode="HTML")
    document, shown = sent.document, user.last
    assert document is not None and document.file_name == "附件1.xlsx"  # the name in UTF-8, not %-quoted
    assert shown is not None and shown.document is not None and shown.document["file_size"] == len(payload)
    assert shown.text == "汇总"
    downloaded = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload


async def test_no_answer_in_time_is_timed_out_and_maybe_sent(emulator: Emulator) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    release = emulator.faults.hold_next(1, "sendMessage")
    async with _bot(emulator, AiohttpRequest(read_timeout=0.3)) as bot:
        with pytest.raises(TimedOut) as caught:
            await bot.send_message(1001, "held")
        release.set()
        assert isinstance(caught.value.__cause__, aiohttp.SocketTimeoutError)
        assert not _surely_not_sent(caught.value)  # Telegram did it: the bot must not resend blindly
        assert [m.text for m in user.messages] == ["held"]
        await bot.send_message(1001, "next")  # the client goes on
    assert [m.text for m in user.messages] == ["held", "next"]


async def test_a_dropped_connection_is_a_network_error_and_maybe_sent(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    emulator.faults.drop_next(1, "sendMessage", after=True)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(1001, "dropped")
    assert not isinstance(caught.value, TimedOut)
    assert isinstance(caught.value.__cause__, aiohttp.ServerDisconnectedError)
    assert not _surely_not_sent(caught.value)
    await bot.send_message(1001, "again")
    assert [m.text for m in user.messages] == ["dropped", "again"]


async def test_a_refused_connection_is_a_network_error_surely_not_sent(emulator: Emulator) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    bot = _bot(emulator, request, base_url=f"http://127.0.0.1:{port}/bot")
    try:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(1001, "nowhere")
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert _surely_not_sent(caught.value)


async def test_no_more_requests_at_once_than_connections_and_the_wait_is_bounded(emulator: Emulator) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    release = emulator.faults.hold_next(3, "sendMessage")
    async with _bot(emulator, AiohttpRequest(connection_pool_size=2, pool_timeout=10)) as bot:
        sends = [asyncio.create_task(bot.send_message(1001, f"m{i}")) for i in range(3)]
        await _until(lambda: len(user.messages) == 2)
        await asyncio.sleep(0.3)
        assert len(user.messages) == 2  # the third waits for a connection, not sent
        with pytest.raises(TimedOut, match="Pool timeout") as caught:
            await bot.send_message(1001, "waits in vain", pool_timeout=0.2)
        assert _surely_not_sent(caught.value)
        release.set()
        await asyncio.gather(*sends)
    assert sorted(m.text for m in user.messages) == ["m0", "m1", "m2"]


async def test_a_shut_down_client_refuses_and_initializes_again(emulator: Emulator) -> None:
    request = AiohttpRequest()
    bot = _bot(emulator, request)
    await bot.initialize()
    await bot.shutdown()
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps it, as for HTTPXRequest
        await request.post(f"{emulator.base_url}{emulator.bot_token}/getMe")
    async with bot:
        assert (await bot.get_me()).username == emulator.bot_username
