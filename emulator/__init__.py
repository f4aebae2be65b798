"""A Telegram Bot API emulator on 127.0.0.1: the offline sandbox and the end-to-end tests.

    emu = Emulator(bot_token="123456:TEST", bot_username="liaison_demo_bot")
    await emu.start()
    app = ApplicationBuilder().token(emu.bot_token).base_url(emu.base_url)
          .base_file_url(emu.base_file_url).build()
    user = emu.user(1001, "李明")
    await user.send("/start")
    reply = await user.wait_for()

Webhooks too: after setWebhook, pending updates are POSTed to the webhook (getUpdates answers
409); `emu.route_webhook("https://bot.example.org", "http://127.0.0.1:8443")` stands in for the
TLS proxy in front of the bot (see `emulator.webhook`).
"""

from emulator.control import ChatView, GroupHandle, UserHandle
from emulator.errors import ApiError
from emulator.server import Emulator, SentCall
from emulator.state import BotMessage
from emulator.thread import EmulatorThread

__all__ = [
    "ApiError",
    "BotMessage",
    "ChatView",
    "Emulator",
    "EmulatorThread",
    "GroupHandle",
    "SentCall",
    "UserHandle",
]
