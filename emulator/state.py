"""What the emulated Telegram knows: users, chats, messages, pending updates and files."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from emulator.errors import bad_request, forbidden

# Update types delivered when allowed_updates is empty or never given.
DEFAULT_EXCLUDED_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}


class BotMessage:
    """A message the bot sent, as the user sees it now (after edits)."""

    def __init__(self, data: dict[str, Any], parse_mode: str | None, source: str | None) -> None:
        self.data = data  # the Telegram Message object
        self.parse_mode = parse_mode
        self.source = source  # the text or caption exactly as the bot sent it
        self.deleted = False
        # A reply keyboard, keyboard removal or force-reply sent with this message.
        self.keyboard: dict[str, Any] | None = None

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.data["chat"]["id"])

    @property
    def text(self) -> str:
        """The visible text: the message text, or the caption of a file, or ""."""
        return str(self.data.get("text") or self.data.get("caption") or "")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The inline keyboard attached to the message (reply keyboards are per chat)."""
        return self.data.get("reply_markup")

    @property
    def document(self) -> dict[str, Any] | None:
        return self.data.get("document")

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.data.get("photo")

    @property
    def edited(self) -> bool:
        return "edit_date" in self.data

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b for row in rows for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [str(b.get("text", "")) for b in self.buttons]

    def snapshot(self) -> BotMessage:
        """A frozen copy, as it was at this moment."""
        copied = BotMessage(copy.deepcopy(self.data), self.parse_mode, self.source)
        copied.deleted = self.deleted
        copied.keyboard = self.keyboard
        return copied

    def __repr__(self) -> str:
        flag = " edited" if self.edited else ""
        return f"<BotMessage #{self.message_id}{flag} {self.text[:60]!r} buttons={self.button_texts}>"


@dataclass
class ChatState:
    """One chat: private (id == user id) or a group (negative id)."""

    chat: dict[str, Any]
    members: set[int] = field(default_factory=set)
    started: bool = False  # private chats: the user has written to the bot
    next_message_id: int = 1
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[BotMessage] = field(default_factory=list)  # new messages and edits, in order
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    actions: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def chat_instance(self) -> str:
        return str(abs(hash(("chat_instance", self.id))) % 10**18)

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    async def record(self, message: BotMessage) -> None:
        """Log a new message or an edit and wake whoever waits on this chat."""
        self.events.append(message.snapshot())
        async with self.changed:
            self.changed.notify_all()


@dataclass
class StoredFile:
    """A file uploaded by the bot or by a user."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str


class State:
    """All emulated Telegram state for one bot."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.updates: list[dict[str, Any]] = []
        self.updates_changed = asyncio.Condition()
        self.allowed_updates: list[str] = []
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self.callback_answers: dict[int, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._update_ids = itertools.count(100_000_001)
        self._file_seq = itertools.count(1)
        self._query_seq = itertools.count(1)

    def menu_for(self, chat_id: int, language_code: str | None) -> list[str]:
        """The commands Telegram shows in a private chat: the most specific scope set wins.

        Telegram's order: this chat with the user's language, this chat, all private chats with
        the language, all private chats, default with the language, default."""
        language = (language_code or "").split("-")[0]
        chat = json.dumps({"chat_id": chat_id, "type": "chat"}, sort_keys=True)
        private = json.dumps({"type": "all_private_chats"}, sort_keys=True)
        default = json.dumps({"type": "default"}, sort_keys=True)
        for scope in (chat, private, default):
            for code in ((language, "") if language else ("",)):
                commands = self.commands.get((scope, code))
                if commands:
                    return [c["command"] for c in commands]
        return []

    def now(self) -> int:
        """The current Unix time for message `date` fields."""
        return int(self.clock().timestamp())

    # --- users and chats -------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str, username: str | None, language_code: str | None
    ) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            chat["username"] = username
        if user_id in self.chats:
            self.chats[user_id].chat = chat
        else:
            self.chats[user_id] = ChatState(chat=chat, members={user_id})
        return user

    def add_group(self, chat_id: int, title: str, username: str | None = None) -> ChatState:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if username:
            chat["username"] = username
        if chat_id not in self.chats:
            self.chats[chat_id] = ChatState(chat=chat)
        else:
            self.chats[chat_id].chat = chat
        return self.chats[chat_id]

    def chat_for_bot(self, chat_id: Any) -> ChatState:
        """The chat a bot call addresses, or the error Telegram gives."""
        state = self.find_chat(chat_id)
        if state is None:
            raise bad_request("chat not found")
        if state.chat["type"] == "private" and not state.started:
            raise forbidden("bot can't initiate conversation with a user")
        return state

    def find_chat(self, chat_id: Any) -> ChatState | None:
        if isinstance(chat_id, str):
            if chat_id.startswith("@"):
                name = chat_id[1:].lower()
                for state in self.chats.values():
                    if str(state.chat.get("username", "")).lower() == name:
                        return state
                return None
            try:
                chat_id = int(chat_id)
            except ValueError:
                return None
        return self.chats.get(chat_id)

    def bot_message(self, chat: ChatState, message_id: int, verb: str) -> BotMessage:
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(f"message to {verb} not found")
        return message

    # --- updates ---------------------------------------------------------------------

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        async with self.updates_changed:
            self.updates_changed.notify_all()
        return update

    def confirm(self, offset: int) -> None:
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = set(self.allowed_updates)
        picked = []
        for update in self.updates:
            kind = next(k for k in update if k != "update_id")
            if (kind in allowed) if allowed else (kind not in DEFAULT_EXCLUDED_UPDATES):
                picked.append(update)
            if len(picked) >= limit:
                break
        return picked

    def new_query_id(self) -> str:
        return f"{next(self._query_seq)}{abs(hash('q')) % 10**9}"

    # --- files -----------------------------------------------------------------------

    def store_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        seq = next(self._file_seq)
        digest = hashlib.sha256(data).hexdigest()
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"BQACAgEmu{seq:06d}{digest[:24]}",
            file_unique_id=f"AgAD{digest[:12]}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{seq}{suffix}",
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def get_file(self, file_id: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return stored

