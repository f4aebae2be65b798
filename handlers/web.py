"""/web: a coordinator's one-time login link to the dashboard (private chats only)."""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update

from bot.context import BotContext
from bot.services.dashboard import login
from bot.services.people.access import Action, Roles
from handlers.guard import requires


@requires(Action.WEB, private=True)
async def web_command(update: Update, context: BotContext, who: Roles) -> None:
    """Send a login link bound to this coordinator; no preview, so nothing fetches it first."""
    assert update.message
    services = context.services
    url = await services.writes(login.issue_link, services, who, language=context.language(update), now=services.clock.now())
    if url is None:
        await update.message.reply_text(context.text(update, "web.disabled"))
        return
    await update.message.reply_text(context.text(update, "web.link", url=url), link_preview_options=LinkPreviewOptions(is_disabled=True))
