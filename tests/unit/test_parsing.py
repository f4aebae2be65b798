"""Uploaded files are parsed in worker processes with a time and memory limit (`bot.parsing`, issue 14).

The workers of one `Workers` are shared by the tests of this module (a worker starts in about half a
second); each test that breaks one checks that it was replaced and that the next parse is answered.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator

import pytest

from bot import parsing
from bot.parsing import Limits, ParseRefused, Workers
from bot.services import sheets
from bot.services.submissions.forms.workbook import blank_workbook
from bot.services.drafting.source import docx_text
from tests.app.documents import slow_docx, slow_workbook
from tests.unit import parse_jobs

QUICK = Limits(seconds=1.0, memory_mb=64)
ROOMY = Limits(seconds=60.0, memory_mb=512)  # generous: a loaded machine never refuses a plain job


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    pool = Workers(size=2)
    try:
        yield pool
    finally:
        pool.shutdown()


def gone(pid: int) -> bool:
    """Whether the process ended and was reaped (a zombie still answers signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_parse_runs_in_a_worker_process_kept_warm(workers: Workers) -> None:
    pid, data = workers.run(parse_jobs.echo, b"cells", limits=ROOMY)
    assert data == b"cells" and pid != os.getpid()
    again, _ = workers.run(parse_jobs.echo, b"more", limits=ROOMY)
    assert again == pid  # the same worker, reused
    assert workers.pids() == [pid]


def test_a_parse_past_the_time_limit_is_stopped_and_the_worker_replaced(workers: Workers) -> None:
    before, _ = workers.run(parse_jobs.echo, b"", limits=ROOMY)
    with pytest.raises(ParseRefused) as refused:
        workers.run(parse_jobs.forever, b"", limits=QUICK)
    assert refused.value.reason == parsing.TOO_SLOW
    assert gone(before)
    after, data = workers.run(parse_jobs.echo, b"next", limits=ROOMY)  # the next upload is parsed as usual
    assert data == b"next" and after != before


def test_a_parse_past_the_memory_cap_is_refused_and_the_worker_replaced(workers: Workers) -> None:
    before, _ = workers.run(parse_jobs.echo, b"", limits=ROOMY)
    with pytest.raises(ParseRefused) as refused:
        workers.run(parse_jobs.hog, b"", 1024, limits=Limits(seconds=60.0, memory_mb=64))
    assert refused.value.reason == parsing.TOO_BIG
    assert gone(before)
    assert workers.run(parse_jobs.hog, b"", 16, limits=ROOMY) == 16 * 1024 * 1024  # the next one is read
    # a parser that turns the MemoryError into its own error is refused all the same
    with pytest.raises(ParseRefused):
        workers.run(parse_jobs.hog_wrapped, b"", 1024, limits=Limits(seconds=60.0, memory_mb=64))


def test_a_worker_that_dies_mid_parse_is_replaced(workers: Workers) -> None:
    with pytest.raises(ParseRefused) as refused:
        workers.run(parse_jobs.killed, b"", limits=ROOMY)
    assert refused.value.reason == parsing.TOO_BIG
    _, data = workers.run(parse_jobs.echo, b"after", limits=ROOMY)
    assert data == b"after"


def test_the_parser_s_own_error_comes_back_and_the_worker_stays(workers: Workers) -> None:
    before, _ = workers.run(parse_jobs.echo, b"", limits=ROOMY)
    with pytest.raises(ValueError, match="not a workbook"):
        workers.run(parse_jobs.damaged, b"", limits=ROOMY)
    with pytest.raises(sheets.Unreadable):
        workers.run(sheets.workbook_cells, b"%PDF-1.4", max_size=1 << 20, max_unpacked=1 << 20, sheets=1, rows=10, columns=10, limits=ROOMY)
    assert before in workers.pids()


def test_a_workbook_slow_to_parse_is_stopped_and_the_next_is_read(workers: Workers) -> None:
    hostile = slow_workbook()
    assert len(hostile) < 200_000  # within every size bound: only the time limit stops it
    bounds = {"max_size": 5 << 20, "max_unpacked": 50 << 20, "sheets": 20, "rows": 300, "columns": 60}
    with pytest.raises(ParseRefused) as refused:
        workers.run(sheets.workbook_cells, hostile, **bounds, limits=QUICK)
    assert refused.value.reason == parsing.TOO_SLOW
    cells = workers.run(sheets.workbook_cells, blank_workbook(), **bounds, limits=ROOMY)
    assert cells[0][(5, 1)] == "零售药店"


def test_a_document_past_the_memory_cap_is_refused_whatever_the_parser_calls_it(workers: Workers) -> None:
    # libxml2 reports its failed allocation as an XML syntax error, python-docx as "not a readable .docx"
    with pytest.raises(ParseRefused) as refused:
        workers.run(docx_text, slow_docx(), name="案例.docx", limits=Limits(seconds=60.0, memory_mb=64))
    assert refused.value.reason == parsing.TOO_BIG


def test_a_document_of_many_empty_paragraphs_is_read_in_one_pass(workers: Workers) -> None:
    # the text's length was summed again at each paragraph: 200,000 empty ones took minutes
    text = workers.run(docx_text, slow_docx(200_000), name="案例.docx", limits=ROOMY)
    assert text.count("\n") == 200_000 and text.endswith("x")


def test_calls_from_many_threads_share_the_workers_while_one_is_stuck(workers: Workers) -> None:
    results: dict[int, bytes] = {}
    refusals: list[str] = []

    def stuck() -> None:
        try:
            workers.run(parse_jobs.forever, b"", limits=Limits(seconds=3.0, memory_mb=64))
        except ParseRefused as e:
            refusals.append(e.reason)

    def one(i: int) -> None:
        results[i] = workers.run(parse_jobs.echo, str(i).encode(), limits=ROOMY)[1]

    threads = [threading.Thread(target=stuck)] + [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == {i: str(i).encode() for i in range(8)}
    assert refusals == [parsing.TOO_SLOW]
    assert len(workers.pids()) <= workers.size


def test_shutdown_stops_and_reaps_every_worker() -> None:
    pool = Workers(size=2)
    pid, _ = pool.run(parse_jobs.echo, b"", limits=ROOMY)
    pool.shutdown()
    assert pool.pids() == [] and gone(pid)
    again, _ = pool.run(parse_jobs.echo, b"", limits=ROOMY)  # started again at the next job
    assert again != pid
    pool.shutdown()
    assert gone(again)


def test_where_no_process_can_start_the_parse_runs_in_the_thread(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def forbidden(method: str) -> None:
        raise PermissionError("no processes in this sandbox")

    monkeypatch.setattr(parsing.multiprocessing, "get_context", forbidden)
    pool = Workers(size=2)
    with caplog.at_level(logging.WARNING, logger="bot.parsing"):
        pid, data = pool.run(parse_jobs.echo, b"here", limits=ROOMY)
        assert pool.run(parse_jobs.echo, b"again", limits=ROOMY)[1] == b"again"
    assert pid == os.getpid() and data == b"here"
    assert [r.getMessage() for r in caplog.records].count(
        "cannot start a parse worker (no processes in this sandbox): uploads are parsed in threads, without a time or memory limit") == 1


def test_a_worker_that_cannot_start_just_now_refuses_the_file_rather_than_read_it_unbounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # Out of processes, or a worker dead at its start (a loaded machine): the file is not read in the
    # thread without limits; its sender is asked to send it again, and the next job starts a worker.
    real = parsing.multiprocessing.get_context
    failing = [True]

    def flaky(method: str) -> object:
        if failing:
            failing.clear()
            raise OSError("out of processes")
        return real(method)

    monkeypatch.setattr(parsing.multiprocessing, "get_context", flaky)
    pool = Workers(size=1)
    with pytest.raises(ParseRefused) as refused:
        pool.run(parse_jobs.echo, b"here", limits=ROOMY)
    assert refused.value.reason == parsing.UNAVAILABLE
    pid, data = pool.run(parse_jobs.echo, b"again", limits=ROOMY)
    assert pid != os.getpid() and data == b"again"
    pool.shutdown()
