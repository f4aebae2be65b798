"""Telegram in and out: `register(app)` adds every handler, in the one order that matters."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers import errors, start


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the handlers; earlier ones win."""
    app.add_handler(CommandHandler("start", start.start))
    app.add_handler(CommandHandler("help", start.help_command))
    app.add_handler(CommandHandler("lang", start.lang))
    app.add_handler(CommandHandler("cancel", start.cancel))
    app.add_handler(CallbackQueryHandler(start.lang_chosen, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(errors.stale_button))
    app.add_error_handler(errors.on_error)
