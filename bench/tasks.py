"""Benchmark: what the tasks' deadlines (`[[tasks]]` due / progress) cost the views and the reminder plan.

campaigns/ningxia.toml on a temporary SQLite database, with its tasks' deadlines and, as the reference
measured in the same run, the same tasks without them (alternated, best of three). Timed: `report_types()` (every view asks it;
the tasks' part is kept until the tasks change) and a rebuild of the reminder plan (done when a task
or an ad-hoc deadline changes).

Run: `python bench/tasks.py`. The last line is
`tasks: report_types R ms (reference r ms, xF); plan rebuild P ms (reference p ms, xG); moments M (reference m)`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FixedClock  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.context import open_services  # noqa: E402
from bot.db import make_engine, upgrade  # noqa: E402
from bot.services.deadlines import adhoc  # noqa: E402
from bot.services.deadlines.due_items import sync_due_items  # noqa: E402
from bot.services.people.campaign import sync_campaign  # noqa: E402
from bot.services.reminders import plan  # noqa: E402
from bot.services.tasks.setup import sync_tasks  # noqa: E402
from bot.storage import Storage  # noqa: E402

CONFIG = Path(__file__).resolve().parent.parent / "campaigns" / "ningxia.toml"
CALLS, REBUILDS = 200, 20


def measure(with_deadlines: bool, directory: str) -> tuple[float, float, int]:
    """(ms per report_types(), ms per plan rebuild, moments in the plan)."""
    config = load_config(CONFIG)
    if not with_deadlines:
        config = config.model_copy(update={"tasks": [t.model_copy(update={"progress": None, "due": None}) for t in config.tasks]})
    url = f"sqlite:///{directory}/bench.sqlite3"
    upgrade(url)
    storage = Storage(make_engine(url))
    now = datetime(2023, 8, 16, 2, tzinfo=UTC)
    services = open_services(config, storage, secret=b"bench", clock=FixedClock(now))
    sync_campaign(storage, config, now=now)
    sync_tasks(storage, config, now=now)
    sync_due_items(storage, config, calendar=services.calendar, now=now)
    adhoc.report_types(services)  # warm
    started = time.perf_counter()
    for _ in range(CALLS):
        adhoc.report_types(services)
    per_call = (time.perf_counter() - started) / CALLS * 1e3
    started = time.perf_counter()
    for _ in range(REBUILDS):
        services.caches.plan = None
        plan.plan(services)
    per_rebuild = (time.perf_counter() - started) / REBUILDS * 1e3
    moments = len(plan.plan(services))
    storage.dispose()
    return per_call, per_rebuild, moments


def main() -> None:
    runs: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
    for _ in range(3):  # alternated, best of three: the order and the machine's load weigh less
        for with_deadlines in (False, True):
            with tempfile.TemporaryDirectory() as directory:
                runs[with_deadlines].append(measure(with_deadlines, directory))
    reference, found = (tuple(min(x[i] for x in runs[k]) for i in range(3)) for k in (False, True))
    print(
        f"tasks: report_types {found[0]:.2f} ms (reference {reference[0]:.2f} ms, x{found[0] / reference[0]:.1f}); "
        f"plan rebuild {found[1]:.1f} ms (reference {reference[1]:.1f} ms, x{found[1] / reference[1]:.1f}); "
        f"moments {found[2]} (reference {reference[2]})"
    )


if __name__ == "__main__":
    main()
