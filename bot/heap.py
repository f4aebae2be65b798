"""What is alive once the bot has started (modules, config, catalog, the application: ~200,000 objects)
lives as long as the process: kept out of the garbage collector's full passes (`gc.freeze`).

Otherwise each full pass walks all of it and holds up the event loop for ~90 ms: twice in a reminder
wave to 3,000 liaisons (the pacer's sends then leave late, and a rolling window at its limit never
wins that time back), and in a dashboard page load at 3,000 units. Garbage is collected first, so none
of it is kept for good."""

from __future__ import annotations

import gc


def keep_for_good() -> None:
    """After the start: collect, then move every object alive now out of the collector's passes."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """At the stop: back to the collector (a process that starts another bot, as the tests do, frees the
    first one's objects; and `gc.get_referrers` does not look at frozen objects)."""
    gc.unfreeze()
