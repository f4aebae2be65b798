"""/export, /compile, /chart: the workbook, the compiled Word document and the compliance picture, sent in chat."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.context import BotContext
from bot.services.deadlines import adhoc
from bot.services.coordinator import chart
from bot.services.coordinator import compile as compiler
from bot.services.coordinator import export
from bot.services.coordinator import views as v
from bot.services.coordinator import bundle
from bot.services.problems import chart as problem_chart
from bot.services.coordinator.paper import Labels, safe_name
from bot.services.people.access import Action, Roles
from bot.texts.catalog import tn
from handlers.guard import requires


@requires(Action.EXPORT, private=True)
async def export_command(update: Update, context: BotContext, who: Roles) -> None:
    """Send the Excel workbook: register, 附件1 statistics, 附件10 roster (personal data: private chats only)."""
    assert update.message
    services = context.services
    now = services.clock.now()
    language = context.language(update)
    result = await asyncio.to_thread(export.build_workbook, services, now=now, language=language, unit_ids=who.visible_units)
    name = Labels(language)("file-export", date=f"{now.astimezone(services.config.campaign.tz):%Y%m%d}")
    caption = context.text(update, "export.done", units=tn(context.language(update), "counts.units", result.units), rows=result.register_rows)
    await update.message.reply_document(document=result.data, filename=name, caption=caption)


@requires(Action.EXPORT, private=True)
async def compile_command(update: Update, context: BotContext, who: Roles) -> None:
    """Send a period's typical cases (附件8) and summaries (附件9) as one Word document, or with "附件" a .zip with every file."""
    assert update.message
    services = context.services
    words = list(context.args or [])
    language = context.language(update)
    L = Labels(language)
    bundle_words = set(Labels("zh-CN")("bundle.words").split()) | set(Labels("en")("bundle.words").split())
    with_files = bool(words) and words[-1].lower() in bundle_words
    phrase = " ".join(words[:-1] if with_files else words).strip()
    if not phrase:
        await update.message.reply_text(context.text(update, "export.compile-usage"))
        return
    now = services.clock.now()
    result = await asyncio.to_thread(compiler.compile_period, services, phrase, now=now, language=language, unit_ids=who.visible_units)
    if result is None:
        await update.message.reply_text(context.text(update, "coordinator.unknown-period", word=phrase))
        return
    if not result.cases and not result.summaries:
        await update.message.reply_text(context.text(update, "export.compile-empty", period=result.period))
        return
    document_name = Labels("zh-CN")("file-compile", period=safe_name(result.period))
    if not with_files:
        caption = context.text(update, "export.compile-done", period=result.period, parts=result.counts(L))
        if result.files:
            caption += "\n" + context.text(update, "paperwork.bundle.hint", files=result.files, phrase=phrase)
        await update.message.reply_document(document=result.data, filename=L("file-compile", period=safe_name(result.period)), caption=caption)
        return
    packed = await asyncio.to_thread(bundle.build, services, result, document_name=document_name)
    if len(packed.data) > bundle.SEND_LIMIT:
        await update.message.reply_text(context.text(update, "paperwork.bundle.too-big", size=round(len(packed.data) / 1e6, 1), phrase=phrase))
        return
    caption = context.text(update, "paperwork.bundle.done", period=result.period, parts=result.counts(L), files=packed.files)
    if packed.missing:
        caption += "\n" + context.text(update, "paperwork.bundle.missing", missing=packed.missing)
    await update.message.reply_document(document=packed.data, filename=L("file-bundle", period=safe_name(result.period)), caption=caption)


@requires(Action.STATUS)
async def chart_command(update: Update, context: BotContext, who: Roles) -> None:
    """Send the compliance picture of a report (default: the one due next that has periods due)."""
    assert update.message
    services = context.services
    now = services.clock.now()
    word = " ".join(context.args or []).strip()
    language = context.language(update)
    if word.lower() in problem_chart.WORDS:  # the 问题清单's counts per unit
        try:
            drawn = await asyncio.to_thread(problem_chart.render, services, now=now, language=language, unit_ids=who.visible_units)
        except chart.NoCJKFont:
            await update.message.reply_text(context.text(update, "chart.no-font"))
            return
        if drawn is None:
            await update.message.reply_text(context.text(update, "chart.problems-none"))
        else:
            await update.message.reply_photo(photo=drawn.png, caption=context.text(update, "chart.problems-caption"))
        return
    reports = await services.writes(adhoc.report_types, services)
    if word:
        report = v.match_report(reports, word)
        if report is None:
            await update.message.reply_text(context.text(update, "chart.usage", word=word))
            return
        candidates = [report]
    else:
        candidates = await asyncio.to_thread(chart.next_due_first, services, [r for r in reports if r.schedule.kind != "any_time"], now=now)
    try:
        for report in candidates:
            drawn = await asyncio.to_thread(chart.render, services, report, now=now, language=language, unit_ids=who.visible_units)
            if drawn is not None:
                caption = context.text(update, "chart.caption", report=v.title_of(report, report.key, language))
                await update.message.reply_photo(photo=drawn.png, caption=caption)
                return
    except chart.NoCJKFont:
        await update.message.reply_text(context.text(update, "chart.no-font"))
        return
    title = v.title_of(candidates[0], candidates[0].key, language) if candidates else word
    await update.message.reply_text(context.text(update, "chart.no-data", report=title))
