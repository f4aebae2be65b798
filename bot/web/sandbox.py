"""`liaison-bot demo --web`: the sandbox in a browser.

The real bot runs against the built-in emulator (`bot.sandbox.Sandbox`); this serves one page on
127.0.0.1 with a chat pane per persona: two liaisons, 平岗所's unit head (单位负责人, role head)
and the coordinator. `prepare` makes the sandbox's typical cases need the head's sign-off (as
seed 001's do: "经单位负责人审核后") and appoints the head, so a case 张伟 files waits
(待审核) in the head's pane for approve / return. Messages are rendered as text
(never as HTML) by a few lines of inline script that poll `/api/chats`; inline buttons can be
pressed, files uploaded (pictures go as photos) and downloaded, pictures are shown. The clock
control jumps the sandbox clock to the next configured reminder moment and sends what is due;
a link opens the dashboard as the coordinator (the dashboard runs on the next port).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.clock import FixedClock
from bot.config import Config, TemplateKind
from bot.context import SERVICES_KEY
from bot.models import Role
from bot.sandbox import DEMO_BOT, PERSONAS, Persona, Sandbox
from bot.services.dashboard import login
from bot.services.people.access import roles_of
from bot.services.reminders import plan as reminder_plan
from bot.services.reminders import timer
from bot.texts.catalog import t
from bot.web.html import e
from bot.web.sandbox_page import page

HEAD = Persona("head", 3101, "王建国", "单位负责人 (unit head) of 平岗市场监管所: signs off its typical cases")
HEAD_UNIT = "pgs"
PANES = ("liaison", "liaison2", "head", "coordinator")
SANDBOX: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)
MAX_UPLOAD = 20 * 1024 * 1024


def _personas() -> dict[str, Persona]:
    every = {p.key: p for p in (*PERSONAS, HEAD)}
    return {key: every[key] for key in PANES}


def with_signoff(config: Config) -> Config:
    """The sandbox's campaign with its typical cases counting only once the unit head approves them."""
    changed = [r.model_copy(update={"signoff": True}) if r.template == TemplateKind.CASE else r for r in config.report_types]
    return config.model_copy(update={"report_types": changed})


async def prepare(sandbox: Sandbox) -> None:
    """After the sandbox has started: 王建国 is 平岗所's head, as an invite for the role head would make
    him, and has opened his chat with the bot (a bot cannot write first)."""
    services = sandbox.app.bot_data[SERVICES_KEY]
    await services.writes(sandbox.appoint, HEAD, Role.head, HEAD_UNIT, title="所长")  # (off the loop, as every write)
    await sandbox.user(HEAD).send("/start")
    await sandbox.replies(first_timeout=3.0, quiet=0.3)


def _file_of(content: dict[str, Any] | None, photos: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if photos:
        return {"file_id": photos[-1]["file_id"], "name": "photo.jpg", "photo": True}
    if content:
        return {"file_id": content.get("file_id"), "name": content.get("file_name") or "file", "photo": str(content.get("mime_type", "")).startswith("image/")}
    return None


def chat_json(sandbox: Sandbox, persona: Persona) -> list[dict[str, Any]]:
    """A persona's private chat, oldest first: what they sent and what the bot sent (as it looks now)."""
    chat = sandbox.emulator.state.chats.get(persona.user_id)
    if chat is None:
        return []
    out: list[dict[str, Any]] = []
    for mid, data in chat.user_messages.items():
        out.append({"id": mid, "from": "user", "text": data.get("text") or data.get("caption") or "",
                    "file": _file_of(data.get("document"), data.get("photo")), "buttons": []})
    for m in chat.bot_messages.values():
        if m.deleted:
            continue
        buttons = [[{"text": b.get("text", ""), "url": b.get("url"), "press": "callback_data" in b} for b in row]
                   for row in (m.reply_markup or {}).get("inline_keyboard", [])]
        out.append({"id": m.message_id, "from": "bot", "text": m.text, "edited": m.edited,
                    "file": _file_of(m.document, m.photo), "buttons": buttons})
    return sorted(out, key=lambda x: x["id"])


def _now(sandbox: Sandbox) -> str:
    return f"{sandbox.clock.now().astimezone(sandbox.config.campaign.tz):%Y-%m-%d %H:%M}"


async def index(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    language = "en" if request.query.get("lang") == "en" else "zh-CN"
    personas = [(p.key, p.first_name, p.description) for p in _personas().values()]
    return web.Response(text=page(language, personas, _now(sandbox)), content_type="text/html", charset="utf-8")


async def chats(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    return web.json_response({"now": _now(sandbox), "chats": {k: chat_json(sandbox, p) for k, p in _personas().items()}})


def _persona(request: web.Request, key: Any) -> Persona:
    found = _personas().get(str(key))
    if found is None:
        raise web.HTTPBadRequest(text="unknown persona")
    return found


async def send(request: web.Request) -> web.Response:
    """A persona types a message; an invite link is opened as Telegram would (/start with its token)."""
    sandbox = request.app[SANDBOX]
    body = await request.json()
    persona = _persona(request, body.get("persona"))
    text = str(body.get("text", "")).strip()[:4096]
    if not text:
        raise web.HTTPBadRequest(text="empty message")
    link = re.match(rf"^https://t\.me/{DEMO_BOT}\?start=([A-Za-z0-9_-]+)$", text)
    await sandbox.user(persona).send(f"/start {link.group(1)}" if link else text)
    return web.json_response({"ok": True})


async def press(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    body = await request.json()
    persona = _persona(request, body.get("persona"))
    try:
        await sandbox.user(persona).press(str(body.get("button", "")), int(body.get("message_id", 0)) or None)
    except AssertionError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    return web.json_response({"ok": True})


async def upload(request: web.Request) -> web.Response:
    """A file from the browser: a picture goes as a photo, anything else as a document."""
    sandbox = request.app[SANDBOX]
    form = await request.post()
    persona = _persona(request, form.get("persona"))
    field = form.get("file")
    if not isinstance(field, web.FileField):
        raise web.HTTPBadRequest(text="no file")
    data = field.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_UPLOAD, actual_size=len(data))
    mime = field.content_type or "application/octet-stream"
    user = sandbox.user(persona)
    if mime in ("image/jpeg", "image/png"):
        await user.send_photo(data)
    else:
        await user.send_document(data, file_name=field.filename or "file", mime_type=mime)
    return web.json_response({"ok": True})


async def file(request: web.Request) -> web.Response:
    sandbox = request.app[SANDBOX]
    try:
        stored = sandbox.emulator.state.get_file(request.match_info["file_id"])
    except Exception:
        raise web.HTTPNotFound(text="no such file") from None
    inline = request.query.get("inline") == "1" and (stored.mime_type or "").startswith("image/")
    disposition = "inline" if inline else f"attachment; filename*=UTF-8''{quote(stored.file_name or 'file')}"
    return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream",
                        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"})


def next_reminder(sandbox: Sandbox) -> datetime | None:
    """The next configured reminder moment after the sandbox clock."""
    services = sandbox.app.bot_data["services"]
    now = sandbox.clock.now()
    return next((m.at for m in reminder_plan.plan(services) if m.at > now), None)


async def clock_next(request: web.Request) -> web.Response:
    """Jump the clock to the next reminder moment and send what is due then."""
    sandbox = request.app[SANDBOX]
    language = "en" if request.query.get("lang") == "en" else "zh-CN"
    at = next_reminder(sandbox)
    if at is None or not isinstance(sandbox.clock, FixedClock):
        return web.json_response({"now": _now(sandbox), "said": t(language, "web.sandbox.no-reminder")})
    sandbox.clock.set(at)
    await timer.process_due_moments(sandbox.app.bot_data["services"], sandbox.app.bot, now=at)
    return web.json_response({"now": _now(sandbox), "said": t(language, "web.sandbox.jumped", now=_now(sandbox))})


async def dashboard(request: web.Request) -> web.StreamResponse:
    """Open the dashboard as the coordinator: a fresh login link, as /web would give."""
    sandbox = request.app[SANDBOX]
    services = sandbox.app.bot_data["services"]
    coordinator = _personas()["coordinator"]
    link = login.issue_link(services, roles_of(services, coordinator.user_id), language="zh-CN", now=sandbox.clock.now())
    if link is None:  # the coordinator has not written to the bot yet, so has no person row
        await sandbox.user(coordinator).send("/start")
        await sandbox.replies(first_timeout=3.0, quiet=0.3)
        link = login.issue_link(services, roles_of(services, coordinator.user_id), language="zh-CN", now=sandbox.clock.now())
    if link is None:
        raise web.HTTPServiceUnavailable(text=e("the dashboard is not running"))
    raise web.HTTPFound(link)


def make_app(sandbox: Sandbox) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD + 64 * 1024)
    app[SANDBOX] = sandbox
    app.router.add_get("/", index)
    app.router.add_get("/api/chats", chats)
    app.router.add_post("/api/send", send)
    app.router.add_post("/api/press", press)
    app.router.add_post("/api/upload", upload)
    app.router.add_get("/api/file/{file_id}", file)
    app.router.add_post("/api/clock/next", clock_next)
    app.router.add_get("/dashboard", dashboard)
    return app


async def serve(sandbox: Sandbox, *, host: str, port: int) -> web.AppRunner:
    """Start serving the sandbox page (the bot must be running)."""
    runner = web.AppRunner(make_app(sandbox), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


__all__ = ["HEAD", "PANES", "chat_json", "make_app", "next_reminder", "prepare", "serve", "with_signoff"]


async def run_web(config: Any, *, host: str = "127.0.0.1", port: int = 8700) -> int:
    """Start the bot, the emulator, the dashboard (port + 1) and the sandbox page; serve until interrupted."""
    import asyncio

    from bot.config import WebSettings
    from bot.sandbox import DEMO_START

    config = with_signoff(config.model_copy(update={"web": WebSettings(listen=host, port=port + 1)}))
    sandbox = Sandbox(config=config, clock=FixedClock(DEMO_START))
    await sandbox.start()
    await prepare(sandbox)
    runner = await serve(sandbox, host=host, port=port)
    print(f"liaison-bot sandbox: open http://{host}:{port}/ (dashboard on http://{host}:{port + 1}/); Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        from bot.web import server

        await server.stop(sandbox.app)
        await sandbox.stop()
    return 0
