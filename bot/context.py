"""The services every handler reaches through its typed `BotContext`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Config
from bot.buttons import Button, ButtonSigner
from bot.texts.catalog import normalize_language, t
from schedules import ChinaCalendar

if TYPE_CHECKING:
    from bot.storage import Storage

SERVICES_KEY = "services"


@dataclass
class Services:
    """What the application is made of: its campaign, its storage and its clock."""

    config: Config
    storage: Storage
    clock: Clock
    buttons: ButtonSigner
    calendar: ChinaCalendar
    extras: dict[str, Any] = field(default_factory=dict)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """A `CallbackContext` that knows the application's services."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], chat_id: int | None = None, user_id: int | None = None) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        """The application's services."""
        return self.application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]

    def language(self, update: Update) -> str:
        """The language to answer this user in: their choice, else their Telegram language, else the campaign's."""
        user = update.effective_user
        config = self.services.config
        if user is None:
            return config.language
        chosen = self.services.storage.people.language_of(telegram_user_id=user.id)
        return chosen or normalize_language(user.language_code, config.language)

    def button(self, update: Update, action: str, *args: str | int) -> str:
        """Signed callback data for a button shown to this update's user."""
        assert update.effective_user is not None
        return self.services.buttons.pack(update.effective_user.id, action, *args)

    def pressed(self, update: Update) -> Button | None:
        """The verified button this callback query carries; None if forged, altered or someone else's."""
        query = update.callback_query
        if query is None or update.effective_user is None:
            return None
        return self.services.buttons.unpack(update.effective_user.id, query.data)

    def text(self, update: Update, key: str, /, **params: object) -> str:
        """A catalog text in this user's language."""
        return t(self.language(update), key, **params)
