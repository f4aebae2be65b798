"""/outstanding and /status: who has not filed, and how every report stands; paged with signed buttons (`bot.services.coordinator.pages`)."""

from __future__ import annotations

from telegram import Update

from bot.buttons import Button
from bot.context import BotContext
from bot.services.coordinator import pages
from bot.services.people.access import Action, Roles
from handlers.guard import button, is_private, refuse, requires
from handlers.replies import reply

_SPECS = "view_specs"
_KEEP_SPECS = 20


def _spec(context: BotContext) -> str:
    return " ".join(context.args or []).replace("|", " ").strip()


def _remembering(context: BotContext) -> pages.Remember:
    """Keep typed queries in this user's data for their page buttons (callback data holds 64 bytes; a query may not fit)."""

    def remember(spec: str) -> int:
        assert context.user_data is not None  # (private chats have user data)
        specs: dict[int, str] = context.user_data.setdefault(_SPECS, {})
        ref = max(specs, default=0) + 1
        specs[ref] = spec
        for old in sorted(specs)[:-_KEEP_SPECS]:
            del specs[old]
        return ref

    return remember


def _recall(context: BotContext, pressed: Button) -> str | None:
    """The query a page button refers to; None once forgotten (a restart): the button is stale."""
    if len(pressed.args) < 2:
        return ""
    specs: dict[int, str] = (context.user_data or {}).get(_SPECS, {})
    return specs.get(pressed.int_arg(1))


async def _outstanding(update: Update, context: BotContext, who: Roles, spec: str, page: int) -> None:
    services = context.services
    replies = await services.reads(pages.outstanding,
        services, who, spec, page=page, private=is_private(update), pressed=update.callback_query is not None,
        remember=_remembering(context), language=context.language(update), now=services.clock.now(),
    )
    await reply(context, update, replies)


@requires(Action.OUTSTANDING)
async def outstanding(update: Update, context: BotContext, who: Roles) -> None:
    """List the units that have not filed: overdue and due within the next days, or a report/period asked for."""
    await _outstanding(update, context, who, _spec(context), 0)


@button(Action.OUTSTANDING)
async def outstanding_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Another page of /outstanding."""
    spec = _recall(context, pressed)
    if spec is None:
        await refuse(update, context, "error.stale-button")
        return
    await _outstanding(update, context, who, spec, pressed.int_arg(0))


async def _status(update: Update, context: BotContext, who: Roles, spec: str, page: int) -> None:
    services = context.services
    replies = await services.reads(pages.status,
        services, who, spec, page=page, pressed=update.callback_query is not None, remember=_remembering(context),
        language=context.language(update), now=services.clock.now(),
    )
    await reply(context, update, replies)


@requires(Action.STATUS)
async def status(update: Update, context: BotContext, who: Roles) -> None:
    """How each report stands per period: on time, late, not yet, returned; tap an item for its units."""
    await _status(update, context, who, _spec(context), 0)


@button(Action.STATUS)
async def status_page(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """Another page of /status."""
    spec = _recall(context, pressed)
    if spec is None:
        await refuse(update, context, "error.stale-button")
        return
    await _status(update, context, who, spec, pressed.int_arg(0))


@button(Action.STATUS)
async def status_item(update: Update, context: BotContext, who: Roles, pressed: Button) -> None:
    """The units of one due item, by state (not yet first)."""
    replies = await context.services.reads(pages.item_units,
        context.services, who, pressed.int_arg(0), page=pressed.int_arg(1), private=is_private(update), language=context.language(update)
    )
    await reply(context, update, replies)
