"""/tasks, /importtasks, the task buttons (tk|…) and the messages of a progress report in progress."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services import drafts
from bot.services.people.access import Action, Roles
from bot.services.problems import importing as sheets
from bot.services.problems.lifecycle import Outcome
from bot.services.tasks import importing, progress
from handlers import conversation, guard
from handlers.conversation import Current
from handlers.problems import answer
from handlers.submit import downloaded, incoming_file

BUTTONS = r"^tk\|"
FLOW_IMPORT = "task_import"


@guard.requires(Action.PROBLEMS, private=True)
async def tasks_command(update: Update, context: BotContext, who: Roles) -> None:
    """The tasks of one's units (coordinators: their subtree's), with their lead units and deadlines."""
    services = context.services
    await answer(update, context, Outcome(await services.writes(progress.listing, services, who, language=context.language(update), now=services.clock.now())))


@guard.requires(Action.PROBLEM_ADMIN, private=True)
async def import_tasks(update: Update, context: BotContext, who: Roles) -> None:
    """Ask for the 任务分工表 workbook (附件5 layout)."""
    assert update.message and who.person_id is not None
    services = context.services
    await services.writes(drafts.save, services, person_id=who.person_id, flow=FLOW_IMPORT, state="file", data={}, now=services.clock.now())
    await update.message.reply_text(context.text(update, "tasks.import.ask"))


@guard.button(Action.PROBLEMS, private=True)
async def on_button(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Open a task, 签收, report progress, submit or cancel it."""
    query = update.callback_query
    assert query is not None
    if len(pressed.args) < 3:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    services = context.services
    language, now = context.language(update), services.clock.now()
    op, task_id, unit_id = pressed.args[0], pressed.int_arg(1), pressed.int_arg(2)
    if op == "v":
        outcome = Outcome(await services.writes(progress.show, services, who, task_id=task_id, language=language, now=now))
    elif op == "a":
        outcome = await services.writes(progress.acknowledge, services, who, task_id=task_id, unit_id=unit_id, language=language, now=now)
    elif op == "r":
        outcome = await services.writes(progress.start_report, services, who, task_id=task_id, unit_id=unit_id, language=language, now=now)
    elif op == "rs":
        outcome = await services.writes(progress.submit, services, who, task_id=task_id, unit_id=unit_id, language=language, now=now)
    elif op == "c":
        outcome = await services.writes(progress.cancel, services, who, language=language)
    else:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    await answer(update, context, outcome)


@conversation.flow(progress.FLOW)
async def on_report_message(update: Update, context: BotContext, current: Current) -> None:
    """The progress: text, and files."""
    assert update.message
    who = guard.roles_for(update, context)
    services = context.services
    language, now = context.language(update), services.clock.now()
    incoming = incoming_file(update.message)
    if incoming is not None:
        attachment = await downloaded(update, context, incoming, now=now)
        if attachment is None:
            return
        assert attachment.id is not None
        outcome = await services.writes(progress.report_file, services, who, data=current.data, attachment_id=attachment.id, name=incoming.file_name, language=language, now=now)
    else:
        outcome = await services.writes(progress.report_text, services, who, data=current.data, text=update.message.text or "", language=language, now=now)
    await answer(update, context, outcome)


@conversation.flow(FLOW_IMPORT)
async def on_import_file(update: Update, context: BotContext, current: Current) -> None:
    """The 任务分工表 workbook: read off the event loop, all rows or none."""
    assert update.message
    who = guard.roles_for(update, context)
    services = context.services
    if not who.may(Action.PROBLEM_ADMIN):
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=FLOW_IMPORT)
        await update.message.reply_text(context.text(update, "error.not-allowed"))
        return
    document = update.message.document
    if document is None or not (document.file_name or "").lower().endswith((".xlsx", ".xlsm")):
        await update.message.reply_text(context.text(update, "tasks.import.ask"))
        return
    if (document.file_size or 0) > sheets.MAX_UNPACKED:
        await update.message.reply_text(context.text(update, "problems.import.too-big"))
        return
    data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    sheet = await asyncio.to_thread(sheets.read_rows, services, data)
    outcome = await services.writes(importing.import_rows, services, who, sheet, language=context.language(update), now=services.clock.now())
    if outcome.finished:
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=FLOW_IMPORT)
    await answer(update, context, outcome)
