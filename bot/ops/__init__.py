"""Operations: what `liaison-bot run` adds around the bot so it can be run, watched and scaled out.

- `metrics`: Prometheus metrics (updates handled, reminders by status, send latency, 429s, queue depth).
- `health`: /healthz's checks (database, Bot API, scheduler).
- `server`: the small HTTP server for /healthz and /metrics.
- `updates`: each update handled once, whichever worker receives it (update_id claimed in the database).
- `flood`: the flood limit shared by every worker through the database.
- `lease`: one long-polling process per bot token.
- `wiring`: `attach(app, …)`, the one place that puts these on an Application.

The bot works without any of these (tests, the demo); `run` always attaches them.
"""
