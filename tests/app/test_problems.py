"""问题清单 through the emulator: registered by chat, 签收, rectified with evidence, returned once, verified and
closed (销号) by the level above; an overdue one reminded and escalated; other 市 see nothing of it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.context import SERVICES_KEY, Services
from bot.models import Problem, ProblemEvent, ProblemStatus
from bot.models import TrailIsAppendOnly
from bot.services.problems import overdue
from bot.storage import problems, units
from bot.storage.problems import NewProblem
from emulator.control import UserHandle
from tests.app.helpers_coordinator import liaison
from tests.app.levels_support import SZS_COORDINATOR, YC_COORDINATOR
from tests.fixtures.app import COORDINATOR, RunningBot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def services_of(bot: RunningBot) -> Services:
    return bot.app.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def _people(bot: RunningBot) -> dict[str, UserHandle]:
    now = bot.clock.now()
    liaison(bot.storage, "yc-xq", telegram_user_id=7101, name="兴庆联络员", mobile="13900000001", now=now)
    liaison(bot.storage, "szs-dwk", telegram_user_id=7103, name="大武口联络员", mobile="13900000003", now=now)
    users = {
        "xq": bot.emulator.user(7101, first_name="兴庆联络员", language_code="zh-hans"),
        "dwk": bot.emulator.user(7103, first_name="大武口联络员", language_code="zh-hans"),
        "yc": bot.emulator.user(YC_COORDINATOR, first_name="银川协调员", language_code="zh-hans"),
        "szs": bot.emulator.user(SZS_COORDINATOR, first_name="石嘴山协调员", language_code="zh-hans"),
        "nx": bot.emulator.user(COORDINATOR, first_name="自治区协调员", language_code="zh-hans"),
    }
    for user in users.values():
        await user.ask("/start")
    return users


def _has(marker: str):  # type: ignore[no-untyped-def]
    return lambda m: marker in m.text


async def test_problem_registered_rectified_returned_verified_and_closed(ningxia_bot: RunningBot) -> None:
    u = await _people(ningxia_bot)
    yc, xq = u["yc"], u["xq"]
    await yc.send("/newproblem")
    ask_unit = await yc.wait_for(_has("责任单位"))
    assert ask_unit.button_texts == ["银川市市场监督管理局", "金凤区市场监督管理局", "兴庆区市场监督管理局", "西夏区市场监督管理局"]  # 银川's subtree only
    await yc.press("兴庆区市场监督管理局")
    await yc.wait_for(_has("问题描述"))
    await yc.send("某药店<b>不凭处方</b>销售处方药")
    await yc.wait_for(_has("问题来源"))
    await yc.send("专项检查")
    await yc.wait_for(_has("严重程度"))
    await yc.send("很严重")  # not one of the choices: asked again, nothing lost
    await yc.wait_for(_has("请从 一般、较大、重大 中选择"))
    await yc.press("较大")
    await yc.wait_for(_has("责任人"))
    await yc.send("张三")
    await yc.wait_for(_has("整改时限"))
    await yc.send("火星历")
    await yc.wait_for(_has("没有看懂日期"))
    await yc.send("2023年9月30日")
    summary = await yc.wait_for(_has("请确认问题登记"))
    assert "某药店<b>不凭处方</b>销售处方药" in summary.text  # echoed back escaped, shown as typed
    assert "严重程度：较大" in summary.text and "整改时限：2023-09-30" in summary.text
    await yc.press("确认登记")
    await yc.wait_for(_has("已登记问题 №1"))

    assigned = await xq.wait_for(_has("新交办问题"))
    assert "⚪ №1 兴庆区市场监督管理局" in assigned.text and "责任人：张三" in assigned.text
    await xq.press("签收")
    await xq.wait_for(_has("已签收问题 №1"))
    after = await xq.wait_for(_has("办理记录"))
    assert after.button_texts == ["报告整改"]
    await xq.press("报告整改", after)
    await xq.wait_for(_has("请发送问题 №1 的整改情况"))
    await xq.send("已责令改正，立案查处")
    await xq.wait_for(_has("已附材料 0 个"))
    await xq.send_document(PDF, "处罚决定书.pdf")
    await xq.wait_for(_has("已收到材料“处罚决定书.pdf”（共 1 个）"))
    await xq.press("提交整改报告")
    await xq.wait_for(_has("整改报告已提交"))

    reported = await yc.wait_for(_has("整改已报，请验收"))
    assert "已责令改正，立案查处（佐证材料 1 个）" in reported.text
    await yc.press("№1 ›")
    shown = await yc.wait_for(_has("办理记录"))
    assert shown.button_texts == ["验收通过", "退回整改"]
    await yc.wait_for(lambda m: m.document is not None and m.document.get("file_name") == "处罚决定书.pdf")  # the evidence
    await yc.press("退回整改", shown)
    await yc.wait_for(_has("请输入退回问题 №1 的意见"))
    await yc.send("佐证材料不全，请补充现场照片")
    await yc.wait_for(_has("已退回整改"))

    returned = await xq.wait_for(_has("问题被退回整改"))
    assert "意见：佐证材料不全，请补充现场照片" in returned.text
    await xq.press("报告整改", returned)
    await xq.wait_for(_has("整改情况"))
    await xq.send("已补充现场照片")
    await xq.wait_for(_has("已附材料 0 个"))
    await xq.press("提交整改报告")
    await xq.wait_for(_has("整改报告已提交"))

    await yc.wait_for(_has("整改已报，请验收"))
    await yc.press("№1 ›")
    await yc.wait_for(_has("办理记录"))
    await yc.press("验收通过")
    verified = await yc.wait_for(_has("办理记录"))
    assert verified.button_texts == ["销号", "退回整改"]
    await yc.press("销号", verified)
    await yc.wait_for(_has("问题 №1 已销号"))
    closed = await xq.wait_for(_has("问题已销号"))
    assert "✅ №1" in closed.text

    with ningxia_bot.storage.session() as s:
        problem = s.exec(select(Problem)).one()
        assert problem.status is ProblemStatus.closed and problem.returned_times == 1
        assert problem.closed_at == ningxia_bot.clock.now() and problem.rectification == "已补充现场照片"
        steps = problems.trail(s, problem_id=problem.id)  # type: ignore[arg-type]
        assert [x.event.action for x in steps] == ["register", "acknowledge", "report", "return", "report", "verify", "close"]
        coordinator = str(YC_COORDINATOR)  # (named in the config only: known by their Telegram id)
        assert [x.actor for x in steps] == [coordinator, "兴庆联络员", "兴庆联络员", coordinator, "兴庆联络员", coordinator, coordinator]
        assert steps[3].event.comment == "佐证材料不全，请补充现场照片" and len(steps[2].event.attachment_ids) == 1
    with pytest.raises(TrailIsAppendOnly), ningxia_bot.storage.session() as s:  # nobody edits the trail
        first = s.exec(select(ProblemEvent)).first()
        assert first is not None
        first.comment = "改写"
        s.flush()

    # another 市 sees nothing of 银川's problems; the liaison cannot verify its own
    szs = u["szs"]
    await szs.send("/problems 全部")
    assert "没有符合条件的问题" in (await szs.wait_for(_has("问题"))).text
    await xq.send("/problems 全部")
    own = await xq.wait_for(_has("问题清单"))
    assert "✅ №1 兴庆区市场监督管理局" in own.text
    await xq.press("№1 ›", own)
    view = await xq.wait_for(_has("办理记录"))
    assert view.button_texts == []


def _register(bot: RunningBot, code: str, due: datetime) -> Problem:
    with bot.storage.session() as s:
        unit = units.get_unit_by_code(s, code=code)
        assert unit is not None and unit.id is not None
        [problem] = problems.add_problems(s, items=[NewProblem(unit.id, "冷链药品脱离冷链储存", "飞行检查", "重大", "李四", due)], actor_person_id=None, now=bot.clock.now(), how="chat")
        return problem


async def test_overdue_problem_is_reminded_then_escalated_to_the_level_above(ningxia_bot: RunningBot) -> None:
    u = await _people(ningxia_bot)
    services = services_of(ningxia_bot)
    tz = ningxia_bot.config.campaign.tz
    problem = _register(ningxia_bot, "yc-xq", datetime(2023, 8, 18, 23, 59, 59, tzinfo=tz))
    other = _register(ningxia_bot, "szs-dwk", datetime(2023, 8, 17, 23, 59, 59, tzinfo=tz))

    await u["yc"].send("/problems")
    soon = await u["yc"].wait_for(_has("问题清单"))
    assert "🟡 №1 兴庆区市场监督管理局" in soon.text and "№2" not in soon.text  # due in 2 days; 大武口 is not 银川's

    def at(day: int, hour: int = 10) -> datetime:
        moment = datetime(2023, 8, day, hour, tzinfo=tz)
        ningxia_bot.clock.set(moment)
        return moment

    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(17)) == 2  # neither acknowledged within a day: chased
    chase = await u["xq"].wait_for(_has("问题尚未签收"))
    assert chase.button_texts == ["签收", "№1 ›"]
    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(17, 11)) == 0  # once only

    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(19)) == 2  # both 1+ days overdue: their units reminded
    reminded = await u["xq"].wait_for(_has("问题整改已逾期 1 天"))
    assert "🔴 №1" in reminded.text
    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(19, 15)) == 0  # once a day

    # 大武口's is 3 days overdue on the 20th: escalated to 石嘴山 (its level above), not to 银川
    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(20)) == 3
    escalated = await u["szs"].wait_for(_has("逾期问题提级督办"))
    assert "已逾期 3 天" in escalated.text and "№2 大武口区市场监督管理局" in escalated.text
    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(21)) == 3  # 兴庆's turn; the daily reminders go on
    to_yc = await u["yc"].wait_for(_has("逾期问题提级督办"))
    assert "№1 兴庆区市场监督管理局" in to_yc.text
    assert not [m for m in u["yc"].messages if "№2" in m.text] and not [m for m in u["szs"].messages if "№1 " in m.text]
    assert not [m for m in u["nx"].messages if "提级督办" in m.text]  # the nearest level above with a coordinator
    assert await overdue.tick(services, ningxia_bot.app.bot, now=at(21, 12)) == 0

    with ningxia_bot.storage.session() as s:
        assert [x.event.action for x in problems.trail(s, problem_id=problem.id)] == ["register", "escalate"]  # type: ignore[arg-type]
        assert problems.get_problem(s, problem_id=other.id).escalated_at == datetime(2023, 8, 20, 10, tzinfo=tz)  # type: ignore[arg-type, union-attr]
    await u["yc"].send("/problems 逾期")
    late = await u["yc"].wait_for(_has("问题清单"))
    assert "其中逾期 1 个" in late.text and "🔴 №1" in late.text
    ningxia_bot.clock.set(datetime(2023, 8, 21, 10, tzinfo=tz) + timedelta(minutes=1))
