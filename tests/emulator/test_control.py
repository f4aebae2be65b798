"""The control side: users and groups in Python, over HTTP, and from another thread."""

import base64

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from emulator import Emulator, EmulatorThread


async def test_wait_for_times_out_with_what_the_chat_shows(emulator: Emulator) -> None:
    user = emulator.user(1001, "Li")
    with pytest.raises(AssertionError, match="no new bot message in chat 1001 within 0.1s"):
        await user.wait_for(timeout=0.1)


async def test_wait_for_predicate_skips_other_messages(emulator: Emulator) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    async with Bot(emulator.bot_token, base_url=emulator.base_url) as bot:
        await bot.send_message(1001, "提醒：本月案例")
        await bot.send_message(1001, "提醒：统计表")
    reply = await user.wait_for(lambda m: "统计" in m.text)
    assert reply.text == "提醒：统计表"
    with pytest.raises(AssertionError):
        await user.wait_for(timeout=0.05)  # the first one was passed over


async def test_groups_carry_member_messages_and_bot_replies(emulator: Emulator) -> None:
    group = emulator.group(-100500, "综合协调组")
    coordinator = emulator.user(2001, "王协调")
    await coordinator.send("/status@liaison_demo_bot", chat_id=-100500)
    async with Bot(emulator.bot_token, base_url=emulator.base_url) as bot:
        (update,) = await bot.get_updates()
        assert update.message.chat.type == "supergroup"
        assert update.message.chat.title == "综合协调组"
        assert update.message.from_user.id == 2001
        await bot.send_message(-100500, "3 个单位未报送")
        member = await bot.get_chat_member(-100500, 2001)
    assert member.status == "member"
    assert group.last_text == "3 个单位未报送"
    assert coordinator.messages == []  # nothing in the private chat


async def test_http_control_api(emulator: Emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.url) as control:
        user = (await control.post("/control/users", json={"user_id": 1001, "first_name": "李明"})).json()
        assert user == {"id": 1001, "is_bot": False, "first_name": "李明", "language_code": "zh-hans"}
        sent = (await control.post("/control/users/1001/send", json={"text": "/start"})).json()
        assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        document = {"data_base64": base64.b64encode(b"%PDF").decode(), "file_name": "a.pdf"}
        assert (await control.post("/control/users/1001/send_document", json=document)).json()["document"]["file_name"] == "a.pdf"

        async with Bot(emulator.bot_token, base_url=emulator.base_url) as bot:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("提交", callback_data="submit")]])
            await bot.send_message(1001, "<b>待办</b>", parse_mode="HTML", reply_markup=keyboard)
            events = (await control.get("/control/chats/1001/events", params={"after": 0, "timeout": 1})).json()
            assert events["next"] == 1
            assert events["events"][0]["text"] == "待办"
            assert events["events"][0]["buttons"] == ["提交"]
            pressed = (await control.post("/control/users/1001/press", json={"button": "提交"})).json()
            assert pressed["data"] == "submit" and pressed["chat_instance"]
            missing = await control.post("/control/users/1001/press", json={"button": "取消"})
            assert missing.status_code == 404 and "提交" in missing.text
            updates = await bot.get_updates()
            await updates[-1].callback_query.answer("收到")
            answers = (await control.get("/control/users/1001/callback_answers")).json()
            assert answers[0]["text"] == "收到"

            await control.post("/control/faults", json={"action": "block", "chat_id": 1001})
            blocked = await control.post("/control/flood", json={"enable": True, "per_chat_per_s": 5})
            assert blocked.json()["enabled"] is True
        messages = (await control.get("/control/chats/1001/messages")).json()
        assert [m["text"] for m in messages] == ["待办"]
        sent_log = (await control.get("/control/sent", params={"method": "sendMessage"})).json()
        assert [c["outcome"] for c in sent_log] == ["ok"]
        assert (await control.get("/control/violations")).json() == []
    assert 1001 in emulator.faults.blocked


def test_emulator_thread_for_synchronous_callers() -> None:
    with EmulatorThread(bot_token="42:SYNC", bot_username="sync_bot") as thread:
        me = httpx.get(f"{thread.emulator.base_url}42:SYNC/getMe").json()
        assert me["result"]["username"] == "sync_bot"
        user = thread.emulator.user(7, "Zhao")
        thread.run(user.send("/start"))
        updates = httpx.post(f"{thread.emulator.base_url}42:SYNC/getUpdates", json={"timeout": 1}).json()
        assert updates["result"][0]["message"]["text"] == "/start"
        other = httpx.get(f"{thread.url}/bot1:OTHER/getMe")
        assert other.status_code == 401


async def test_unexpected_violations_fail_the_test(emulator: Emulator) -> None:
    from tests.fixtures.emulator import fail_on_violations

    async with httpx.AsyncClient() as client:
        await client.post(f"{emulator.base_url}{emulator.bot_token}/getMe", json={"foo": 1})
    with pytest.raises(pytest.fail.Exception, match='getMe: Bad Request: unknown parameter "foo"'):
        fail_on_violations(emulator)
    emulator.violations.clear()
    with pytest.raises(AssertionError, match="expected a Bot API violation"):
        with emulator.expect_violations():
            pass


@pytest.mark.emulator_violations
async def test_marker_allows_violations(emulator: Emulator) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{emulator.base_url}{emulator.bot_token}/nope")
    assert answer.status_code == 404


async def test_user_handles_are_shared_and_keep_their_profile(emulator: Emulator) -> None:
    first = emulator.user(1001, "李明", username="liming", language_code="en")
    again = emulator.user(1001)
    assert again is first
    assert again.user == {
        "id": 1001, "is_bot": False, "first_name": "李明", "username": "liming", "language_code": "en"
    }  # fmt: skip
