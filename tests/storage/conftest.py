"""Helpers for storage tests: run the same call in several threads at the same moment."""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from sqlmodel import Session

from bot.storage import Storage

T = TypeVar("T")


def race(db_url: str, work: Callable[[Session], T], *, workers: int = 2, hold: float = 0.15) -> list[T]:
    """Run `work` in `workers` threads, each on its own engine, released together.

    Each worker keeps its transaction open for `hold` seconds after `work`, so the others
    really do run while it is uncommitted.
    """
    barrier = threading.Barrier(workers)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        store = Storage.from_url(db_url)
        try:
            with store.session() as s:
                barrier.wait(timeout=10)
                result = work(s)
                time.sleep(hold)
            with lock:
                results.append(result)
        except BaseException as e:  # reported to the test below
            with lock:
                errors.append(e)
        finally:
            store.dispose()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if errors:
        raise errors[0]
    assert len(results) == workers
    return results


@pytest.fixture
def race_on(db_url: str) -> Callable[..., list]:  # type: ignore[type-arg]
    """`race` bound to the test's database."""

    def bound(work: Callable[[Session], T], **kwargs: float) -> list[T]:
        return race(db_url, work, **kwargs)  # type: ignore[arg-type]

    return bound
