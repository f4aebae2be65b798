"""The coordinators' web dashboard: what it shows and what it lets them do.

- `login`: one-time login links (/web in chat), browser sessions, CSRF tokens, who may look
  (coordinators only) and which units they see (`visible_units`, the hook for levels).
- `matrix`: units × periods of one report, with each cell's state and the counts.
- `unit`: one unit's liaisons, filings (every version, every file) and reminders.
- `filing`: one submission as the coordinator sees it in chat; accept or return it, and the
  unit's liaisons are told in chat through `bot.services.notify`.
- `downloads`: the exports (workbook, chart) as files to download.

Serving it over HTTP is `bot.web`'s job; nothing here knows about HTTP.
"""
