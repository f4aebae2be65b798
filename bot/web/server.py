"""The dashboard's HTTP server: an aiohttp application in the bot's own event loop.

Started by the application's post_init when `[web] port` is set, in polling and in webhook
mode alike (PTB's webhook server is tornado's, so the dashboard has its own port; behind the
TLS proxy, route the dashboard's host or path to it). Every page but the login link needs a
session cookie of a coordinator; every POST carries the session's CSRF token.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web
from telegram.ext import Application

from bot.context import SERVICES_KEY, Services
from bot.services.dashboard import downloads, filing, login, matrix, problems, unit
from bot.services.dashboard.login import Viewer
from bot.texts.catalog import t
from bot.web import pages
from bot.web.problems_page import problems_page
from bot.web.html import message_page

log = logging.getLogger(__name__)

COOKIE = "liaison_session"
RUNNER_KEY = "web-runner"
SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
BOT: web.AppKey[Any] = web.AppKey("bot", object)
FLASH: web.AppKey[dict[str, str]] = web.AppKey("flash", dict)
Handler = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]


def _language(request: web.Request) -> str:
    """For pages shown before login: English if the browser prefers it, else Chinese."""
    return "en" if request.headers.get("Accept-Language", "").lower().startswith("en") else "zh-CN"


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
                                 "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'"})


def _refuse(language: str, status: int, key: str) -> web.Response:
    return _html(message_page(language, t(language, "web.title"), t(language, key)), status)


def coordinator(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Only a live coordinator session passes (403 otherwise); a POST must carry its CSRF token."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        services = request.app[SERVICES]
        token = request.cookies.get(COOKIE)
        viewer = login.viewer(services, token, now=services.clock.now())
        if viewer is None or token is None:
            return _refuse(_language(request), 403, "web.forbidden")
        if request.method == "POST":
            form = await request.post()
            if not login.check_csrf(token, str(form.get("csrf", ""))):
                return _refuse(viewer.language, 403, "web.bad-form")
        return await handler(request, viewer)

    return wrapped


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _take_flash(request: web.Request) -> str | None:
    return request.app[FLASH].pop(request.cookies.get(COOKIE, ""), None)


async def login_form(request: web.Request) -> web.Response:
    """GET of a login link: a button to press (a link previewer fetching it does not use it up)."""
    return _html(pages.login_page(_language(request), request.match_info["token"]))


async def login_post(request: web.Request) -> web.StreamResponse:
    """The login button: use the link up, start a session, go to the matrix."""
    services = request.app[SERVICES]
    result = login.redeem(services, request.match_info["token"], now=services.clock.now())
    if result.session_token is None:
        return _refuse(_language(request), 403, f"web.login.{result.reason}")
    response = web.HTTPSeeOther("/")
    secure = services.config.web.base_url.startswith("https://")
    response.set_cookie(COOKIE, result.session_token, httponly=True, samesite="Strict", secure=secure, path="/",
                        max_age=services.config.web.session_hours * 3600)
    raise response


@coordinator
async def logout(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    services = request.app[SERVICES]
    login.logout(services, request.cookies.get(COOKIE, ""), now=services.clock.now())
    response = web.HTTPSeeOther("/")
    response.del_cookie(COOKIE, path="/")
    raise response


@coordinator
async def matrix_view(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    services = request.app[SERVICES]
    q = request.query
    level = _int(q.get("level"), -1)
    found = matrix.build(services, viewer, report_key=q.get("report"), tag=q.get("tag") or None, page=_int(q.get("page")), now=services.clock.now(),
                         level=level if level >= 0 else None)
    if found is None:
        return _refuse(viewer.language, 404, "web.matrix.no-reports")
    offered = problems.has_problems(services, viewer)
    return _html(pages.matrix_page(viewer, found, flash=_take_flash(request), problems=offered))


@coordinator
async def problems_view(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The problem list of the viewer's units, filtered by unit, status and overdue."""
    services = request.app[SERVICES]
    q = request.query
    unit_id = _int(q.get("unit"), -1)
    found = problems.build(services, viewer, unit_id=unit_id if unit_id >= 0 else None, status=q.get("status", ""),
                           overdue=q.get("overdue") == "1", now=services.clock.now())
    return _html(problems_page(viewer, found))


@coordinator
async def unit_view(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    services = request.app[SERVICES]
    found = unit.page(services, viewer, unit_id=_int(request.match_info["unit_id"], -1), now=services.clock.now())
    if found is None:
        return _refuse(viewer.language, 404, "web.not-found")
    return _html(pages.unit_page(viewer, found, services.config.campaign.tz))


@coordinator
async def filing_view(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    services = request.app[SERVICES]
    found = filing.page(services, viewer, submission_id=_int(request.match_info["submission_id"], -1))
    if found is None:
        return _refuse(viewer.language, 404, "web.not-found")
    return _html(pages.filing_page(viewer, found, services.config.campaign.tz, flash=_take_flash(request)))


@coordinator
async def filing_review(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Accept or return (with the form's comment); the outcome is shown once on the filing page."""
    services, bot = request.app[SERVICES], request.app[BOT]
    submission_id = _int(request.match_info["submission_id"], -1)
    if request.match_info["op"] == "accept":
        said = await filing.accept(services, bot, viewer, submission_id=submission_id)
    else:
        form = await request.post()
        said = await filing.return_it(services, bot, viewer, submission_id=submission_id, comment=str(form.get("comment", "")))
    if said is None:
        return _refuse(viewer.language, 404, "web.not-found")
    request.app[FLASH][request.cookies.get(COOKIE, "")] = said
    raise web.HTTPSeeOther(f"/filing/{submission_id}")


def _file(name: str, mime_type: str, data: bytes) -> web.Response:
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return web.Response(body=data, content_type=mime_type or "application/octet-stream",
                        headers={"Content-Disposition": disposition, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@coordinator
async def attachment(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    services = request.app[SERVICES]
    found = await asyncio.to_thread(filing.attachment, services, viewer, attachment_id=_int(request.match_info["attachment_id"], -1))
    if found is None:
        return _refuse(viewer.language, 404, "web.not-found")
    row, data = found
    return _file(row.file_name or "file", row.mime_type or "application/octet-stream", data)


@coordinator
async def export(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The workbook, a chart or a compiled document, built off the event loop."""
    services = request.app[SERVICES]
    now = services.clock.now()
    kind = request.match_info["kind"]
    if kind == "workbook":
        made = await asyncio.to_thread(downloads.workbook, services, viewer, now=now)
    elif kind == "chart":
        made = await asyncio.to_thread(downloads.compliance_chart, services, viewer, report_key=request.query.get("report", ""), now=now)
    else:
        made = await asyncio.to_thread(downloads.compiled, services, viewer, phrase=request.query.get("period", ""), now=now)
    if made.problem is not None:
        return _refuse(viewer.language, 404, made.problem)
    return _file(made.name, made.mime_type, made.data)


def make_app(services: Services, bot: Any) -> web.Application:
    """The dashboard's routes, bound to the bot's services and its `Bot` (to tell liaisons of reviews)."""
    app = web.Application(client_max_size=64 * 1024)
    app[SERVICES] = services
    app[BOT] = bot
    app[FLASH] = {}
    app.router.add_get("/login/{token}", login_form)
    app.router.add_post("/login/{token}", login_post)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", matrix_view)
    app.router.add_get("/unit/{unit_id}", unit_view)
    app.router.add_get("/problems", problems_view)
    app.router.add_get("/filing/{submission_id}", filing_view)
    app.router.add_post(r"/filing/{submission_id}/{op:accept|return}", filing_review)
    app.router.add_get("/file/{attachment_id}", attachment)
    app.router.add_get(r"/export/{kind:workbook|chart|compile}", export)
    return app


async def start(application: Application[Any, Any, Any, Any, Any, Any], extra: Callable[[web.Application], None] | None = None) -> web.AppRunner | None:
    """Serve the dashboard beside the bot when `[web] port` is set; `extra` may add routes (the sandbox's)."""
    services: Services = application.bot_data[SERVICES_KEY]
    settings = services.config.web
    if settings.port is None or RUNNER_KEY in application.bot_data:
        return application.bot_data.get(RUNNER_KEY)
    app = make_app(services, application.bot)
    if extra is not None:
        extra(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.listen, settings.port).start()
    application.bot_data[RUNNER_KEY] = runner
    log.info("dashboard on %s:%s", settings.listen, settings.port)
    return runner


async def stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop serving the dashboard (nothing if it is not running)."""
    runner = application.bot_data.pop(RUNNER_KEY, None)
    if runner is not None:
        await runner.cleanup()
