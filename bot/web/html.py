"""The page frame and small HTML helpers: everything that is not markup is escaped here."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from bot.texts.catalog import t

STYLE = """
body{font-family:"Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f4e79;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center}
header a,header button{color:#fff}header form{margin-left:auto}
main{padding:1em}a{color:#1f4e79}
table{border-collapse:collapse;background:#fff;margin:.5em 0}
th,td{border:1px solid #d0d4da;padding:.25em .5em;font-size:.9em;text-align:left;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0}
td.s{text-align:center;white-space:nowrap}
.on_time{background:#c8e6c9}.late{background:#fff59d}.waiting{background:#bbdefb}
.returned{background:#ffccbc}.missing{background:#ef9a9a}.not_due{background:#f5f5f5;color:#888}
.pill{display:inline-block;padding:0 .4em;border-radius:.3em}
tr.overdue td,.pill.overdue{background:#ef9a9a}tr.due_soon td,.pill.due_soon{background:#fff59d}
.msg{background:#fff;border-left:4px solid #1f4e79;padding:.6em;margin:.6em 0;white-space:pre-wrap}
.problem{border-left-color:#c62828}
.preview{background:#fff;border:1px solid #d0d4da;padding:.8em;white-space:pre-wrap;max-width:50em}
form.inline{display:inline}textarea{width:30em;height:5em}
nav.filters{display:flex;gap:1em;flex-wrap:wrap;align-items:center}
section{margin-bottom:1.5em}
"""


def e(value: object) -> str:
    """Escape any value for HTML text or an attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def url(path: str, **query: Any) -> str:
    """A path with a query string of the non-empty parameters (escape it with `e` when placed in HTML)."""
    kept = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def when(moment: datetime | None, tz: Any) -> str:
    """A moment in the campaign's zone, to the minute."""
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def state_pill(language: str, state: str, extra: str = "") -> str:
    return f'<span class="pill {e(state)}" data-state="{e(state)}">{t(language, f"web.state.{state}")}{e(extra)}</span>'


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(token)}">'


def frame(language: str, title: str, body: str, *, who: str | None = None, csrf: str | None = None) -> str:
    """A whole page: header (with the coordinator's name and a logout button when logged in) and body."""
    lang = "zh-CN" if language == "zh-CN" else "en"
    head = f'<a href="/"><b>{t(language, "web.title")}</b></a>'
    if who is not None and csrf is not None:
        head += (f'<span>{e(who)}</span><form method="post" action="/logout">{csrf_field(csrf)}'
                 f'<button type="submit" class="link">{t(language, "web.logout")}</button></form>')
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head>"
        f"<body><header>{head}</header><main>{body}</main></body></html>"
    )


def message_page(language: str, title: str, text: str) -> str:
    """A page that only says something (a refusal, an expired link)."""
    return frame(language, title, f'<div class="msg problem" id="message">{text}</div>')
