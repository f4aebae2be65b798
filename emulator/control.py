"""The control side: tests and the demo act as Telegram users, in Python or over HTTP."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from emulator.html import utf16_len
from emulator.messages import document_object, photo_sizes
from emulator.state import BotMessage, ChatState

if TYPE_CHECKING:
    from emulator.server import Emulator

# A command is recognised at the start of the text or after whitespace, as Telegram does.
_COMMAND_RE = re.compile(r"(?:(?<=\s)|^)/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w@])")


def command_entities(text: str) -> list[dict[str, Any]]:
    """The `bot_command` entities Telegram attaches to a user's text."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND_RE.finditer(text)
    ]


class ChatView:
    """What a person sees in one chat: the bot's messages, and waiting for new ones."""

    def __init__(self, emu: Emulator, chat_id: int) -> None:
        self.emu = emu
        self.chat_id = chat_id
        self._cursor = len(self._chat.events)

    @property
    def _chat(self) -> ChatState:
        return self.emu.state.chats[self.chat_id]

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages still in the chat, oldest first, as they look now."""
        return [m for m in self.history if not m.deleted]

    @property
    def history(self) -> list[BotMessage]:
        """Every bot message, deleted ones included."""
        return sorted(self._chat.bot_messages.values(), key=lambda m: m.message_id)

    @property
    def last(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def last_text(self) -> str:
        """The text (or caption) of the latest bot message, "" if none."""
        return self.last.text if self.last else ""

    @property
    def keyboard(self) -> dict[str, Any] | None:
        """The reply keyboard currently shown under the input field, if any."""
        return self._chat.reply_keyboard

    @property
    def chat_actions(self) -> list[str]:
        return list(self._chat.actions)

    def skip_pending(self) -> None:
        """Treat every message so far as seen by `wait_for`."""
        self._cursor = len(self._chat.events)

    async def wait_for(
        self, predicate: Callable[[BotMessage], bool] | None = None, timeout: float = 5.0
    ) -> BotMessage:
        """The next bot message or edit in this chat (matching `predicate`), as it was then.

        Messages passed over (not matching) count as seen.
        """
        chat = self._chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        skipped: list[BotMessage] = []
        async with chat.changed:
            while True:
                while self._cursor < len(chat.events):
                    event = chat.events[self._cursor]
                    self._cursor += 1
                    if predicate is None or predicate(event):
                        return event
                    skipped.append(event)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(
                        f"no new bot message in chat {self.chat_id} within {timeout}s"
                        f"{' matching the predicate' if predicate else ''}; "
                        f"passed over: {skipped}; in the chat: {self.messages[-5:]}"
                    )
                try:
                    await asyncio.wait_for(chat.changed.wait(), remaining)
                except TimeoutError:
                    pass

    async def _post(self, user_id: int, content: dict[str, Any]) -> dict[str, Any]:
        """A user's message in this chat, delivered to the bot as an update."""
        chat = self._chat
        chat.members.add(user_id)
        data: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "from": copy.deepcopy(self.emu.state.users[user_id]),
            "chat": copy.deepcopy(chat.chat),
            "date": self.emu.state.now(),
            **content,
        }
        chat.user_messages[data["message_id"]] = data
        if chat.chat["type"] == "private":
            chat.started = True
            self.emu.faults.unblock(chat.id)  # writing to a bot means it is not blocked
        await self.emu.state.push_update("message", copy.deepcopy(data))
        return copy.deepcopy(data)

    async def _edit_text(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits one of their text messages: an `edited_message` update."""
        data = self._chat.user_messages.get(message_id)
        if data is None or "text" not in data or data["from"]["id"] != user_id:
            raise AssertionError(f"no text message #{message_id} of user {user_id} in chat {self.chat_id}")
        data["text"] = text
        data.pop("entities", None)
        entities = command_entities(text)
        if entities:
            data["entities"] = entities
        data["edit_date"] = self.emu.state.now()
        await self.emu.state.push_update("edited_message", copy.deepcopy(data))
        return copy.deepcopy(data)

    async def _send_text(
        self, user_id: int, text: str, reply_to: BotMessage | int | None
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            mid = reply_to if isinstance(reply_to, int) else reply_to.message_id
            replied = self._chat.user_messages.get(mid)
            if replied is None and mid in self._chat.bot_messages:
                replied = self._chat.bot_messages[mid].data
            if replied is None:
                raise AssertionError(f"no message #{mid} to reply to in chat {self.chat_id}")
            content["reply_to_message"] = copy.deepcopy(replied)
        return await self._post(user_id, content)

    async def _send_document(
        self, user_id: int, data: bytes, file_name: str, mime_type: str, caption: str | None
    ) -> dict[str, Any]:
        stored = self.emu.state.store_file(data, file_name, mime_type, "documents")
        content: dict[str, Any] = {"document": document_object(stored)}
        if caption:
            content["caption"] = caption
        return await self._post(user_id, content)

    async def _send_photo(self, user_id: int, data: bytes, caption: str | None) -> dict[str, Any]:
        stored = self.emu.state.store_file(data, "photo.jpg", "image/jpeg", "photos")
        content: dict[str, Any] = {"photo": photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        return await self._post(user_id, content)

    async def _press(
        self, user_id: int, button: str, message: BotMessage | int | None
    ) -> dict[str, Any]:
        candidates = self.messages[::-1]
        if message is not None:
            mid = message if isinstance(message, int) else message.message_id
            candidates = [m for m in candidates if m.message_id == mid]
        for candidate in candidates:
            for b in candidate.buttons:
                if button in (b.get("text"), b.get("callback_data")):
                    return await self._callback(user_id, candidate, b)
        available = "; ".join(
            f"#{m.message_id}: {m.button_texts}" for m in candidates if m.buttons
        )
        raise AssertionError(
            f"no inline button {button!r} in chat {self.chat_id}; "
            f"buttons available: {available or 'none'}"
        )

    async def _callback(
        self, user_id: int, message: BotMessage, button: dict[str, Any]
    ) -> dict[str, Any]:
        if "callback_data" not in button:
            raise AssertionError(
                f"button {button.get('text')!r} sends no callback to the bot: {button}"
            )
        query = {
            "id": self.emu.state.new_query_id(),
            "from": copy.deepcopy(self.emu.state.users[user_id]),
            "message": copy.deepcopy(message.data),
            "chat_instance": self._chat.chat_instance,
            "data": button["callback_data"],
        }
        self.emu.state.callback_queries[query["id"]] = query
        await self.emu.state.push_update("callback_query", copy.deepcopy(query))
        return copy.deepcopy(query)


class UserHandle(ChatView):
    """A Telegram user, acting in their private chat with the bot (or in a group)."""

    def __init__(self, emu: Emulator, user_id: int) -> None:
        super().__init__(emu, user_id)
        self.id = user_id

    @property
    def user(self) -> dict[str, Any]:
        return self.emu.state.users[self.id]

    def menu(self) -> list[str]:
        """The commands this user's Telegram shows in the menu of their chat with the bot."""
        return self.emu.state.menu_for(self.id, self.user.get("language_code"))

    def _in(self, chat_id: int | None) -> ChatView:
        if chat_id is None or chat_id == self.id:
            return self
        return self.emu._groups[chat_id]

    async def send(
        self, text: str, *, chat_id: int | None = None, reply_to: BotMessage | int | None = None
    ) -> dict[str, Any]:
        """Send text; a leading /command gets its bot_command entity. Returns the Message."""
        return await self._in(chat_id)._send_text(self.id, text, reply_to)

    async def edit(self, message: dict[str, Any] | int, text: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """Edit a text message this user sent (the Message `send` returned, or its id)."""
        mid = message if isinstance(message, int) else int(message["message_id"])
        return await self._in(chat_id)._edit_text(self.id, mid, text)

    async def ask(self, text: str, timeout: float = 5.0) -> BotMessage:
        """Send text and wait for the bot's next message or edit after it."""
        self.skip_pending()
        await self.send(text)
        return await self.wait_for(timeout=timeout)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document."""
        return await self._in(chat_id)._send_document(self.id, data, file_name, mime_type, caption)

    async def send_photo(
        self, data: bytes, caption: str | None = None, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """Send a picture; the bot gets a `photo` array of sizes."""
        return await self._in(chat_id)._send_photo(self.id, data, caption)

    async def press(
        self, button: str, message: BotMessage | int | None = None, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """Press an inline button (by text or callback_data) on the latest bot message having it."""
        return await self._in(chat_id)._press(self.id, button, message)

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """The bot's answerCallbackQuery calls for this user's presses."""
        return list(self.emu.state.callback_answers.get(self.id, []))

    def block(self) -> None:
        """Block the bot: its sends to this user answer 403 until the user writes again."""
        self.emu.faults.block(self.id)

    def unblock(self) -> None:
        self.emu.faults.unblock(self.id)


class GroupHandle(ChatView):
    """A group chat the bot is in."""

    async def send(
        self, user: UserHandle | int, text: str, reply_to: BotMessage | int | None = None
    ) -> dict[str, Any]:
        return await self._send_text(_uid(user), text, reply_to)

    async def press(
        self, user: UserHandle | int, button: str, message: BotMessage | int | None = None
    ) -> dict[str, Any]:
        return await self._press(_uid(user), button, message)

    def add_member(self, user: UserHandle | int) -> None:
        self._chat.members.add(_uid(user))


def _uid(user: UserHandle | int) -> int:
    return user if isinstance(user, int) else user.id


def message_json(message: BotMessage) -> dict[str, Any]:
    """A bot message for the HTTP control API."""
    return {
        "message_id": message.message_id,
        "text": message.text,
        "parse_mode": message.parse_mode,
        "source": message.source,
        "edited": message.edited,
        "deleted": message.deleted,
        "buttons": message.button_texts,
        "keyboard": message.keyboard,
        "data": message.data,
    }

