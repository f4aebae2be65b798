"""A view costs a constant number of SQL statements, whatever the history (issue 15: one query per obligation made
/due 73 queries with 24 months of history).

The statements are counted as the database sees them (an engine event), only those run for the update (by its task
or by the worker threads it hands its calls to), so a background job (reminders, the due-item check) running
meanwhile is not counted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from telegram import Update
from telegram.ext import TypeHandler

from bot.models import DueItem, Person, SubmissionKind, Unit
from bot.storage import Storage, due, submissions
from tests.app.submit_helpers import liaison_of, says
from tests.fixtures.app import COORDINATOR, RunningBot

SHORT, LONG = 7031, 7032  # liaisons of a unit with 1 month of history, and of one with 24 months
CASE = {"title": "某药店销售假药案", "overview": "从非法渠道购进药品。", "result": "没收违法所得。", "decided_on": "2021-08-10", "fine": None, "police": True}


UPDATE: ContextVar[bool] = ContextVar("counted_update", default=False)


@contextmanager
def counting(bot: RunningBot) -> Iterator[list[str]]:
    """The SQL statements the bot's update handling runs meanwhile, on the loop or in the worker threads it
    hands them to (`asyncio.to_thread` carries the update task's context there; a job's task has its own)."""
    seen: list[str] = []

    async def mark(_update: object, _context: object) -> None:
        UPDATE.set(True)  # (in the update's own task: its context only)

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if UPDATE.get():
            seen.append(statement)

    handler = TypeHandler(Update, mark)
    bot.app.add_handler(handler, group=FIRST)
    event.listen(bot.storage.engine, "before_cursor_execute", count)  # (and the engines made from it: reads, `read()`)
    try:
        yield seen
    finally:
        event.remove(bot.storage.engine, "before_cursor_execute", count)
        bot.app.remove_handler(handler, group=FIRST)


FIRST = -10_000  # before every handler of the bot, the update's claim included


def history(storage: Storage, make_due_item: Callable[..., DueItem], unit: Unit, person: Person, *, months: int, now: datetime) -> None:
    """`months` monthly 典型案例 filed in the past, two items each, plus an old one never filed (overdue: still listed)."""
    for m in range(months, 0, -1):
        due_at = now - timedelta(days=30 * m)
        item = make_due_item([unit], report_key="typical_case", period_key=f"h{m:02d}", period_label=f"历史{m}", due_at=due_at)
        with storage.session() as s:
            obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)
            for n in (1, 2):
                submissions.file_and_complete(
                    s, obligation_id=obligation.id, person_id=person.id, kind=SubmissionKind.case,
                    data={"values": {**CASE, "title": f"案件{m}-{n}"}}, now=due_at - timedelta(days=1), item_no=n,
                )
    make_due_item([unit], report_key="typical_case", period_key="h-open", period_label="历史未报", due_at=now - timedelta(days=400 if months > 1 else 20))


async def counted(bot: RunningBot, user: Any, command: str, expect: str) -> tuple[int, str]:
    with counting(bot) as seen:
        reply = await says(user, command, expect)
        await asyncio.sleep(0.2)  # the update's task has finished with the database
    return len(seen), reply.text


async def test_due_and_submit_cost_the_same_queries_with_1_or_24_months_of_history(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], make_due_item: Callable[..., DueItem]
) -> None:
    now = bot_app.clock.now()
    for code, uid, months in (("pgs", SHORT, 1), ("shs", LONG, 24)):
        person = liaison_of(bot_app.storage, make_person, make_liaison, code, uid)
        history(bot_app.storage, make_due_item, bot_app.storage.units.get_unit_by_code(code=code), person, months=months, now=now)
    short = bot_app.emulator.user(SHORT, first_name="张", language_code="zh-hans")
    long = bot_app.emulator.user(LONG, first_name="李", language_code="zh-hans")

    few, short_text = await counted(bot_app, short, "/due", "待报事项")
    many, long_text = await counted(bot_app, long, "/due", "待报事项")
    assert "历史未报" in short_text and "历史未报" in long_text  # an old item never filed is still owed
    assert "历史1" in long_text and "历史24" not in long_text  # filed long ago: not listed
    assert few == many, (few, many)
    assert 0 < few <= 8, few

    few, _ = await counted(bot_app, short, "/submit", "请选择要报送的事项")
    many, _ = await counted(bot_app, long, "/submit", "请选择要报送的事项")
    assert few == many and few > 0, (few, many)


async def test_outstanding_and_status_cost_the_same_queries_whatever_the_history(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], make_due_item: Callable[..., DueItem]
) -> None:
    now = bot_app.clock.now()
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="王", language_code="zh-hans")
    person = liaison_of(bot_app.storage, make_person, make_liaison, "pgs", SHORT)
    unit = bot_app.storage.units.get_unit_by_code(code="pgs")
    history(bot_app.storage, make_due_item, unit, person, months=1, now=now)
    await says(coordinator, "/help", "/outstanding")  # first contact (the person's row, their chat) is not the view's cost
    before = [await counted(bot_app, coordinator, c, e) for c, e in (("/outstanding", "未完成报送"), ("/status", "报送情况"))]
    for code in ("shs", "sys", "sgs"):
        other = bot_app.storage.units.get_unit_by_code(code=code)
        history(bot_app.storage, make_due_item, other, liaison_of(bot_app.storage, make_person, make_liaison, code, SHORT + 100 + other.id), months=24, now=now)
    after = [await counted(bot_app, coordinator, c, e) for c, e in (("/outstanding", "未完成报送"), ("/status", "报送情况"))]
    assert [n for n, _ in before] == [n for n, _ in after]
    assert all(n > 0 for n, _ in before), before


async def test_due_reads_the_ad_hoc_report_types_only_when_it_lists_one(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any], make_due_item: Callable[..., DueItem]
) -> None:
    from bot.config import TemplateKind
    from bot.services.deadlines import adhoc
    from schedules import parse_when

    liaison_of(bot_app.storage, make_person, make_liaison, "pgs", SHORT)
    user = bot_app.emulator.user(SHORT, first_name="张", language_code="zh-hans")
    await says(user, "/help", "/due")  # (first contact)
    with counting(bot_app) as seen:
        await says(user, "/due", "待报事项")
        await asyncio.sleep(0.2)
    assert seen and not [s for s in seen if "adhoc_report" in s]  # nothing ad hoc listed: not read
    services = bot_app.app.bot_data["services"]
    now = bot_app.clock.now()
    when = parse_when("9月15日前", now=now, tz=bot_app.config.campaign.tz)
    assert when is not None
    adhoc.create(services, title="汛期专项检查", template=TemplateKind.FREE, when=when, tags=[], unit_codes=["pgs"], person_id=None, now=now)
    with counting(bot_app) as seen:
        reply = await says(user, "/due", "待报事项")
        await asyncio.sleep(0.2)
    assert "汛期专项检查" in reply.text and [s for s in seen if "adhoc_report" in s]
