"""Telegram in and out: `register(app)` adds every handler, in the one order that matters."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import conversation, errors, start


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the handlers; earlier ones win."""
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("lang", start.lang))
    app.add_handler(CommandHandler("cancel", start.cancel))
    app.add_handler(CallbackQueryHandler(start.lang_chosen, pattern=r"^lang:"))
    # Flow modules register their commands and buttons above this line.
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.Document.ALL | filters.PHOTO) & ~filters.COMMAND,
            conversation.on_message,
        )
    )
    app.add_handler(CallbackQueryHandler(errors.stale_button))
    app.add_error_handler(errors.on_error)
