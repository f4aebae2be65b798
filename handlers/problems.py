"""/problems, /newproblem, /importproblems, the problem buttons (pb|…) and the messages of the problem conversations.

Telegram in and out only: the services in `bot.services.problems` decide and answer (`Outcome`);
notices to others go by `common.send_notices` (the one send path).
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services import drafts
from bot.services.people.access import Action, Roles
from bot.services.problems import common, importing, lifecycle, listing, register
from bot.services.problems import export as problem_export
from bot.services.problems.lifecycle import Outcome
from handlers import conversation, guard
from handlers.conversation import Current
from handlers.replies import send as send_replies
from handlers.submit import downloaded, incoming_file

BUTTONS = r"^pb\|"
FLOW_IMPORT = "problem_import"


async def answer(update: Update, context: BotContext, outcome: Outcome) -> None:
    """Send an outcome's replies to this user, then its notices to the others (the tasks' handlers use it too)."""
    assert update.effective_chat and update.effective_user
    await send_replies(context, update.effective_chat.id, update.effective_user.id, outcome.replies)
    if outcome.notices:
        await common.send_notices(context.services, context.bot, outcome.notices)


@guard.requires(Action.PROBLEMS, private=True)
async def problems_command(update: Update, context: BotContext, who: Roles) -> None:
    """List open problems: one's own unit's, or (coordinators) filtered by unit, status, 逾期."""
    services = context.services
    replies = await services.writes(listing.listing, services, who, text=" ".join(context.args or []), language=context.language(update), now=services.clock.now())
    await answer(update, context, Outcome(replies))


@guard.requires(Action.PROBLEM_REGISTER, private=True)
async def new_problem(update: Update, context: BotContext, who: Roles) -> None:
    """Register a problem, one question at a time."""
    services = context.services
    await answer(update, context, await services.writes(register.start, services, who, language=context.language(update), now=services.clock.now()))


@guard.requires(Action.EXPORT, private=True)
async def bulletin(update: Update, context: BotContext, who: Roles) -> None:
    """情况通报: counts per unit and the overdue problems, to send up or circulate."""
    services = context.services
    text = await services.writes(problem_export.bulletin, services, unit_ids=who.visible_units, language=context.language(update), now=services.clock.now())
    await answer(update, context, Outcome([common.Reply(text)]))


@guard.requires(Action.PROBLEM_ADMIN, private=True)
async def import_problems(update: Update, context: BotContext, who: Roles) -> None:
    """Ask for the 问题清单 workbook."""
    assert update.message and who.person_id is not None
    services = context.services
    await services.writes(drafts.save, services, person_id=who.person_id, flow=FLOW_IMPORT, state="file", data={}, now=services.clock.now())
    await update.message.reply_text(context.text(update, "problems.import.ask"))


@guard.button(Action.PROBLEMS, private=True)
async def on_button(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Open a problem, and every step of it (签收, 整改, 验收, 退回, 销号) and of registering one."""
    query = update.callback_query
    assert query is not None
    if len(pressed.args) < 2:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    services = context.services
    language, now = context.language(update), services.clock.now()
    op, pid = pressed.args[0], pressed.int_arg(1)
    steps = {
        "a": lifecycle.acknowledge, "r": lifecycle.start_report, "rs": lifecycle.submit_report,
        "ok": lifecycle.verify, "x": lifecycle.close, "ret": lifecycle.start_return,
    }
    if op == "v":
        outcome = Outcome(await services.writes(lifecycle.show, services, who, problem_id=pid, language=language, now=now))
    elif op in steps:
        outcome = await services.writes(steps[op], services, who, problem_id=pid, language=language, now=now)
    elif op == "c":
        outcome = await services.writes(lifecycle.cancel, services, who, language=language)
        assert who.person_id is not None
        await services.writes(drafts.delete, services, person_id=who.person_id, flow=common.FLOW_NEW)
    elif op in ("nu", "ns", "ny"):
        outcome = await services.writes(register.choose, services, who, op=op, arg=pid, language=language, now=now)
    else:
        await query.answer(context.text(update, "error.stale-button"), show_alert=True)
        return
    await query.answer()
    await answer(update, context, outcome)


async def _still(update: Update, context: BotContext, current: Current, action: Action) -> Roles | None:
    """The user's roles if they may still go on with this conversation; else the draft is dropped."""
    who = guard.roles_for(update, context)
    if not who.may(action):
        await context.services.writes(drafts.delete, context.services, person_id=current.person_id, flow=current.flow)
        return None
    return who


@conversation.flow(common.FLOW_NEW)
async def on_new_message(update: Update, context: BotContext, current: Current) -> None:
    """An answer while registering a problem."""
    assert update.message
    who = await _still(update, context, current, Action.PROBLEM_REGISTER)
    if who is None:
        await update.message.reply_text(context.text(update, "error.not-allowed"))
        return
    services = context.services
    outcome = await services.writes(register.answer, services, who, state=current.state, data=current.data, text=update.message.text or update.message.caption or "",
                              language=context.language(update), now=services.clock.now())
    await answer(update, context, outcome)


@conversation.flow(common.FLOW_REPORT)
async def on_report_message(update: Update, context: BotContext, current: Current) -> None:
    """The rectification: text, and evidence files."""
    assert update.message
    who = await _still(update, context, current, Action.PROBLEMS)
    if who is None:
        await update.message.reply_text(context.text(update, "error.not-allowed"))
        return
    services = context.services
    language, now = context.language(update), services.clock.now()
    incoming = incoming_file(update.message)
    if incoming is not None:
        attachment = await downloaded(update, context, incoming, now=now)
        if attachment is None:
            return
        assert attachment.id is not None
        outcome = await services.writes(lifecycle.report_file, services, who, data=current.data, attachment_id=attachment.id, name=incoming.file_name, language=language, now=now)
        if update.message.caption:
            fresh = await services.reads(drafts.get, services, person_id=current.person_id, flow=current.flow)
            text_outcome = await services.writes(lifecycle.report_text, services, who, data=dict(fresh.data) if fresh else current.data, text=update.message.caption, language=language, now=now)
            outcome = text_outcome  # (its answer counts the file just taken)
    else:
        outcome = await services.writes(lifecycle.report_text, services, who, data=current.data, text=update.message.text or "", language=language, now=now)
    await answer(update, context, outcome)


@conversation.flow(common.FLOW_RETURN)
async def on_return_comment(update: Update, context: BotContext, current: Current) -> None:
    """The comment of a return (退回)."""
    assert update.message
    who = await _still(update, context, current, Action.PROBLEMS)
    if who is None:
        await update.message.reply_text(context.text(update, "error.not-allowed"))
        return
    services = context.services
    outcome = await services.writes(lifecycle.return_with, services, who, data=current.data, comment=update.message.text or "", language=context.language(update), now=services.clock.now())
    await answer(update, context, outcome)


@conversation.flow(FLOW_IMPORT)
async def on_import_file(update: Update, context: BotContext, current: Current) -> None:
    """The 问题清单 workbook: read off the event loop, all rows or none."""
    assert update.message
    who = await _still(update, context, current, Action.PROBLEM_ADMIN)
    if who is None:
        await update.message.reply_text(context.text(update, "error.not-allowed"))
        return
    document = update.message.document
    if document is None or not (document.file_name or "").lower().endswith((".xlsx", ".xlsm")):
        await update.message.reply_text(context.text(update, "problems.import.ask"))
        return
    if (document.file_size or 0) > importing.MAX_UNPACKED:
        await update.message.reply_text(context.text(update, "problems.import.too-big"))
        return
    services = context.services
    data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    sheet = await asyncio.to_thread(importing.read_rows, services, data)
    outcome = await services.writes(importing.import_rows, services, who, sheet, language=context.language(update), now=services.clock.now())
    if outcome.finished:  # a refused workbook keeps the conversation: the corrected one may follow
        await services.writes(drafts.delete, services, person_id=current.person_id, flow=FLOW_IMPORT)
    await answer(update, context, outcome)
