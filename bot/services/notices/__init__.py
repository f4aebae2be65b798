"""Notices the bot starts beyond reminders: coordinators told of filings (at once or in the digest),
liaisons told of a new ad-hoc deadline, announcements with receipts (通知 + 回执), the campaign's
group chat. Each message is claimed under a unique key before it is sent (see docs/notices.md)."""
