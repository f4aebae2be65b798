"""The sandbox's one page: a pane per persona and the script that keeps them current.

Every message is put into the page with `textContent` (never as HTML), so nothing the bot or a
persona sends can run as script. Nothing is loaded from elsewhere.
"""

from __future__ import annotations

import json

from bot.texts.catalog import t
from bot.web.html import e

STYLE = """
body{font-family:"Noto Sans SC","Microsoft YaHei",sans-serif;margin:0;background:#e9edf2}
header{background:#1f4e79;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
header a{color:#fff}#panes{display:grid;grid-template-columns:repeat(4,1fr);gap:.5em;padding:.5em}
.pane{background:#fff;border-radius:.4em;display:flex;flex-direction:column;height:82vh}
.pane h3{margin:0;padding:.4em .6em;background:#eef1f5;font-size:1em}.pane h3 small{color:#666;font-weight:normal}
.log{flex:1;overflow-y:auto;padding:.4em}.m{margin:.3em 0;padding:.4em .5em;border-radius:.4em;white-space:pre-wrap;font-size:.85em;max-width:92%}
.bot{background:#f1f3f6}.user{background:#d7f0d0;margin-left:auto}.m img{max-width:100%;display:block}
.kb button{margin:.15em;font-size:.8em}.send{display:flex;gap:.2em;padding:.3em}.send input[type=text]{flex:1}.send .up{width:6.5em;font-size:.75em}
"""

SCRIPT = """
const L = JSON.parse(document.getElementById('texts').textContent);
let last = '';
function el(tag, cls, text) { const x = document.createElement(tag); if (cls) x.className = cls; if (text !== undefined) x.textContent = text; return x; }
async function post(url, body) {
  const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  if (!r.ok) { alert(await r.text()); }
  refresh();
}
function render(key, messages) {
  const log = document.querySelector('#pane-' + key + ' .log');
  log.replaceChildren();
  for (const m of messages) {
    const box = el('div', 'm ' + m.from);
    box.dataset.id = m.id;
    if (m.text) box.appendChild(el('div', 'text', m.text));
    if (m.file) {
      const href = '/api/file/' + encodeURIComponent(m.file.file_id);
      if (m.file.photo) { const img = el('img'); img.src = href + '?inline=1'; img.alt = m.file.name; box.appendChild(img); }
      const a = el('a', 'file', '📎 ' + m.file.name); a.href = href; box.appendChild(a);
    }
    for (const row of m.buttons) {
      const kb = el('div', 'kb');
      for (const b of row) {
        if (b.url) { const a = el('a', '', b.text); a.href = b.url; a.target = '_blank'; kb.appendChild(a); continue; }
        const btn = el('button', 'ib', b.text);
        btn.disabled = !b.press;
        btn.onclick = () => post('/api/press', {persona: key, message_id: m.id, button: b.text});
        kb.appendChild(btn);
      }
      box.appendChild(kb);
    }
    log.appendChild(box);
  }
  log.scrollTop = log.scrollHeight;
}
async function refresh() {
  const r = await fetch('/api/chats');
  const data = await r.json();
  const seen = JSON.stringify(data);
  if (seen === last) return;
  last = seen;
  document.getElementById('now').textContent = data.now;
  for (const key of Object.keys(data.chats)) render(key, data.chats[key]);
}
for (const form of document.querySelectorAll('form.send')) {
  const key = form.dataset.persona;
  form.onsubmit = (ev) => { ev.preventDefault(); const input = form.querySelector('input[type=text]'); const text = input.value; input.value = ''; if (text.trim()) post('/api/send', {persona: key, text: text}); };
  form.querySelector('input[type=file]').onchange = async (ev) => {
    const fd = new FormData(); fd.append('persona', key); fd.append('file', ev.target.files[0]);
    const r = await fetch('/api/upload', {method: 'POST', body: fd}); if (!r.ok) alert(await r.text()); ev.target.value = ''; refresh();
  };
}
document.getElementById('next-reminder').onclick = async () => {
  const r = await fetch('/api/clock/next?lang=' + L.lang, {method: 'POST'}); const d = await r.json();
  document.getElementById('said').textContent = d.said; refresh();
};
setInterval(refresh, 700);
refresh();
"""


def page(language: str, personas: list[tuple[str, str, str]], now: str) -> str:
    """The whole page; `personas` are (key, name, description)."""
    panes = "".join(
        f'<div class="pane" id="pane-{e(key)}"><h3>{e(name)} <small>{e(description)}</small></h3><div class="log"></div>'
        f'<form class="send" data-persona="{e(key)}"><input type="text" name="text" placeholder="{t(language, "web.sandbox.placeholder")}" autocomplete="off">'
        f'<button type="submit">{t(language, "web.sandbox.send")}</button>'
        f'<input type="file" class="up" title="{t(language, "web.sandbox.upload")}"></form></div>'
        for key, name, description in personas
    )
    texts = json.dumps({"lang": "en" if language == "en" else "zh"}).replace("<", "\\u003c")
    clock = t(language, "web.sandbox.clock", now="")
    return (
        f'<!doctype html><html lang="{"en" if language == "en" else "zh-CN"}"><head><meta charset="utf-8"><title>{t(language, "web.sandbox.title")}</title>'
        f"<style>{STYLE}</style></head><body><header><b>{t(language, 'web.sandbox.title')}</b><span>{clock}<b id=\"now\">{e(now)}</b></span>"
        f'<button id="next-reminder">{t(language, "web.sandbox.next-reminder")}</button><span id="said"></span>'
        f'<a id="dashboard" href="/dashboard" target="_blank">{t(language, "web.sandbox.dashboard")}</a></header>'
        f'<p style="margin:.3em 1em">{t(language, "web.sandbox.intro")}</p><div id="panes">{panes}</div>'
        f'<script type="application/json" id="texts">{texts}</script><script>{SCRIPT}</script></body></html>'
    )
