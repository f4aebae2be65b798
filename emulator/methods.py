"""The emulated Bot API methods, by name; the message methods live in `messages`."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from emulator import messages, webhook
from emulator.errors import ApiError, bad_request

if TYPE_CHECKING:
    from emulator.server import Emulator

Handler = Callable[["Emulator", dict[str, Any]], Awaitable[Any]]
DOWNLOAD_LIMIT = 20 * 1024 * 1024
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
}  # fmt: skip
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


async def get_me(emu: Emulator, p: dict[str, Any]) -> Any:
    return {
        **emu.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def ok(emu: Emulator, p: dict[str, Any]) -> Any:
    return True


async def get_updates(emu: Emulator, p: dict[str, Any]) -> Any:
    state = emu.state
    if state.webhook.get("url"):
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    if p.get("offset"):
        state.confirm(p["offset"])
    if "allowed_updates" in p:
        state.allowed_updates = list(p["allowed_updates"])
    limit = min(max(int(p.get("limit") or 100), 1), 100)
    timeout = max(int(p.get("timeout") or 0), 0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    emu.poll_generation += 1
    generation = emu.poll_generation
    async with state.updates_changed:
        state.updates_changed.notify_all()  # an older long poll ends with 409
        while True:
            picked = state.deliverable(limit)
            if picked or emu.stopping:
                return picked
            if generation != emu.poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(state.updates_changed.wait(), remaining)
            except TimeoutError:
                pass


async def set_webhook(emu: Emulator, p: dict[str, Any]) -> Any:
    url = str(p["url"])
    if url:
        problem = webhook.check_webhook_url(url)
        if problem is not None:
            raise bad_request(problem)
    secret = p.get("secret_token")
    if secret:
        problem = webhook.check_secret_token(str(secret))
        if problem is not None:
            raise bad_request(problem)
    if "allowed_updates" in p:
        emu.state.allowed_updates = list(p["allowed_updates"])
    emu.state.webhook = {k: v for k, v in p.items() if k not in ("certificate", "drop_pending_updates")} if url else {}
    if p.get("drop_pending_updates"):
        emu.state.updates.clear()
    emu.webhooks.restart()
    return True


async def delete_webhook(emu: Emulator, p: dict[str, Any]) -> Any:
    emu.state.webhook = {}
    emu.webhooks.cancel()
    if p.get("drop_pending_updates"):
        emu.state.updates.clear()
    return True


async def get_webhook_info(emu: Emulator, p: dict[str, Any]) -> Any:
    hook = emu.state.webhook
    info: dict[str, Any] = {
        "url": hook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(emu.state.updates),
    }
    if hook.get("url"):
        info["max_connections"] = hook.get("max_connections", 40)
        for key in ("allowed_updates", "ip_address"):
            if key in hook:
                info[key] = hook[key]
        if emu.webhooks.last_error_date is not None:
            info["last_error_date"] = emu.webhooks.last_error_date
            info["last_error_message"] = emu.webhooks.last_error_message
    return info


async def answer_callback_query(emu: Emulator, p: dict[str, Any]) -> Any:
    query = emu.state.callback_queries.pop(p["callback_query_id"], None)
    if query is None:
        raise bad_request(
            "query is too old and response timeout expired or query ID is invalid"
        )
    answer: dict[str, Any] = {k: p[k] for k in ("text", "show_alert", "url", "cache_time") if k in p}
    answer["callback_query_id"] = p["callback_query_id"]
    answer["data"] = query.get("data")
    emu.state.callback_answers.setdefault(query["from"]["id"], []).append(answer)
    return True


async def get_file(emu: Emulator, p: dict[str, Any]) -> Any:
    file_id = str(p["file_id"])
    stored = emu.state.get_file(file_id.removesuffix("_s"))
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return {
        "file_id": file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


def _scope_key(p: dict[str, Any]) -> tuple[str, str]:
    scope = p.get("scope") or {"type": "default"}
    if isinstance(scope, str):
        scope = json.loads(scope)
    if "chat_id" in scope:
        scope = {**scope, "chat_id": int(scope["chat_id"])}
    return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")


async def set_my_commands(emu: Emulator, p: dict[str, Any]) -> Any:
    commands = p["commands"]
    if len(commands) > 100:
        raise bad_request("too many commands", violation=True)
    for command in commands:
        if not _COMMAND_RE.match(str(command["command"])):
            raise bad_request("BOT_COMMAND_INVALID", violation=True)
        if not 1 <= len(str(command["description"])) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID", violation=True)
    emu.state.commands[_scope_key(p)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(emu: Emulator, p: dict[str, Any]) -> Any:
    return list(emu.state.commands.get(_scope_key(p), []))


async def delete_my_commands(emu: Emulator, p: dict[str, Any]) -> Any:
    emu.state.commands.pop(_scope_key(p), None)
    return True


async def set_chat_menu_button(emu: Emulator, p: dict[str, Any]) -> Any:
    key = p.get("chat_id")
    if key is not None:
        emu.state.chat_for_bot(key).menu_button = p.get("menu_button")
    else:
        emu.default_menu_button = p.get("menu_button") or {"type": "commands"}
    return True


async def get_chat_menu_button(emu: Emulator, p: dict[str, Any]) -> Any:
    if p.get("chat_id") is not None:
        button = emu.state.chat_for_bot(p["chat_id"]).menu_button
        if button:
            return button
    return emu.default_menu_button


async def send_chat_action(emu: Emulator, p: dict[str, Any]) -> Any:
    if p["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request", violation=True)
    chat = messages.target_chat(emu, p, "sendChatAction")
    chat.actions.append(p["action"])
    return True


async def get_chat(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = emu.state.find_chat(p["chat_id"])
    if chat is None:
        raise bad_request("chat not found")
    info = {**chat.chat, "accent_color_id": 0, "max_reaction_count": 11}
    if chat.id > 0:
        info["accepted_gift_types"] = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
    return info


async def get_chat_member(emu: Emulator, p: dict[str, Any]) -> Any:
    chat = emu.state.find_chat(p["chat_id"])
    if chat is None:
        raise bad_request("chat not found")
    user_id = p["user_id"]
    if user_id == emu.bot_user["id"]:
        return {"status": "member", "user": emu.bot_user}
    user = emu.state.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    status = "member" if user_id in chat.members else "left"
    return {"status": status, "user": user}


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "logOut": ok,
    "close": ok,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "sendMessage": messages.send_message,
    "sendDocument": messages.send_document,
    "sendPhoto": messages.send_photo,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "copyMessage": messages.copy_message,
    "forwardMessage": messages.forward_message,
    "answerCallbackQuery": answer_callback_query,
    "getFile": get_file,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
}
