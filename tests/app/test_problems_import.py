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


async def test_problem_list_workbook_counts_and_bulletin(ningxia_bot: RunningBot) -> None:
    from datetime import datetime

    from bot.models import ProblemStatus
    from bot.storage import problems, units
    from bot.storage.problems import NewProblem

    tz = ningxia_bot.config.campaign.tz
    now = ningxia_bot.clock.now()
    with ningxia_bot.storage.session() as s:
        ids = {code: units.get_unit_by_code(s, code=code).id for code in ("yc-xq", "yc-jf", "szs-dwk")}  # type: ignore[union-attr]
        made = problems.add_problems(s, items=[
            NewProblem(ids["yc-xq"], "药店未凭处方销售处方药", "专项检查", "一般", "张三", datetime(2023, 8, 31, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
            NewProblem(ids["yc-jf"], "冷链药品储存不规范", "飞行检查", "较大", "李四", datetime(2023, 8, 14, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
            NewProblem(ids["szs-dwk"], "网络销售处方药", "专项检查", "一般", "王五", datetime(2023, 8, 10, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
        ], actor_person_id=None, now=now, how="import")
        first = made[0].id
        assert first is not None
        problems.step(s, problem_id=first, action="report", expect=[ProblemStatus.open], to=ProblemStatus.reported, actor_person_id=None, now=now, changes={"rectification": "已立案查处"})
        problems.step(s, problem_id=first, action="verify", expect=[ProblemStatus.reported], to=ProblemStatus.verified, actor_person_id=None, now=now, changes={"verification": "验收通过"})
        problems.step(s, problem_id=first, action="close", expect=[ProblemStatus.verified], to=ProblemStatus.closed, actor_person_id=None, now=now, changes={"closed_at": now})

    yc = ningxia_bot.emulator.user(YC_COORDINATOR, language_code="zh-hans")
    await yc.send("/export")
    doc = await yc.wait_for(lambda m: m.document is not None)
    assert doc.document is not None
    book = openpyxl.load_workbook(io.BytesIO(ningxia_bot.emulator.state.files[doc.document["file_id"]].data))
    register = [list(r) for r in book["问题清单"].iter_rows(values_only=True)]
    assert register[1] == ["序号", "问题描述", "责任单位", "责任人", "整改时限", "整改情况", "验收情况", "销号时间", "状态"]
    assert register[2][:7] == [1, "药店未凭处方销售处方药", "兴庆区市场监督管理局", "张三", datetime(2023, 8, 31), "已立案查处", "验收通过"]
    assert register[2][7] == datetime(2023, 8, 16, 10, 0) and register[2][8] == "已销号"
    assert register[3][2] == "金凤区市场监督管理局" and register[3][8] == "待整改（逾期）"
    assert len(register) == 4  # 石嘴山's problem is not 银川's to export
    counts = [list(r) for r in book["问题统计"].iter_rows(values_only=True)]
    assert counts == [["责任单位", "发现", "已整改", "已销号", "逾期"], ["兴庆区市场监督管理局", 1, 1, 1, 0], ["金凤区市场监督管理局", 1, 0, 0, 1], ["合计", 2, 1, 1, 1]]

    await yc.send("/bulletin")
    text = (await yc.wait_for(lambda m: "情况通报" in m.text)).text
    assert "共发现问题 2 个，已整改 1 个，已销号 1 个，逾期未整改 1 个。" in text
    assert "🔴 №2 金凤区市场监督管理局：冷链药品储存不规范（逾期 2 天）" in text and "网络销售" not in text
