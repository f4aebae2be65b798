"""The emulator driven by python-telegram-bot itself, as the real bot will drive it."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from emulator import Emulator


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with Bot(
        emulator.bot_token, base_url=emulator.base_url, base_file_url=emulator.base_file_url
    ) as ptb_bot:
        yield ptb_bot


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "liaison_demo_bot"
    assert me.id == 123456


async def test_long_poll_returns_as_soon_as_a_user_writes(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "李明", username="liming")
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    assert not poll.done()
    started = time.monotonic()
    await user.send("你好")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 0.5
    assert [u.message.text for u in updates] == ["你好"]
    assert updates[0].message.from_user.language_code == "zh-hans"


async def test_offset_confirms_updates_and_limit(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["one", "two"]
    again = await bot.get_updates()
    assert [u.message.text for u in again] == ["one", "two", "three"]  # nothing confirmed yet
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()


async def test_allowed_updates_filters_update_types(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    await bot.send_message(1001, "pick", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("A", callback_data="a")]]
    ))  # fmt: skip
    await user.press("A")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates] == ["a"]


@pytest.mark.parametrize(
    ("text", "command"),
    [("/start", "/start"), ("/start inv-3f9a", "/start"), ("/status@liaison_demo_bot now", "/status@liaison_demo_bot")],
    ids=["plain", "deep-link", "addressed"],
)
async def test_commands_carry_a_bot_command_entity(
    emulator: Emulator, bot: Bot, text: str, command: str
) -> None:
    await emulator.user(1001, "Li").send(text)
    (update,) = await bot.get_updates()
    assert update.message.entities == (
        MessageEntity(MessageEntity.BOT_COMMAND, offset=0, length=len(command)),
    )
    assert update.message.parse_entities() == {update.message.entities[0]: command}


async def test_button_press_and_callback_answer(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("零报告", callback_data="zero:7")]])
    sent = await bot.send_message(1001, "本月无案例？", reply_markup=keyboard)
    await bot.get_updates()
    await user.press("零报告")
    updates = await bot.get_updates(offset=1)
    query = updates[-1].callback_query
    assert query.data == "zero:7"
    assert query.message.message_id == sent.message_id
    assert query.chat_instance
    assert query.from_user.id == 1001
    assert await query.answer("已记录")
    assert user.callback_answers[0]["text"] == "已记录"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer("again")


async def test_pressing_a_missing_button_lists_the_buttons(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    await bot.send_message(1001, "x", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("是", callback_data="y"), InlineKeyboardButton("否", callback_data="n")]]
    ))  # fmt: skip
    with pytest.raises(AssertionError, match=r"no inline button '确认'.*\['是', '否'\]"):
        await user.press("确认")


async def test_edit_is_seen_by_the_user(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    sent = await bot.send_message(1001, "<i>草稿</i>", parse_mode=ParseMode.HTML)
    first = await user.wait_for()
    assert first.text == "草稿" and not first.edited
    await sent.edit_text("已提交")
    edit = await user.wait_for()
    assert edit.edited and edit.text == "已提交" and edit.message_id == sent.message_id
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await sent.edit_text("已提交")
    assert [m.text for m in user.messages] == ["已提交"]


async def test_document_upload_get_file_and_download(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    await user.send("/start")
    payload = "统计表".encode() * 1000
    sent = await bot.send_document(1001, payload, filename="附件1.xlsx", caption="<b>汇总</b>", parse_mode="HTML")
    assert sent.document.file_name == "附件1.xlsx"
    assert user.last.document["file_size"] == len(payload)
    assert user.last.text == "汇总"
    tg_file = await bot.get_file(sent.document.file_id)
    assert bytes(await tg_file.download_as_bytearray()) == payload


async def test_user_uploads_reach_the_bot_as_files(emulator: Emulator, bot: Bot) -> None:
    user = emulator.user(1001, "Li")
    pdf = b"%PDF-1.4 decision"
    await user.send_document(pdf, "处罚决定书.pdf", "application/pdf", caption="案例一")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
    await user.send_photo(png)
    doc_update, photo_update = await bot.get_updates()
    document = doc_update.message.document
    assert (document.file_name, document.mime_type, doc_update.message.caption) == (
        "处罚决定书.pdf", "application/pdf", "案例一"
    )  # fmt: skip
    assert bytes(await (await document.get_file()).download_as_bytearray()) == pdf
    largest = photo_update.message.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    assert bytes(await (await largest.get_file()).download_as_bytearray()) == png


async def test_reply_keyboards_and_chat_actions(emulator: Emulator, bot: Bot) -> None:
    from telegram import ForceReply, ReplyKeyboardMarkup, ReplyKeyboardRemove

    user = emulator.user(1001, "Li")
    await user.send("/start")
    await bot.send_message(1001, "选择", reply_markup=ReplyKeyboardMarkup([["确认", "修改"]]))
    assert user.keyboard["keyboard"] == [[{"text": "确认"}, {"text": "修改"}]]
    await bot.send_message(1001, "好", reply_markup=ReplyKeyboardRemove())
    assert user.keyboard is None
    await bot.send_message(1001, "姓名？", reply_markup=ForceReply())
    assert user.last.keyboard == {"force_reply": True}
    await bot.send_chat_action(1001, "typing")
    assert user.chat_actions == ["typing"]


async def test_application_run_against_the_emulator(emulator: Emulator) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payload = context.args[0] if context.args else "-"
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="ok")]])
        await update.message.reply_html(f"欢迎 <b>{payload}</b>", reply_markup=keyboard)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("已确认")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    app: Application = (
        ApplicationBuilder()
        .token(emulator.bot_token)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        user = emulator.user(1001, "李明")
        welcome = await user.ask("/start inv-42")
        assert welcome.text == "欢迎 inv-42"
        await user.press("确认")
        assert (await user.wait_for()).text == "已确认"
        assert (await user.ask("第二条")).text == "第二条"
        await app.updater.stop()
        await app.stop()
    assert [c.method for c in emulator.calls() if c.method != "getUpdates"][:2] == ["getMe", "deleteWebhook"]


async def test_a_mention_carries_the_whole_user_and_an_unknown_one_is_dropped(emulator: Emulator, bot: Bot) -> None:
    emulator.user(1001, "李明")
    emulator.group(-100900, "工作群", members=(1001,))
    sent = await bot.send_message(
        -100900,
        '请 <a href="tg://user?id=1001">李明</a> 和 <a href="tg://user?id=4242">某人</a> 报送',
        parse_mode=ParseMode.HTML,
    )
    [mention] = sent.entities
    assert mention.type == MessageEntity.TEXT_MENTION and mention.user is not None
    assert mention.user.id == 1001 and mention.user.first_name == "李明" and not mention.user.is_bot
