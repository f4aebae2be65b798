"""A typical case uploaded as a Word document (附件8/附件2 layouts) is read like one pasted whole: its
sections and fields fill the form, only what is missing is asked, the document is kept with the filing,
nothing is filed before the preview is confirmed; a document without a case, or a zip bomb, is refused
with why and the step goes on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.models import ObligationStatus, Person
from bot.storage import due
from tests.app.documents import DOCX, docx, zip_bomb
from tests.app.submit_helpers import PDF, liaison_of, presses, says
from tests.fixtures.app import RunningBot

LIAISON = 7061

pytestmark = pytest.mark.usefixtures("files_dir")

# 附件8 as the notice prints it, filled in: the form's own lines first, then the case under its headings
TEMPLATE = docx([
    "附件8：", "药品安全巩固提升行动典型案例报送", "填报单位：平岗市场监管所", "填报日期：2023年8月14日", "报送要求：",
    "1.各所、队负责收集、遴选本辖区内典型案例，并于每月3日前报送1-2个案例。",
    "平岗所报送某药店销售假药案", "（参考模板）", "一、案情概述",
    "2023年7月，执法人员在日常检查中发现某药店销售的“复方甘草片”无批准文号，现场查扣12盒。",
    "二、查办结果",
    "依据《药品管理法》第一百一十六条，我局于2023年8月10日作出行政处罚决定（叶市监罚〔2023〕15号），"
    "没收违法所得1200元，并处罚款5万元，因不涉嫌犯罪未移送公安机关。",
])
# 附件2 laid out as a table: each heading in the left cell
TABLE = docx(["填报单位：平岗市场监管所"], [
    ["案件名称", "某公司经营未备案化妆品案"],
    ["一、案情概述", "当事人在其网店销售未备案的进口化妆品，货值金额8000元。"],
    ["二、查办结果", "2023年8月3日作出处罚决定，罚款3万元；因涉嫌犯罪，已移送公安机关。"],
])
# no headings: a title, the facts, the result from the sentence citing the law; the 决定书 number in the text
PLAIN = docx([
    "某诊所使用过期医疗器械案",
    "2023年6月，执法人员检查发现某诊所使用已过有效期的一次性无菌注射器30支。",
    "依据《医疗器械监督管理条例》第八十九条，我局于2023年8月12日作出处罚决定（叶市监罚〔2023〕31号），对其处以罚款2万元。",
])


async def _at_title(bot: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> Any:
    liaison_of(bot.storage, make_person, make_liaison, "pgs", LIAISON)
    user = bot.emulator.user(LIAISON, first_name="张", language_code="zh-hans")
    await says(user, "/submit", "请选择要报送的事项")
    await presses(user, "典型案例 · 2023年8月", "案件名称")
    return user


def _obligation(bot: RunningBot) -> Any:
    unit = bot.storage.units.get_unit_by_code(code="pgs")
    with bot.storage.session() as s:
        return next(v for v in due.obligations_of_unit(s, unit_id=unit.id)
                    if v.due_item.report_key == "typical_case" and v.due_item.period_key == "2023-08")


def _filed(bot: RunningBot) -> tuple[dict[str, Any], list[str]]:
    view = _obligation(bot)
    assert view.obligation.status is ObligationStatus.done
    [filed] = bot.storage.submissions.current_submissions(obligation_id=view.obligation.id)
    return dict(filed.data["values"]), [a.file_name for a in bot.storage.attachments.attachments_of(submission_id=filed.id)]


async def test_the_template_filled_in_asks_only_for_the_decision(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    await user.send_document(TEMPLATE, "典型案例.docx", DOCX)
    read = await user.wait_for(lambda m: "已从您发送的整篇案例中识别出" in m.text)
    assert "案件名称、一、案情概述、二、查办结果、处罚决定日期、罚没款金额、是否移送公安机关" in read.text
    assert "行政处罚决定书文号：叶市监罚〔2023〕15号" in read.text and "还需要补充：行政处罚决定书。" in read.text
    await user.wait_for(lambda m: "行政处罚决定书" in m.text and "PDF" in m.text)
    assert _obligation(bot_app).obligation.status is not ObligationStatus.done  # nothing filed before the preview
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    preview = await user.wait_for(lambda m: "请核对" in m.text)
    assert "平岗所报送某药店销售假药案" in preview.text and "51200元（5.12万元）" in preview.text
    assert "填报单位" not in preview.text and "报送要求" not in preview.text and "参考模板" not in preview.text
    assert "典型案例.docx" in preview.text and "决定书.pdf" in preview.text
    await presses(user, "✅ 确认提交", "已提交")
    values, names = _filed(bot_app)
    assert values["title"] == "平岗所报送某药店销售假药案"
    assert values["overview"] == "2023年7月，执法人员在日常检查中发现某药店销售的“复方甘草片”无批准文号，现场查扣12盒。"
    assert (values["decided_on"], values["fine"], values["police"]) == ("2023-08-10", "51200.00", False)
    assert set(names) == {"决定书.pdf", "典型案例.docx"}


async def test_the_table_layout_referred_to_police_may_skip_the_decision(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    await user.send_document(TABLE, "案例.docx", DOCX)
    read = await user.wait_for(lambda m: "已从您发送的整篇案例中识别出" in m.text)
    assert "还需要补充：行政处罚决定书。" in read.text
    await user.wait_for(lambda m: any("暂无决定书" in b for b in m.button_texts))
    await presses(user, "暂无决定书（已移送公安）", "请核对")
    await presses(user, "✅ 确认提交", "已提交")
    values, names = _filed(bot_app)
    assert values["title"] == "某公司经营未备案化妆品案"
    assert values["overview"] == "当事人在其网店销售未备案的进口化妆品，货值金额8000元。"
    assert (values["decided_on"], values["fine"], values["police"]) == ("2023-08-03", "30000.00", True)
    assert names == ["案例.docx"]


async def test_no_headings_with_the_number_asks_what_the_text_does_not_say(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    await user.send_document(PLAIN, "诊所案.docx", DOCX)
    read = await user.wait_for(lambda m: "已从您发送的整篇案例中识别出" in m.text)
    assert "行政处罚决定书文号：叶市监罚〔2023〕31号" in read.text
    assert "还需要补充：是否移送公安机关、行政处罚决定书。" in read.text
    await user.wait_for(lambda m: "是否已移送公安机关" in m.text or "移送公安" in m.text)
    await says(user, "否", "行政处罚决定书")
    await user.send_document(PDF, "决定书.pdf", "application/pdf")
    await user.wait_for(lambda m: "请核对" in m.text)
    await presses(user, "✅ 确认提交", "已提交")
    values, _ = _filed(bot_app)
    assert values["result"].startswith("依据《医疗器械监督管理条例》第八十九条")
    assert (values["decided_on"], values["fine"], values["police"]) == ("2023-08-12", "20000.00", False)


async def test_a_document_without_a_case_or_a_zip_bomb_is_refused_and_the_step_goes_on(
    bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    user = await _at_title(bot_app, make_person, make_liaison)
    await user.send_document(docx(["会议纪要", "今天开会讨论了工作安排。"]), "纪要.docx", DOCX)
    await user.wait_for(lambda m: "纪要.docx" in m.text and "没有找到案例" in m.text)
    await user.send_document(zip_bomb(), "炸弹.docx", DOCX)
    await user.wait_for(lambda m: "无法读取文件 炸弹.docx" in m.text)
    await user.send_document(PDF, "案例.pdf", "application/pdf")  # only a .docx is read as a case
    await user.wait_for(lambda m: "案例.pdf" in m.text and "DOCX" in m.text)
    await says(user, "某药店销售假药案", "案情概述")  # the step went on: a typed title is taken
    assert _obligation(bot_app).obligation.status is not ObligationStatus.done
