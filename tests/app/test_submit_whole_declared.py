"""A case pasted whole fills the report type's *declared* form (other keys and labels, the fine in 万元, a field for
the 决定书文号): the fields are found by their kind and label, never by a fixed table."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.forms_config import Form
from bot.models import ObligationStatus, Person
from bot.storage import Storage, due
from emulator import Emulator
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.app.test_submit_pasted import WITH_HEADINGS
from tests.fixtures.app import RunningBot, campaign_config, start_bot, stop_bot

LIAISON = 7081

pytestmark = pytest.mark.usefixtures("files_dir")

DECLARED = Form.model_validate({"fields": [
    {"key": "case_name", "kind": "text", "label": "案件名称", "label_en": "Case", "max_length": 100},
    {"key": "facts", "kind": "text", "label": "一、违法事实", "label_en": "Facts"},
    {"key": "outcome", "kind": "text", "label": "二、处理决定", "label_en": "Outcome"},
    {"key": "decision_no", "kind": "text", "label": "处罚决定书文号", "label_en": "Decision number", "optional": True},
    {"key": "penalty_on", "kind": "date", "label": "决定日期", "label_en": "Decided on"},
    {"key": "penalty", "kind": "amount", "label": "罚没金额", "label_en": "Penalty", "unit": "万元", "decimals": 2, "optional": True},
    {"key": "referred", "kind": "yes_no", "label": "是否移送司法机关", "label_en": "Referred"},
    {"key": "scan", "kind": "file", "label": "决定书扫描件", "label_en": "Decision scan", "types": ["PDF"], "optional_if": "referred"},
]})

# the same case under this form's own headings (none of the usual ones)
PASTED = WITH_HEADINGS.replace("一、案情概述", "一、违法事实").replace("二、查办结果", "【处理决定】")


@pytest.fixture
async def declared_bot(emulator: Emulator, storage: Storage, now: datetime) -> AsyncIterator[RunningBot]:
    base = campaign_config(emulator)
    reports = [r.model_copy(update={"form": DECLARED}) if r.key == "typical_case" else r for r in base.report_types]
    bot = await start_bot(campaign_config(emulator, report_types=reports), storage, FixedClock(now), emulator)
    try:
        yield bot
    finally:
        await stop_bot(bot)


async def test_a_pasted_case_fills_the_declared_form(
    declared_bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    liaison_of(declared_bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = declared_bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    read = await says(user, PASTED, "已从您发送的整篇案例中识别出")
    assert "处罚决定书文号、案件名称、一、违法事实、二、处理决定、决定日期、罚没金额、是否移送司法机关" in read.text
    assert "还需要补充：决定书扫描件。" in read.text
    await user.wait_for(lambda m: "决定书扫描件" in m.text)
    await user.send_document(PDF, "扫描件.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "叶市监罚〔2023〕15号" in preview.text and "5.12" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    unit = declared_bot.storage.units.get_unit_by_code(code="pgs")
    with declared_bot.storage.session() as s:
        view = next(v for v in due.obligations_of_unit(s, unit_id=unit.id)
                    if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")
    assert view.obligation.status is ObligationStatus.done
    [filed] = declared_bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    values = filed.data["values"]
    assert (values["case_name"], values["decision_no"], values["penalty_on"], values["penalty"], values["referred"]) == (
        "平岗所报送某药店销售假药案", "叶市监罚〔2023〕15号", "2023-08-10", "5.12", False)
    assert values["facts"].startswith("2023年7月") and values["outcome"].startswith("依据《药品管理法》")
