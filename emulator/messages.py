"""Bot methods that send, edit, copy and delete messages."""

from __future__ import annotations

import copy
import re
import struct
from typing import TYPE_CHECKING, Any

from emulator.errors import bad_request, forbidden
from emulator.html import EntityParseError, parse_html, strip_text, utf16_len
from emulator.spec import UploadedFile
from emulator.state import BotMessage, ChatState, StoredFile

if TYPE_CHECKING:
    from emulator.server import Emulator

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
INLINE_KEYBOARD_LIMIT = 100  # buttons in one inline keyboard; more: 400 "reply markup is too long"
_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_URL_RE = re.compile(r"^(https?|tg)://\S+$")


def target_chat(emu: Emulator, p: dict[str, Any], method: str) -> ChatState:
    """The chat a send or edit goes to, after block and flood checks."""
    chat = emu.state.chat_for_bot(p.get("chat_id"))
    if chat.id in emu.faults.blocked:
        if chat.id < 0:
            raise forbidden("bot was kicked from the group chat")
        raise forbidden("bot was blocked by the user")
    emu.flood.check(method, chat.id)
    return chat


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode and Telegram's length rules; return (visible text, entities)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(text)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}", violation=True) from None
    elif mode not in ("", "markdown", "markdownv2"):
        raise bad_request(f"unsupported parse_mode {parse_mode}", violation=True)
    text, entities = strip_text(text, list(entities or []))
    limit = CAPTION_LIMIT if caption else TEXT_LIMIT
    if utf16_len(text) > limit:
        what = "message caption is too long" if caption else "message is too long"
        raise bad_request(what, violation=True)
    if not text and not caption:
        raise bad_request("message text is empty", violation=True)
    return text, entities


def check_markup(markup: dict[str, Any] | None) -> None:
    """Telegram's checks on an inline keyboard's buttons (at most 100 of them)."""
    if not markup or "inline_keyboard" not in markup:
        return
    if sum(len(row) for row in markup["inline_keyboard"]) > INLINE_KEYBOARD_LIMIT:
        raise bad_request("reply markup is too long", violation=True)
    for row in markup["inline_keyboard"]:
        for button in row:
            actions = [k for k in _BUTTON_ACTIONS if k in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard",
                    violation=True,
                )
            if not str(button.get("text", "")).strip():
                raise bad_request("BUTTON_TEXT_EMPTY", violation=True)
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode("utf-8"))
                if not 1 <= size <= 64:
                    raise bad_request("BUTTON_DATA_INVALID", violation=True)
            if "url" in button and not _URL_RE.match(str(button["url"])):
                raise bad_request("BUTTON_URL_INVALID", violation=True)


def _reply_to(chat: ChatState, p: dict[str, Any]) -> dict[str, Any]:
    params = p.get("reply_parameters")
    if not params:
        return {}
    mid = params["message_id"]
    replied = chat.user_messages.get(mid)
    if replied is None and mid in chat.bot_messages and not chat.bot_messages[mid].deleted:
        replied = chat.bot_messages[mid].data
    if replied is None:
        if params.get("allow_sending_without_reply"):
            return {}
        raise bad_request("message to be replied not found")
    return {"reply_to_message": copy.deepcopy(replied)}


async def deliver(
    emu: Emulator,
    chat: ChatState,
    method: str,
    p: dict[str, Any],
    content: dict[str, Any],
    source: str | None,
) -> dict[str, Any]:
    """Create a bot message in `chat`, apply its keyboard, and return its Message object."""
    markup = p.get("reply_markup")
    check_markup(markup)
    inline = markup if markup and "inline_keyboard" in markup else None
    data: dict[str, Any] = {
        "message_id": chat.take_message_id(),
        "from": emu.bot_user,
        "chat": copy.deepcopy(chat.chat),
        "date": emu.state.now(),
        **_reply_to(chat, p),
        **content,
    }
    if inline:
        data["reply_markup"] = inline
    message = BotMessage(data, p.get("parse_mode"), source)
    message.keyboard = None if inline else markup
    if markup and "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup and markup.get("remove_keyboard"):
        chat.reply_keyboard = None
    chat.bot_messages[message.message_id] = message
    emu.flood.accepted(method, chat.id)
    await chat.record(message)
    return copy.deepcopy(data)


def with_mentioned_users(emu: Emulator, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telegram gives a text_mention the whole User it names; a mention of a user it does not know is dropped."""
    out: list[dict[str, Any]] = []
    for entity in entities:
        if entity.get("type") == "text_mention":
            user = emu.state.users.get(int(entity.get("user", {}).get("id", 0)))
            if user is None:
                continue
            entity = {**entity, "user": copy.deepcopy(user)}
        out.append(entity)
    return out


async def send_message(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = target_chat(emu, p, "sendMessage")
    text, entities = format_text(p["text"], p.get("parse_mode"), p.get("entities"), caption=False)
    entities = with_mentioned_users(emu, entities or [])
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return await deliver(emu, chat, "sendMessage", p, content, p["text"])


def _caption(p: dict[str, Any]) -> dict[str, Any]:
    if not p.get("caption"):
        return {}
    text, entities = format_text(
        p["caption"], p.get("parse_mode"), p.get("caption_entities"), caption=True
    )
    out: dict[str, Any] = {"caption": text} if text else {}
    if entities:
        out["caption_entities"] = entities
    return out


def _input_file(emu: Emulator, value: Any, folder: str, default_name: str) -> StoredFile:
    if isinstance(value, UploadedFile):
        name = value.file_name or default_name
        return emu.state.store_file(value.data, name, value.mime_type, folder)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # the emulator is offline
    stored = emu.state.files.get(str(value))
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def document_object(stored: StoredFile) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        doc["file_name"] = stored.file_name
    if stored.mime_type:
        doc["mime_type"] = stored.mime_type
    return doc


def photo_sizes(stored: StoredFile) -> list[dict[str, Any]]:
    width, height = image_size(stored.data) or (1280, 960)
    base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    scale = min(1.0, 90 / max(width, height, 1))
    thumb = {
        **base,
        "file_id": stored.file_id + "_s",
        "file_unique_id": stored.file_unique_id + "s",
        "width": max(1, round(width * scale)),
        "height": max(1, round(height * scale)),
        "file_size": min(len(stored.data), 2048),
    }
    emu_full = {**base, "width": width, "height": height, "file_size": len(stored.data)}
    return [thumb, emu_full]


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG; None if it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return int(w), int(h)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return int(w), int(h)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            size = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(w), int(h)
            i += 2 + size
        return (1280, 960)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return (512, 512)
    return None


async def send_document(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = target_chat(emu, p, "sendDocument")
    stored = _input_file(emu, p["document"], "documents", "document")
    content = {"document": document_object(stored), **_caption(p)}
    return await deliver(emu, chat, "sendDocument", p, content, p.get("caption"))


async def send_photo(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = target_chat(emu, p, "sendPhoto")
    stored = _input_file(emu, p["photo"], "photos", "photo.jpg")
    if isinstance(p["photo"], UploadedFile) and image_size(stored.data) is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    content = {"photo": photo_sizes(stored), **_caption(p)}
    return await deliver(emu, chat, "sendPhoto", p, content, p.get("caption"))


def _edit_target(emu: Emulator, p: dict[str, Any], method: str) -> tuple[ChatState, BotMessage]:
    if "inline_message_id" in p:
        raise bad_request("MESSAGE_ID_INVALID")
    if "chat_id" not in p or "message_id" not in p:
        raise bad_request("message identifier is not specified", violation=True)
    chat = target_chat(emu, p, method)
    if p["message_id"] in chat.user_messages:
        raise bad_request("message can't be edited")
    return chat, emu.state.bot_message(chat, p["message_id"], "edit")


_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


async def _apply_edit(
    emu: Emulator, chat: ChatState, message: BotMessage, new: dict[str, Any]
) -> Any:
    """Apply `new` (a None value removes the key); refuse an edit that changes nothing."""
    merged = copy.deepcopy(message.data)
    for key, value in new.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    before = {k: v for k, v in message.data.items() if k != "edit_date"}
    if {k: v for k, v in merged.items() if k != "edit_date"} == before:
        raise bad_request(_NOT_MODIFIED)
    merged["edit_date"] = emu.state.now()
    message.data = merged
    await chat.record(message)
    return copy.deepcopy(merged)


def _inline_markup(p: dict[str, Any]) -> dict[str, Any] | None:
    markup = p.get("reply_markup")
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected", violation=True)
    check_markup(markup)
    return markup


async def edit_message_text(emu: Emulator, p: dict[str, Any]) -> Any:
    chat, message = _edit_target(emu, p, "editMessageText")
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    if p.get("text") is None:  # optional in the spec only beside rich_message, which the emulator does not model
        raise bad_request("message text is empty", violation=True)
    text, entities = format_text(p["text"], p.get("parse_mode"), p.get("entities"), caption=False)
    entities = with_mentioned_users(emu, entities or [])
    # Omitting reply_markup removes the inline keyboard, as on Telegram.
    new = {"text": text, "entities": entities or None, "reply_markup": _inline_markup(p)}
    before = message.parse_mode, message.source
    message.parse_mode, message.source = p.get("parse_mode"), p["text"]  # the recorded snapshot shows the new source
    try:
        return await _apply_edit(emu, chat, message, new)
    except Exception:
        message.parse_mode, message.source = before
        raise


async def edit_message_caption(emu: Emulator, p: dict[str, Any]) -> Any:
    chat, message = _edit_target(emu, p, "editMessageCaption")
    caption = _caption(p)
    new = {
        "caption": caption.get("caption"),
        "caption_entities": caption.get("caption_entities"),
        "reply_markup": _inline_markup(p),
    }
    return await _apply_edit(emu, chat, message, new)


async def edit_message_reply_markup(emu: Emulator, p: dict[str, Any]) -> Any:
    chat, message = _edit_target(emu, p, "editMessageReplyMarkup")
    return await _apply_edit(emu, chat, message, {"reply_markup": _inline_markup(p)})


async def delete_message(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = emu.state.chat_for_bot(p["chat_id"])
    if p["message_id"] in chat.user_messages:
        chat.user_messages.pop(p["message_id"])
        return True
    message = emu.state.bot_message(chat, p["message_id"], "delete")
    message.deleted = True
    return True


def _source_message(emu: Emulator, p: dict[str, Any]) -> dict[str, Any]:
    source_chat = emu.state.find_chat(p["from_chat_id"])
    if source_chat is None:
        raise bad_request("chat not found")
    mid = p["message_id"]
    data = source_chat.user_messages.get(mid)
    if data is None and mid in source_chat.bot_messages:
        if not source_chat.bot_messages[mid].deleted:
            data = source_chat.bot_messages[mid].data
    if data is None:
        raise bad_request("message to copy not found")
    return data


_CONTENT_KEYS = ("text", "entities", "document", "photo", "caption", "caption_entities")


async def copy_message(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = target_chat(emu, p, "copyMessage")
    source = _source_message(emu, p)
    content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
    if "caption" in p:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(_caption(p))
    sent = await deliver(emu, chat, "copyMessage", p, content, content.get("text"))
    return {"message_id": sent["message_id"]}


async def forward_message(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = target_chat(emu, p, "forwardMessage")
    source = _source_message(emu, p)
    content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
    sender = source.get("from", {})
    content["forward_origin"] = {"type": "user", "date": source["date"], "sender_user": sender}
    return await deliver(emu, chat, "forwardMessage", {}, content, content.get("text"))
