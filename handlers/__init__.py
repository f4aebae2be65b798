"""Telegram in and out: `register(app)` adds every handler, in the one order that matters."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from bot.services.people.access import Action
from handlers import announce, conversation, coordinator, deadline, due, errors, export, group, guard, invites, menus, notices, problems, registration, remind, removal, reminders, review, roster, signoff, start, submit, tasks, web


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the handlers; earlier ones win."""
    app.add_handler(TypeHandler(Update, guard.know), group=-3)  # who the user is, read off the loop before any handler
    # Commands in group chats: /group, else a short answer or silence; nothing else runs there (issue 17).
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, group.on_group_command), group=-2)
    app.add_handler(CommandHandler("start", guard.gate(Action.START, start.start)))
    app.add_handler(CommandHandler("help", guard.gate(Action.HELP, start.help_command)))
    app.add_handler(CommandHandler("lang", guard.gate(Action.LANG, start.lang)))
    app.add_handler(CommandHandler("cancel", guard.gate(Action.CANCEL, start.cancel)))
    app.add_handler(CallbackQueryHandler(guard.gate(Action.LANG, start.lang_chosen), pattern=r"^lang:"))
    # Registration, invites, roster (issue 4).
    app.add_handler(CommandHandler("me", registration.me))
    app.add_handler(CommandHandler("invite", invites.invite))
    app.add_handler(CommandHandler("liaisons", roster.liaisons))
    app.add_handler(CallbackQueryHandler(registration.on_edit, pattern=r"^reg:e\|"))
    app.add_handler(CallbackQueryHandler(registration.on_confirm, pattern=r"^reg:ok\|"))
    app.add_handler(CallbackQueryHandler(registration.on_me_edit, pattern=r"^me:e\|"))
    app.add_handler(CallbackQueryHandler(invites.on_unit, pattern=r"^inv:u\|"))
    app.add_handler(CallbackQueryHandler(invites.on_page, pattern=r"^inv:p\|"))
    app.add_handler(CallbackQueryHandler(invites.on_role, pattern=r"^inv:r\|"))
    app.add_handler(CallbackQueryHandler(roster.on_page, pattern=r"^ros:p\|"))
    app.add_handler(CommandHandler("backups", removal.backups))  # remove a backup liaison (issue 17)
    app.add_handler(CommandHandler("invites", removal.invites))  # revoke an unused invite (issue 17)
    app.add_handler(CallbackQueryHandler(removal.on_button, pattern=removal.BUTTONS))
    app.add_handler(CommandHandler("due", due.due_command))
    app.add_handler(CallbackQueryHandler(due.on_page, pattern=r"^duep\|"))
    app.add_handler(CommandHandler("submit", submit.submit))
    app.add_handler(CommandHandler("review", review.review_command))
    app.add_handler(CallbackQueryHandler(submit.on_button, pattern=submit.BUTTONS))
    app.add_handler(CallbackQueryHandler(review.on_button, pattern=review.BUTTONS))
    app.add_handler(CallbackQueryHandler(signoff.on_button, pattern=signoff.BUTTONS))  # the unit head's sign-off
    # Any command drops a return comment still awaited (group -1 runs first and does not stop the command).
    # An edited message: the corrected answer to an open question, else a hint (and no later handler).
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, conversation.on_edited), group=-2)
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, review.drop_pending_return), group=-1)
    conversation.set_fallback(submit.on_free_message)
    # Reminders (issue 5): /remind, its buttons, and "remind me later".
    app.add_handler(CommandHandler("remind", guard.gate(Action.REMIND, remind.remind)))
    app.add_handler(CallbackQueryHandler(guard.gate(Action.REMIND, remind.pressed), pattern=r"^rm[rpcx]\|"))
    app.add_handler(CallbackQueryHandler(reminders.snooze_pressed, pattern=r"^snz\|"))
    # Coordinator views, ad-hoc deadlines, exports (issue 7).
    app.add_handler(CommandHandler("outstanding", coordinator.outstanding))
    app.add_handler(CommandHandler("status", coordinator.status))
    app.add_handler(CallbackQueryHandler(coordinator.outstanding_page, pattern=r"^out\|"))
    app.add_handler(CallbackQueryHandler(coordinator.status_page, pattern=r"^st\|"))
    app.add_handler(CallbackQueryHandler(coordinator.status_item, pattern=r"^sti\|"))
    app.add_handler(CommandHandler("deadline", deadline.deadline))
    app.add_handler(CallbackQueryHandler(deadline.on_button, pattern=r"^dl\|"))
    app.add_handler(CommandHandler("export", export.export_command))
    app.add_handler(CommandHandler("compile", export.compile_command))
    app.add_handler(CommandHandler("chart", export.chart_command))
    # The web dashboard's login link (issue 19).
    app.add_handler(CommandHandler("web", web.web_command))
    # 问题清单 and 销号 (issue 13).
    app.add_handler(CommandHandler("problems", problems.problems_command))
    app.add_handler(CommandHandler("newproblem", problems.new_problem))
    app.add_handler(CommandHandler("importproblems", problems.import_problems))
    app.add_handler(CommandHandler("bulletin", problems.bulletin))
    app.add_handler(CallbackQueryHandler(problems.on_button, pattern=problems.BUTTONS))
    # 工作任务 with 牵头/配合 units (issue 13).
    app.add_handler(CommandHandler("tasks", tasks.tasks_command))
    app.add_handler(CommandHandler("importtasks", tasks.import_tasks))
    app.add_handler(CallbackQueryHandler(tasks.on_button, pattern=tasks.BUTTONS))
    # Notices (issue 17): how coordinators hear of filings, announcements with receipts, group chats.
    app.add_handler(CommandHandler("notify", notices.notify))
    app.add_handler(CallbackQueryHandler(notices.on_notify, pattern=notices.NOTIFY_BUTTONS))
    app.add_handler(CommandHandler("announce", announce.announce))
    app.add_handler(CommandHandler("announcements", announce.announcements))
    app.add_handler(CallbackQueryHandler(announce.on_button, pattern=announce.BUTTONS))
    app.add_handler(CallbackQueryHandler(announce.on_receipt_button, pattern=announce.RECEIPT_BUTTONS))
    # Flow modules register their commands and buttons above this line.
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & (filters.TEXT | filters.Document.ALL | filters.PHOTO) & ~filters.COMMAND,
            conversation.on_message,
        )
    )
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, conversation.unsupported))
    app.add_handler(MessageHandler(filters.COMMAND, conversation.unknown_command))
    app.add_handler(CallbackQueryHandler(errors.stale_button))
    app.add_handler(TypeHandler(Update, menus.after_update), group=1)  # after the answer: the menu the person's roles call for
    app.add_error_handler(errors.on_error)
