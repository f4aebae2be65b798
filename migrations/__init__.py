"""Alembic migrations of the liaison-bot schema; run them with `bot.db.upgrade(url)`."""
