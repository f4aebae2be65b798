"""The web: the coordinators' dashboard served by the bot process, and the sandbox in a browser.

- `server`: an aiohttp application started beside the bot (`[web] port`), its routes, the
  session cookie (HttpOnly, SameSite=Strict) and the CSRF check of every form.
- `html`, `pages`: server-rendered HTML, every value escaped; no script or style is loaded
  from elsewhere (offices are often on closed networks).
- `sandbox`: `liaison-bot demo --web`, one chat pane per persona against the emulator.

What the pages show comes from `bot.services.dashboard`; this package only speaks HTTP.
"""
