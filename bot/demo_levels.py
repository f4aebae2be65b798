"""`liaison-bot demo --script` for a campaign in levels (campaigns/ningxia.toml): a 市 coordinator's 问题清单.

The walk-through of seed 003: the 银川市 coordinator registers a problem for 兴庆区; its liaison
acknowledges it (签收) and reports the rectification with evidence; the coordinator returns it once,
then verifies it (验收) and closes it (销号); a second problem, for 金凤区, runs past its deadline:
its unit is reminded, and three days late it is escalated to the level above.
"""

from __future__ import annotations

from typing import TextIO

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.config import Config, People, UnitCoordinator
from bot.transcript import DEMO_PDF, Transcript
from bot.sandbox import Persona, Sandbox
from bot.services.problems import overdue

SHANGHAI = ZoneInfo("Asia/Shanghai")
REGION = Persona("region", 1001, "苏荣", "自治区药监局 coordinator (the whole region)")
CITY = Persona("city", 1101, "马明", "银川市局 coordinator (银川 and its 县区)")
XINGQING = Persona("xingqing", 2101, "王强", "liaison of 兴庆区市场监督管理局")
JINFENG = Persona("jinfeng", 2102, "赵敏", "liaison of 金凤区市场监督管理局")
PERSONAS = (REGION, CITY, XINGQING, JINFENG)


def applies(config: Config) -> bool:
    """Whether this walk-through fits the campaign: units in levels, with 银川 and two of its 县区."""
    codes = {u.code: u.parent for u in config.units}
    return codes.get("yc-xq") == "yc" and codes.get("yc-jf") == "yc"


def people() -> People:
    """The sandbox's coordinators: the region's, and 银川's bound to its unit."""
    return People(coordinators=[REGION.user_id], leaders=[], unit_coordinators=[UnitCoordinator(telegram_user_id=CITY.user_id, unit="yc")])


async def _register(tr: Transcript, liaison: Persona, unit: str, answers: tuple[str, ...]) -> None:
    await tr.say(REGION, "/invite")
    await tr.press(REGION, unit)
    messages = await tr.press(REGION, "联络员")
    token = next(m.group(1) for msg in messages if (m := re.search(r"\?start=([A-Za-z0-9_-]+)", msg.text)))
    await tr.say(liaison, f"/start {token}")
    for answer in answers:
        await tr.say(liaison, answer)
    await tr.press(liaison, "✅ 确认登记")


async def _tick(tr: Transcript, moment: datetime) -> None:
    clock = tr.sandbox.clock
    assert isinstance(clock, FixedClock)  # (a walk-through runs on a clock it sets)
    clock.set(moment)
    await overdue.tick(tr.sandbox.app.bot_data["services"], tr.sandbox.app.bot, now=moment)
    await tr.show()


async def play(sandbox: Sandbox, out: TextIO) -> None:
    """The whole walk-through."""
    tr = Transcript(sandbox, out)
    tr.names.update({p.user_id: p.first_name for p in PERSONAS})
    print(f"liaison-bot demo — {sandbox.config.campaign.name} (units in levels, 问题清单); the sandbox clock reads "
          f"{sandbox.clock.now().astimezone(SHANGHAI):%Y-%m-%d %H:%M}", file=tr.out)
    tr.note("王强 (兴庆区) and 赵敏 (金凤区) register as liaisons through invites of the region's coordinator (not shown).")
    with tr.quietly():
        await _register(tr, XINGQING, "兴庆区市场监督管理局", ("王强", "综合科", "科长", "0951-6012345", "139 5100 1234", "wq@example.gov.cn"))
        await _register(tr, JINFENG, "金凤区市场监督管理局", ("赵敏", "药品科", "科员", "0951-6023456", "139 5100 5678", "zm@example.gov.cn"))

    tr.note("马明 coordinates 银川市 only (config: [[people.unit_coordinators]] unit = \"yc\"): 石嘴山 and 吴忠 are not in his views.")
    await tr.say(CITY, "/outstanding")

    tr.note("马明 registers a problem found in an inspection of 兴庆区 (/newproblem): one question a step.")
    await tr.say(CITY, "/newproblem")
    await tr.press(CITY, "兴庆区市场监督管理局")
    await tr.say(CITY, "某零售药店不凭处方销售处方药，处方药与非处方药未分区陈列")
    await tr.say(CITY, "专项检查")
    await tr.press(CITY, "较大")
    await tr.say(CITY, "王强")
    await tr.say(CITY, "9月15日")
    await tr.press(CITY, "确认登记")

    tr.note("王强 acknowledges it (签收) and reports the rectification, with the 处罚决定书 as evidence.")
    await tr.press(XINGQING, "签收")
    await tr.press(XINGQING, "报告整改")
    await tr.say(XINGQING, "已责令该药店立即整改，处方药已分区陈列，并立案查处")
    print(f"\n{XINGQING.first_name} › 📎 行政处罚决定书.pdf", file=tr.out)
    await sandbox.user(XINGQING).send_document(DEMO_PDF, file_name="行政处罚决定书.pdf", mime_type="application/pdf")
    await tr.show()
    await tr.press(XINGQING, "提交整改报告")

    tr.note("马明 (the level above) opens it and returns it once: the evidence is not enough.")
    await tr.press(CITY, "№1 ›")
    await tr.press(CITY, "退回整改")
    await tr.say(CITY, "请补充整改后的现场照片")

    tr.note("王强 reports again; 马明 verifies it (验收) and closes it (销号).")
    await tr.press(XINGQING, "报告整改")
    await tr.say(XINGQING, "已补充整改后现场照片，处方药凭处方销售")
    await tr.press(XINGQING, "提交整改报告")
    await tr.press(CITY, "№1 ›")
    await tr.press(CITY, "验收通过")
    await tr.press(CITY, "销号")

    tr.note("A second problem, for 金凤区, due 9月1日 (registered the same way; not shown).")
    with tr.quietly():
        await tr.say(CITY, "/newproblem")
        await tr.press(CITY, "金凤区市场监督管理局")
        for answer in ("医疗机构冷链药品储存温度记录缺失", "飞行检查"):
            await tr.say(CITY, answer)
        await tr.press(CITY, "重大")
        await tr.say(CITY, "赵敏")
        await tr.say(CITY, "9月1日")
        await tr.press(CITY, "确认登记")
    tr.note("2023-08-31 10:00: nobody at 金凤区 has acknowledged it within a day: it is chased.")
    await _tick(tr, datetime(2023, 8, 31, 10, 0, tzinfo=SHANGHAI))
    tr.note("2023-09-02 10:00: one day past its deadline: 金凤区 is reminded (once a day).")
    await _tick(tr, datetime(2023, 9, 2, 10, 0, tzinfo=SHANGHAI))
    tr.note("2023-09-04 10:00: three days late ([problems] escalate_after_days = 3): escalated to the level above, 银川市.")
    await _tick(tr, datetime(2023, 9, 4, 10, 0, tzinfo=SHANGHAI))

    tr.note("马明 lists what is overdue, and sends up the 情况通报.")
    await tr.say(CITY, "/problems 逾期")
    await tr.say(CITY, "/bulletin")
    print("\n# End of the walk-through.", file=tr.out)
