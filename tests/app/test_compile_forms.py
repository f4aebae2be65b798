"""/compile for any declared form, through the emulator: 瑶海's risk consultation (campaigns/yaohai-2025.toml,
no case fields) is compiled from its own declaration; in English the document's headings and labels
are English while the page stays GB/T 9704."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.shared import Mm, Pt

from bot.clock import FixedClock
from bot.config import People, TelegramSettings, load_config
from bot.models import SubmissionKind
from bot.storage import Storage, due
from emulator import Emulator
from tests.app.helpers_coordinator import case_data, file, liaison
from tests.app.test_coordinator import ask
from tests.app.test_paperwork_word import _document, _fonts
from tests.fixtures.app import COORDINATOR, LEADER, RunningBot, start_bot, stop_bot

YAOHAI = Path(__file__).resolve().parents[2] / "campaigns" / "yaohai-2025.toml"
pytestmark = pytest.mark.usefixtures("files_dir")


@pytest.fixture
async def yaohai_bot(emulator: Emulator, storage: Storage) -> AsyncIterator[RunningBot]:
    """The 瑶海 campaign file, on 2025-04-20 (the first quarter's consultation is due)."""
    config = load_config(YAOHAI).model_copy(update={
        "telegram": TelegramSettings(api_url=emulator.url),
        "people": People(coordinators=[COORDINATOR], leaders=[LEADER]),
    })
    bot = await start_bot(config, storage, FixedClock(datetime(2025, 4, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


async def test_a_declared_form_without_case_fields_is_compiled_from_its_declaration(yaohai_bot: RunningBot) -> None:
    storage, now = yaohai_bot.storage, yaohai_bot.clock.now()
    person = liaison(storage, "scjgj", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    with storage.session() as s:
        [q1] = [d for d in due.list_due_items(s, report_key="risk_consultation") if d.period_label == "2025年第一季度"]
    values = {"held_on": "2025-03-20", "units": "区卫生健康委、区医保局", "signals": "一、网售处方药风险\n（一）平台审方不严",
              "risks_listed": 3, "risks_closed": 2}
    file(storage, "scjgj", "risk_consultation", q1.period_key, person=person, kind=SubmissionKind.case, data={"values": values, "files": {}}, at=now)
    user = yaohai_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/compile 一季度", "汇编")
    assert "2025年第一季度汇编：药品安全风险会商 1 篇。" in reply.text
    name, data = _document(yaohai_bot, reply)
    assert name == "报送材料汇编_2025年第一季度.docx"
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[0] == "瑶海区2025年药品安全工作报送材料汇编"
    heading = texts.index("区市场监管局药品安全风险会商（2025年第一季度）")
    assert texts[heading + 2 : heading + 4] == ["填报单位：区市场监管局", "填报日期：2025年4月20日"]
    assert "参加单位：区卫生健康委、区医保局" in texts
    signals = texts.index("研判的风险信号：一、网售处方药风险")
    assert texts[signals + 1] == "（一）平台审方不严"
    assert "会商日期：2025年3月20日；列入风险清单数：3项；已处置销号数：2项。" in texts
    assert not any("案情概述" in t or "报送案" in t for t in texts)  # nothing of the case form assumed


async def test_compile_in_english_has_english_headings_in_the_official_layout(export_bot: RunningBot) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    li = liaison(storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("销售假药"), at=now)
    file(storage, "shs", "typical_case", "2023-08", person=li, kind=SubmissionKind.case, data=case_data("无证经营药品"), at=now)
    user = export_bot.emulator.user(COORDINATOR, first_name="Su", language_code="en")
    reply = await ask(user, "/compile 8月", "Compilation")
    assert "Compilation for August 2023: Typical cases: 2." in reply.text
    name, data = _document(export_bot, reply)
    assert name == "compilation_August 2023.docx"
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["Yeji District drug safety consolidation campaign: compiled submissions", "(August 2023)", "as of 2023-8-16"]
    contents = texts.index("Contents")
    assert texts[contents + 2 : contents + 5] == ["1. Typical cases", "(1) 平岗市场监管所: 销售假药", "(2) 史河市场监管所: 无证经营药品"]
    case = texts.index("平岗市场监管所: 销售假药")
    assert texts[case + 2 : case + 4] == ["Unit: 平岗市场监管所", "Filed on: 2023-8-16"]
    assert texts[case + 4] == "1. Case overview" and texts[case + 6] == "2. Outcome"
    assert "Decision date: 2023-8-1; Fine and confiscation: 50000 yuan; Referred to the police: no." in texts
    # the official layout is kept: A4, margins, the title and body fonts, the headings' font
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.top_margin - Mm(37)) < Mm(0.2)
    assert _fonts(doc.paragraphs[0].style) == "方正小标宋简体" and doc.paragraphs[0].style.font.size == Pt(22)
    assert _fonts(doc.paragraphs[case + 4].style) == "黑体"
