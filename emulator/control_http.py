"""HTTP routes under /control/: the Python control API as JSON for other processes."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.control import message_json

if TYPE_CHECKING:
    from emulator.server import Emulator


def add_control_routes(app: web.Application, emu: Emulator) -> None:
    """Mount the control API on the emulator's app."""
    app.router.add_routes(routes(emu))


def routes(emu: Emulator) -> list[web.RouteDef]:
    """All /control routes bound to `emu`."""

    async def body(request: web.Request) -> dict[str, Any]:
        if not request.body_exists:
            return {}
        data = await request.json()
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="a JSON object is expected")
        return data

    def user_of(request: web.Request) -> Any:
        user_id = int(request.match_info["user_id"])
        if user_id not in emu.state.users:
            raise web.HTTPNotFound(text=f"no user {user_id}; POST /control/users first")
        return emu.user(user_id)

    async def add_user(request: web.Request) -> web.Response:
        """One user ({"user_id": …}), or many ({"user_ids": […]}); "started": true as if each had
        started the bot already (the bot may write to them first)."""
        b = await body(request)
        ids = [int(i) for i in b["user_ids"]] if "user_ids" in b else [int(b["user_id"])]
        for user_id in ids:
            handle = emu.user(user_id, b.get("first_name", "Test"), b.get("username"), b.get("language_code"))
            if b.get("started"):
                emu.state.chats[user_id].started = True
        return web.json_response(handle.user if "user_id" in b else {"users": len(ids)})

    async def add_group(request: web.Request) -> web.Response:
        b = await body(request)
        emu.group(int(b["chat_id"]), b.get("title", "Group"), tuple(b.get("members", [])))
        return web.json_response(emu.state.chats[int(b["chat_id"])].chat)

    async def send(request: web.Request) -> web.Response:
        b = await body(request)
        message = await user_of(request).send(
            b["text"], chat_id=b.get("chat_id"), reply_to=b.get("reply_to")
        )
        return web.json_response(message)

    async def send_document(request: web.Request) -> web.Response:
        b = await body(request)
        message = await user_of(request).send_document(
            base64.b64decode(b["data_base64"]),
            b.get("file_name", "document.pdf"),
            b.get("mime_type", "application/pdf"),
            b.get("caption"),
            chat_id=b.get("chat_id"),
        )
        return web.json_response(message)

    async def send_photo(request: web.Request) -> web.Response:
        b = await body(request)
        message = await user_of(request).send_photo(
            base64.b64decode(b["data_base64"]), b.get("caption"), chat_id=b.get("chat_id")
        )
        return web.json_response(message)

    async def press(request: web.Request) -> web.Response:
        b = await body(request)
        try:
            query = await user_of(request).press(
                b["button"], b.get("message_id"), chat_id=b.get("chat_id")
            )
        except AssertionError as exc:
            raise web.HTTPNotFound(text=str(exc)) from None
        return web.json_response(query)

    async def callback_answers(request: web.Request) -> web.Response:
        return web.json_response(user_of(request).callback_answers)

    async def chat_messages(request: web.Request) -> web.Response:
        chat = emu.state.chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            raise web.HTTPNotFound(text="no such chat")
        history = sorted(chat.bot_messages.values(), key=lambda m: m.message_id)
        return web.json_response([message_json(m) for m in history])

    async def chat_events(request: web.Request) -> web.Response:
        """Messages and edits after index `after`, waiting up to `timeout` s for one."""
        chat = emu.state.chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            raise web.HTTPNotFound(text="no such chat")
        after = int(request.query.get("after", "0"))
        timeout = float(request.query.get("timeout", "0"))
        async with chat.changed:
            if len(chat.events) <= after and timeout > 0:
                try:
                    await asyncio.wait_for(
                        chat.changed.wait_for(lambda: len(chat.events) > after), timeout
                    )
                except TimeoutError:
                    pass
        events = [message_json(m) for m in chat.events[after:]]
        return web.json_response({"events": events, "next": after + len(events)})

    async def faults(request: web.Request) -> web.Response:
        b = await body(request)
        action = b.pop("action")
        actions: dict[str, Callable[..., Any]] = {
            "fail_next": emu.faults.fail_next,
            "drop_next": emu.faults.drop_next,
            "block": emu.faults.block,
            "unblock": emu.faults.unblock,
            "delay": emu.faults.delay,
            "clear": emu.faults.clear,
        }
        if action not in actions:
            raise web.HTTPBadRequest(text=f"unknown action {action!r}; one of {sorted(actions)}")
        actions[action](**b)
        return web.json_response({"ok": True})

    async def flood(request: web.Request) -> web.Response:
        b = await body(request)
        if b.pop("enable", True):
            emu.flood.enable(**b)
        else:
            emu.flood.disable()
        return web.json_response({"enabled": emu.flood.enabled, "rejections": emu.flood.rejections})

    async def sent(request: web.Request) -> web.Response:
        calls = emu.calls(request.query.get("method"))
        return web.json_response(
            [
                {
                    "method": c.method,
                    "params": c.params,
                    "at": c.at.isoformat(),
                    "status": c.status,
                    "outcome": c.outcome,
                }
                for c in calls
            ],
            dumps=_dumps,
        )

    async def violations(request: web.Request) -> web.Response:
        return web.json_response(emu.violations, dumps=_dumps)

    return [
        web.post("/control/users", add_user),
        web.post("/control/groups", add_group),
        web.post("/control/users/{user_id}/send", send),
        web.post("/control/users/{user_id}/send_document", send_document),
        web.post("/control/users/{user_id}/send_photo", send_photo),
        web.post("/control/users/{user_id}/press", press),
        web.get("/control/users/{user_id}/callback_answers", callback_answers),
        web.get("/control/chats/{chat_id}/messages", chat_messages),
        web.get("/control/chats/{chat_id}/events", chat_events),
        web.post("/control/faults", faults),
        web.post("/control/flood", flood),
        web.get("/control/sent", sent),
        web.get("/control/violations", violations),
    ]


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)
