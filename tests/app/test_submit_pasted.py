"""A typical case pasted whole in chat (附件8 layout, or without headings): the fields recognised, only
what is missing asked, the preview confirmed before anything is filed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.models import ObligationStatus, Person
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7051

pytestmark = pytest.mark.usefixtures("files_dir")

WITH_HEADINGS = """平岗所报送某药店销售假药案
一、案情概述
2023年7月，执法人员在日常检查中发现某药店销售的“复方甘草片”无批准文号，现场查扣12盒。
二、查办结果
依据《药品管理法》第一百一十六条，我局于2023年8月10日作出行政处罚决定（叶市监罚〔2023〕15号），没收违法所得1200元，并处罚款5万元，因不涉嫌犯罪未移送公安机关。"""

WITHOUT_HEADINGS = """某诊所使用过期医疗器械<案>
2023年6月，执法人员检查发现某诊所使用已过有效期的一次性无菌注射器30支。经调查，该诊所自2023年3月起购进上述器械。
依据《医疗器械监督管理条例》第八十九条，对其处以罚款2万元。案件已移送公安机关。"""


async def _at_title(bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> Any:
    liaison_of(bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    return user


def _filed(bot: RunningBot) -> dict[str, Any]:
    unit = bot.storage.units.get_unit_by_code(code="pgs")
    with bot.storage.session() as s:
        from bot.storage import due

        view = next(v for v in due.obligations_of_unit(s, unit_id=unit.id)
                    if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")
    assert view.obligation.status is ObligationStatus.done
    [filed] = bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    return dict(filed.data["values"])


async def test_case_with_headings_asks_only_for_the_decision(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    read = await says(user, WITH_HEADINGS, "已从您发送的整篇案例中识别出")
    assert "案件名称、一、案情概述、二、查办结果、处罚决定日期、罚没款金额、是否移送公安机关" in read.text
    assert "行政处罚决定书文号：叶市监罚〔2023〕15号" in read.text and "还需要补充：行政处罚决定书。" in read.text
    await user.wait_for(lambda m: "行政处罚决定书" in m.text and "PDF" in m.text)
    assert not [m for m in user.history if m.text.startswith(("请输入案情概述", "请输入查办结果", "请输入处罚决定日期"))]
    assert not await _draft_filed(bot_app)  # nothing filed before the preview is confirmed
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "51200元（5.12万元）" in preview.text and "2023年8月10日" in preview.text and "决定书.pdf" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    values = _filed(bot_app)
    assert values["title"] == "平岗所报送某药店销售假药案"
    assert values["overview"].startswith("2023年7月，执法人员") and values["result"].startswith("依据《药品管理法》")
    assert (values["decided_on"], values["fine"], values["police"]) == ("2023-08-10", "51200.00", False)


async def test_case_without_headings_asks_the_date_then_the_file(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    read = await says(user, WITHOUT_HEADINGS, "已从您发送的整篇案例中识别出")
    assert "还需要补充：处罚决定日期、行政处罚决定书。" in read.text
    await user.wait_for(lambda m: "请输入处罚决定日期" in m.text)
    await says(user, "8月12日", "2023年8月12日")
    await user.wait_for(lambda m: "行政处罚决定书" in m.text and any("暂无决定书" in b for b in m.button_texts))
    preview = await presses(user, "暂无决定书（已移送公安）", "请核对")  # police transfer was read: the decision may be skipped
    assert not [m for m in user.history if "请输入罚没款金额" in m.text or "是否已移送公安机关" in m.text]
    assert "某诊所使用过期医疗器械&lt;案&gt;" in (preview.source or "")  # the pasted title, escaped
    await presses(user, "✅ 确认提交", "已提交")
    values = _filed(bot_app)
    assert (values["title"], values["decided_on"], values["fine"], values["police"]) == (
        "某诊所使用过期医疗器械<案>", "2023-08-12", "20000.00", True)


async def test_a_title_alone_is_an_ordinary_answer(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    await says(user, "某药店销售假药案", "案情概述")
    assert not [m for m in user.history if "整篇案例" in m.text]


async def _draft_filed(bot: RunningBot) -> bool:
    unit = bot.storage.units.get_unit_by_code(code="pgs")
    with bot.storage.session() as s:
        from bot.storage import due

        view = next(v for v in due.obligations_of_unit(s, unit_id=unit.id)
                    if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")
    return view.obligation.status is ObligationStatus.done
