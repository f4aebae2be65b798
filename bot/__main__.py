"""`python -m bot` is the `liaison-bot` command."""

import sys

from bot.cli import main

sys.exit(main())
