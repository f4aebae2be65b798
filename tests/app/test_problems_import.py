"""A 问题清单 workbook through the emulator: a bad row is named by row and column and nothing is imported; the
corrected workbook registers every row and asks each unit to acknowledge."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlmodel import select

from bot.models import Problem
from tests.app.helpers_coordinator import liaison
from tests.app.levels_support import YC_COORDINATOR
from tests.fixtures.app import RunningBot

HEADER = ["序号", "问题描述", "责任单位", "责任人", "整改时限", "问题来源"]


def workbook(*rows: list[object]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["宁夏药品安全巩固提升行动问题清单"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_import_names_the_bad_cells_then_imports_the_corrected_list(ningxia_bot: RunningBot) -> None:
    liaison(ningxia_bot.storage, "yc-jf", telegram_user_id=7102, name="金凤联络员", mobile="13900000002", now=ningxia_bot.clock.now())
    jf = ningxia_bot.emulator.user(7102, language_code="zh-hans")
    await jf.ask("/start")
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, language_code="zh-hans")
    await yc.send("/importproblems")
    await yc.wait_for(lambda m: "请发送问题清单" in m.text)
    bad = workbook(
        [1, "药店未凭处方销售处方药", "兴庆区市场监督管理局", "张三", date(2023, 9, 30), "专项检查"],
        [2, "医疗机构药品储存不规范", "金凤区市场监督管理局", "李四", "2023-13-45", "飞行检查"],
        [3, "网络销售处方药", "大武口区市场监督管理局", "王五", "2023年10月15日", ""],  # 石嘴山's: not 银川's to assign
    )
    await yc.send_document(bad, "问题清单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    refused = await yc.wait_for(lambda m: "未导入任何问题" in m.text)
    assert "问题清单有 2 处需要修改" in refused.text
    assert "第 4 行「整改时限」（E4）：“2023-13-45”，应为日期，如 2023-09-30" in refused.text
    assert "第 5 行「责任单位」（C5）：“大武口区市场监督管理局”，应为您可管理的单位名称或代码" in refused.text
    with ningxia_bot.storage.session() as s:
        assert s.exec(select(Problem)).all() == []

    good = workbook(
        [1, "药店未凭处方销售处方药", "兴庆区市场监督管理局", "张三", date(2023, 9, 30), "专项检查"],
        [2, "医疗机构药品储存不规范", "yc-jf", "李四", "2023-10-31", "飞行检查"],
    )
    await yc.send_document(good, "问题清单-改.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    done = await yc.wait_for(lambda m: "已导入" in m.text)
    assert "已导入 2 个问题（№1–№2）" in done.text
    assigned = await jf.wait_for(lambda m: "新交办问题" in m.text)
    assert "№2 金凤区市场监督管理局" in assigned.text and "医疗机构药品储存不规范" in assigned.text
    with ningxia_bot.storage.session() as s:
        rows = s.exec(select(Problem).order_by(Problem.number)).all()
    assert [(p.description, p.responsible, p.source) for p in rows] == [("药店未凭处方销售处方药", "张三", "专项检查"), ("医疗机构药品储存不规范", "李四", "飞行检查")]
    assert rows[1].due_at.astimezone(ningxia_bot.config.campaign.tz).date() == date(2023, 10, 31)
