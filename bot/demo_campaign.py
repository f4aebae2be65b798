"""The demo's walk-through for any campaign file: a liaison registers and files that campaign's own forms.

`liaison-bot demo --config campaigns/X.toml --script` plays this instead of the shipped campaign's
walk-through: the coordinator invites a liaison of the campaign's first unit that owes a report
filed by message, the liaison registers, then files each report open now (their declared forms,
one answer per step: sample text, figures that keep the table's checks, a file where one is asked).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from bot.config import Config
from bot.forms_config import TableForm
from bot.services.submissions import flow
from bot.services.submissions.forms import Kind, Step, fileable, form_of, steps_of
from schedules import ChinaCalendar, all_due_items

DEMO_PDF = b"%PDF-1.4\n% liaison-bot demo: a stand-in document\n" + b"0" * 256 + b"\n%%EOF\n"
MAX_STEPS = 60  # a walk-through never loops on a step it cannot answer


def is_shipped_campaign(config: Config) -> bool:
    """Whether the shipped walk-through (平岗所, 史河所, 典型案例) fits this config."""
    names = {u.name for u in config.units}
    return {"平岗市场监管所", "史河市场监管所"} <= names and any(r.key == "typical_case" for r in config.report_types)


def start_moment(config: Config, default: datetime) -> datetime:
    """The sandbox clock: `default` if it is inside the campaign, else 09:00 a week before its first deadline."""
    c = config.campaign
    if c.start <= default.astimezone(c.tz).date() <= c.end:
        return default
    reports = [r for r in config.report_types if fileable(r.template) and r.schedule.kind != "any_time"]
    items = all_due_items(reports, tz=c.tz, start=c.start, end=c.end, calendar=ChinaCalendar(config.calendar))
    first = min((i.due_at for i in items if i.due_at is not None), default=None)
    day = first.astimezone(c.tz).date() - timedelta(days=7) if first is not None else c.start + timedelta(days=9)
    return datetime.combine(max(day, c.start), time(9, 0), tzinfo=c.tz)


def _row(table: TableForm) -> str:
    """Figures that keep every declared check: the first column largest, then ones."""
    first = True
    parts = []
    for column in table.columns:
        parts.append("10" if first else ("0.5" if column.kind == "amount" and column.decimals else "1"))
        first = False
    return " ".join(parts)


def _answer(st: Step, table: TableForm | None, values: dict[str, Any]) -> tuple[str, str] | None:
    """('say', text), ('press', label), ('file', name) for a step; None: not answerable."""
    f = st.field
    if st.kind is Kind.STATS_ROW and table is not None:
        return ("say", _row(table))
    if st.kind in (Kind.TEXT, Kind.SECTION):
        limit = f.max_length if f is not None else 200
        return ("say", f"（演示）{st.label('zh-CN')}的内容。"[:limit])
    if st.kind is Kind.WHOLE:
        return ("say", str(max(f.min or 0, 3)) if f is not None else "3")
    if st.kind is Kind.AMOUNT:
        return ("say", "1.5万元" if f is not None and f.unit == "元" else "1.5")
    if st.kind is Kind.DATE:
        return ("say", "昨天")
    if st.kind is Kind.PHONE:
        return ("say", "0564-6012345")
    if st.kind is Kind.YES_NO:
        return ("press", "否")
    if st.kind is Kind.CHOICE and f is not None:
        return ("press", f.options[0].label)
    if st.kind is Kind.FILE:
        return ("file", f"{st.label('zh-CN')}.pdf")
    if st.kind is Kind.NOTE:
        if st.key == "note":
            return ("press", "确认已录入")
        return ("press", "完成") if values.get(st.key) else ("say", "（演示）报送内容。")
    return None


async def _register(tr: Any, coordinator: Any, liaison: Any, unit: str, link_token: Callable[[list[Any]], str]) -> None:
    tr.note(f"The coordinator invites a liaison officer for {unit}; 张伟 registers through the link.")
    await tr.say(coordinator, "/invite")
    await tr.press(coordinator, unit)
    token = link_token(await tr.press(coordinator, "联络员"))
    with tr.quietly():
        await tr.say(liaison, f"/start {token}")
        for answer in ("张伟", unit, "科长", "0564-6012345", "138 0564 1234", "zhangwei@example.gov.cn"):
            await tr.say(liaison, answer)
    await tr.press(liaison, "✅ 确认登记")


async def script_campaign(tr: Any, coordinator: Any, liaison: Any, link_token: Callable[[list[Any]], str]) -> None:
    """Register a liaison, then file every report of the campaign open now, by its own form.

    `tr` is the demo's Transcript, `coordinator` and `liaison` its personas."""
    sandbox = tr.sandbox
    config = sandbox.config
    owing = [r for r in config.report_types if fileable(r.template) and r.schedule.kind != "any_time"]
    unit = next(u for u in config.units if any(not r.owed_by or set(r.owed_by) & set(u.tags) for r in owing))
    await _register(tr, coordinator, liaison, unit.name, link_token)
    services = sandbox.app.bot_data["services"]
    person = services.storage.people.get_person_by_telegram_id(telegram_user_id=liaison.user_id)
    assert person is not None and person.id is not None
    listing = await tr.say(liaison, "/submit")
    labels = [b for m in listing for b in m.button_texts if not b.startswith(("零报告", "修改已报", "再报"))]
    for label in labels:
        tr.note(f"张伟 files “{label}” with the campaign's own form.")
        await tr.press(liaison, label)
        for _ in range(MAX_STEPS):
            draft = services.storage.drafts.get_draft(person_id=person.id, flow=flow.FLOW)
            if draft is None or draft.state in ("preview", "lower", "change", "choose"):
                break
            report = next((r for r in config.report_types if r.key == draft.data.get("report_key")), None)
            form = form_of(report) if report is not None else None
            st = next((s for s in steps_of(form) if s.key == draft.state), None)
            values = dict(draft.data.get("values") or {})
            answer = _answer(st, form.table if form is not None else None, values) if st is not None else None
            if answer is None:
                break
            how, what = answer
            if how == "say":
                await tr.say(liaison, what)
            elif how == "press":
                await tr.press(liaison, what)
            else:
                print(f"\n{liaison.first_name} › 📎 {what}", file=tr.out)
                await sandbox.user(liaison).send_document(DEMO_PDF, file_name=what, mime_type="application/pdf")
                await tr.show()
        draft = services.storage.drafts.get_draft(person_id=person.id, flow=flow.FLOW)
        if draft is not None and draft.state == "lower":
            await tr.press(liaison, "确认是更正")
        await tr.press(liaison, "✅ 确认提交")
    tr.note("The coordinator asks for the filing status of every report.")
    await tr.say(coordinator, "/status")
