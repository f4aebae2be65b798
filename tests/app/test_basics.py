"""The running bot over a real socket: /start, /help, /lang, /cancel, the menu, errors."""

from __future__ import annotations

from bot.texts.catalog import t
from tests.fixtures.app import COORDINATOR, RunningBot


async def test_start_without_invite_explains_how_to_get_one(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5001, first_name="王<b>", language_code="zh-hans")
    reply = await user.ask("/start")
    assert "王&lt;b&gt;" in reply.source  # the name is escaped, not markup
    assert "邀请链接" in reply.text
    assert reply.parse_mode == "HTML"


async def test_english_user_is_answered_in_english(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5002, first_name="Ann", language_code="en-US")
    reply = await user.ask("/help")
    assert reply.text.startswith("Commands")
    assert "invite link" in reply.text


async def test_lang_switches_and_is_remembered(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5003, first_name="Li", language_code="zh-hans")
    await user.ask("/lang")
    await user.press("English")
    edited = await user.wait_for()
    assert edited.text == t("en", "lang.set")
    assert user.callback_answers, "the button press must be answered"
    reply = await user.ask("/help")
    assert reply.text.startswith("Commands")


async def test_coordinator_help_lists_coordinator_commands(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    await user.send("/help")  # the coordinator may also get the day's digest; look for the help
    reply = await user.wait_for(lambda m: m.text.startswith("可用命令"))
    assert "/outstanding" in reply.text and "/invite" in reply.text


async def test_command_menu_is_set_in_both_languages(bot_app: RunningBot) -> None:
    calls = bot_app.emulator.calls("setMyCommands")
    languages = {c.params.get("language_code") for c in calls}
    assert {"zh", "en"} <= languages
    zh = next(c for c in calls if c.params.get("language_code") == "zh")
    assert any(cmd["command"] == "help" and cmd["description"] == "帮助" for cmd in _commands(zh.params))


async def test_stale_button_is_refused_with_a_message(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5004, first_name="Zh", language_code="zh-hans")
    await user.ask("/lang")
    message = user.last
    assert message is not None
    # a button whose data the bot no longer understands
    chat = bot_app.emulator.state.find_chat(user.id)
    assert chat is not None
    stored = chat.bot_messages[message.message_id]
    stored.data["reply_markup"]["inline_keyboard"][0][0]["callback_data"] = "old:1"
    await user.press("old:1")
    await _until(lambda: bool(user.callback_answers))
    assert user.callback_answers[-1]["text"] == t("zh-CN", "error.stale-button")


def _commands(params: dict[str, object]) -> list[dict[str, str]]:
    import json

    raw = params["commands"]
    return json.loads(raw) if isinstance(raw, str) else raw  # type: ignore[return-value]


async def _until(predicate: object, timeout: float = 5.0) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


async def test_a_failing_handler_is_logged_and_the_user_answered_politely(bot_app: RunningBot, caplog: object) -> None:
    from telegram.ext import CommandHandler

    async def boom(update: object, context: object) -> None:
        raise RuntimeError("kaput")

    bot_app.app.add_handler(CommandHandler("boom", boom), group=-2)  # ahead of every group the bot uses
    user = bot_app.emulator.user(5005, first_name="Wu", language_code="zh-hans")
    reply = await user.ask("/boom")
    assert reply.text == t("zh-CN", "error.generic")


async def test_a_file_from_a_stranger_is_answered(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5006, first_name="Xu", language_code="en")
    await user.send_document(b"%PDF-1.4 test", file_name="case.pdf", mime_type="application/pdf")
    reply = await user.wait_for()
    assert reply.text  # the bot says what it expects rather than staying silent


async def test_buttons_can_be_removed_from_a_message(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5007, first_name="Ma", language_code="en")
    await user.ask("/lang")
    message = user.last
    assert message is not None and message.buttons
    await bot_app.app.bot.edit_message_reply_markup(chat_id=user.id, message_id=message.message_id, reply_markup=None)
    edited = await user.wait_for()
    assert edited.buttons == []


async def test_an_unknown_command_is_explained(bot_app: RunningBot) -> None:
    user = bot_app.emulator.user(5008, first_name="Qi", language_code="zh-hans")
    reply = await user.ask("/frobnicate now")
    assert reply.text == t("zh-CN", "conversation.unknown-command", command="/frobnicate")


async def test_a_sticker_gets_an_answer_saying_what_the_bot_takes(bot_app: RunningBot) -> None:
    from telegram import Update

    user = bot_app.emulator.user(5009, first_name="Lu", language_code="zh-hans")
    await user.ask("/start")  # the chat exists
    sticker = {
        "update_id": 990001,
        "message": {
            "message_id": 99, "date": 1692151200, "chat": {"id": user.id, "type": "private", "first_name": "Lu"},
            "from": {"id": user.id, "is_bot": False, "first_name": "Lu", "language_code": "zh-hans"},
            "sticker": {"file_id": "s1", "file_unique_id": "u1", "type": "regular", "width": 512, "height": 512,
                        "is_animated": False, "is_video": False},
        },
    }
    await bot_app.app.process_update(Update.de_json(sticker, bot_app.app.bot))
    reply = await user.wait_for()
    assert reply.text == t("zh-CN", "conversation.unsupported")


async def test_a_reply_sent_unread_comes_back_as_its_id_and_the_limiter_still_keeps_its_keyboard(bot_app: RunningBot) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.botapi_client import unread

    user = bot_app.emulator.user(5010, first_name="Ann", language_code="en-US")
    await user.ask("/help")  # the chat exists
    bot, markup = bot_app.app.bot, InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    whole = await bot.send_message(5010, "<b>read</b>", reply_markup=markup)
    assert whole.text == "read" and whole.reply_markup is not None and whole.entities
    with unread():
        trimmed = await bot.send_message(5010, "<b>unread</b>", reply_markup=markup)
        edited = await bot.edit_message_text("<b>edited</b>", chat_id=5010, message_id=trimmed.message_id)
    assert trimmed.message_id > whole.message_id and trimmed.chat.id == 5010
    assert trimmed.text is None and trimmed.reply_markup is None and not trimmed.entities  # nothing else was made of it
    assert not isinstance(edited, bool) and edited.message_id == trimmed.message_id and edited.text is None
    after = await bot.send_message(5010, "<b>read again</b>")
    assert after.text == "read again"  # outside the block, whole again
    assert bot.rate_limiter.own_keyboards(5010)[trimmed.message_id] == bot.rate_limiter.own_keyboards(5010)[whole.message_id] != ""
    assert [m.text for m in user.messages[-3:]] == ["read", "edited", "read again"]  # what the user sees is whole
