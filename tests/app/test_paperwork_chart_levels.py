"""/chart in a campaign of levels: the 问题清单's counts per unit (发现 / 已整改 / 已销号 / 逾期) and the filing chart,
each of the viewer's subtree only, dated, counted and in the viewer's language (texts read back from the figure)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import SERVICES_KEY, Services
from bot.models import ProblemStatus
from bot.services.coordinator import chart
from bot.services.deadlines.reports import report_of
from bot.services.problems import chart as problem_chart
from bot.storage import problems, units
from bot.storage.problems import NewProblem
from tests.app.levels_support import SZS_COORDINATOR, YC_COORDINATOR
from tests.fixtures.app import RunningBot


def _problems(bot: RunningBot) -> None:
    tz, now = bot.config.campaign.tz, bot.clock.now()
    with bot.storage.session() as s:
        ids = {code: units.get_unit_by_code(s, code=code).id for code in ("yc-xq", "yc-jf", "szs-dwk")}  # type: ignore[union-attr]
        made = problems.add_problems(s, items=[
            NewProblem(ids["yc-xq"], "药店未凭处方销售处方药", "专项检查", "一般", "张三", datetime(2023, 8, 31, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
            NewProblem(ids["yc-xq"], "处方药与非处方药未分区陈列", "专项检查", "一般", "张三", datetime(2023, 8, 31, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
            NewProblem(ids["yc-jf"], "冷链药品储存不规范", "飞行检查", "较大", "李四", datetime(2023, 8, 14, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
            NewProblem(ids["szs-dwk"], "网络销售处方药", "专项检查", "一般", "王五", datetime(2023, 8, 10, 23, 59, 59, tzinfo=tz)),  # type: ignore[arg-type]
        ], actor_person_id=None, now=now, how="import")
        first = made[0].id
        assert first is not None
        problems.step(s, problem_id=first, action="report", expect=[ProblemStatus.open], to=ProblemStatus.reported, actor_person_id=None, now=now, changes={"rectification": "已整改"})
        problems.step(s, problem_id=first, action="verify", expect=[ProblemStatus.reported], to=ProblemStatus.verified, actor_person_id=None, now=now, changes={"verification": "验收通过"})
        problems.step(s, problem_id=first, action="close", expect=[ProblemStatus.verified], to=ProblemStatus.closed, actor_person_id=None, now=now, changes={"closed_at": now})


async def test_problem_chart_counts_the_viewers_subtree(ningxia_bot: RunningBot) -> None:
    _problems(ningxia_bot)
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, language_code="zh-hans")
    await yc.send("/chart 问题")
    sent = await yc.wait_for(lambda m: m.photo is not None, timeout=60)
    assert sent.caption.startswith("问题清单：各单位发现、已整改、已销号和逾期问题数")

    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    now = ningxia_bot.clock.now()
    with ningxia_bot.storage.session() as s:
        yc_units = frozenset(units.subtree_ids(s, unit_ids=[units.get_unit_by_code(s, code="yc").id]))  # type: ignore[list-item, union-attr]
    zh = problem_chart.render(services, now=now, language="zh-CN", unit_ids=yc_units)
    assert zh is not None and zh.units == 2
    assert "宁夏药品安全巩固提升行动问题整改情况（截至2023年8月16日）" in zh.texts
    assert {"发现", "已整改", "已销号", "逾期", "兴庆区市场监督管理局", "金凤区市场监督管理局"} <= set(zh.texts)
    assert "大武口区市场监督管理局" not in zh.texts  # 石嘴山's
    assert {"2", "1", "0"} <= set(zh.texts)  # 兴庆: found 2, rectified 1, closed 1, overdue 0; 金凤: 1 overdue
    en = problem_chart.render(services, now=now, language="en", unit_ids=None)
    assert en is not None and en.units == 3
    assert "Ningxia drug safety consolidation campaign: problems by unit (as of 2023-8-16)" in en.texts
    assert {"Found", "Rectified", "Closed", "Overdue"} <= set(en.texts) and "发现" not in en.texts

    szs = ningxia_bot.emulator.user(SZS_COORDINATOR, language_code="zh-hans")
    await szs.send("/chart problems")
    await szs.wait_for(lambda m: m.photo is not None, timeout=60)


async def test_filing_chart_shows_the_viewers_subtree_only(ningxia_bot: RunningBot) -> None:
    services: Services = ningxia_bot.app.bot_data[SERVICES_KEY]
    now = ningxia_bot.clock.advance(timedelta(days=21))  # 6 September: July and August are due
    monthly = report_of(services, "monthly_progress")
    with ningxia_bot.storage.session() as s:
        szs_units = frozenset(units.subtree_ids(s, unit_ids=[units.get_unit_by_code(s, code="szs").id]))  # type: ignore[list-item, union-attr]
    drawn = chart.render(services, monthly, now=now, language="zh-CN", unit_ids=szs_units)
    assert drawn is not None and drawn.units == 3 and drawn.periods == 2
    assert {"石嘴山市市场监督管理局", "大武口区市场监督管理局", "平罗县市场监督管理局"} <= set(drawn.texts)
    assert "银川市市场监督管理局" not in drawn.texts and "0/3" in drawn.texts
    everyone = chart.render(services, monthly, now=now, language="zh-CN")
    assert everyone is not None and everyone.units == 9  # 3 市 and 6 县(区)
