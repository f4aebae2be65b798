"""liaison-bot: the application (config, storage, services, emulator, command line)."""

import os

# python-telegram-bot 22 warns on every RetryAfter unless durations are timedeltas; we use them.
os.environ.setdefault("PTB_TIMEDELTA", "true")
