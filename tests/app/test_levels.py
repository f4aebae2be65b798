"""Units in levels through the emulator: a 市 coordinator sees and acts for their 市 and its 县(区) only; a 县 report rolls up into its 市."""

from __future__ import annotations

import io

import openpyxl

from bot.models import SubmissionKind
from tests.app.helpers_coordinator import file, liaison
from tests.app.levels_support import YC_COORDINATOR
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

JULY = "2023-07"  # monthly_progress for July is due 2023-08-05: 11 days overdue at the test moment


def _liaisons(bot: RunningBot) -> None:
    now = bot.clock.now()
    liaison(bot.storage, "yc-xq", telegram_user_id=7101, name="兴庆联络员", mobile="13900000001", now=now)
    liaison(bot.storage, "yc-jf", telegram_user_id=7102, name="金凤联络员", mobile="13900000002", now=now)
    liaison(bot.storage, "szs-dwk", telegram_user_id=7103, name="大武口联络员", mobile="13900000003", now=now)
    liaison(bot.storage, "yc", telegram_user_id=7104, name="银川联络员", mobile="13900000004", now=now)


async def test_city_coordinator_sees_only_their_city(ningxia_bot: RunningBot) -> None:
    _liaisons(ningxia_bot)
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, first_name="银川协调员", language_code="zh-hans")
    reply = await ask(yc, "/outstanding", "未完成报送")
    assert "兴庆区市场监督管理局 — 兴庆联络员 13900000001" in reply.text
    assert "银川市市场监督管理局" in reply.text and "西夏区市场监督管理局" in reply.text
    assert "4 个单位未报" in reply.text  # 银川 and its three 县(区)
    assert "大武口" not in reply.text and "石嘴山" not in reply.text and "吴忠" not in reply.text
    region = ningxia_bot.emulator.user(COORDINATOR, first_name="自治区", language_code="zh-hans")
    whole = await ask(region, "/outstanding", "未完成报送")
    assert "大武口区市场监督管理局" in whole.text and "兴庆区市场监督管理局" in whole.text and "9 个单位未报" in whole.text
    status = await ask(yc, "/status", "报送情况")
    assert "未报 4" in status.text and "（共 4）" in status.text


async def test_city_coordinator_remind_reaches_only_their_units(ningxia_bot: RunningBot) -> None:
    _liaisons(ningxia_bot)
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, first_name="银川协调员", language_code="zh-hans")
    xq, jf, dwk, city = (ningxia_bot.emulator.user(uid, language_code="zh-hans") for uid in (7101, 7102, 7103, 7104))
    for user in (xq, jf, dwk, city):
        await user.ask("/start")  # (a chat with the bot, as a registered liaison has)
    await ask(yc, "/remind", "请选择")
    await yc.press("巩固提升行动月度工作进展")
    periods = await yc.wait_for(lambda m: "期次" in m.text)
    assert periods.button_texts == ["2023年8月（4 个单位未报）", "2023年7月（4 个单位未报）"]  # 银川 and its three 县(区); not 大武口
    await yc.press("2023年7月（4 个单位未报）")
    preview = await yc.wait_for(lambda m: "将立即催办" in m.text)
    assert "<b>3</b>" in (preview.source or "")  # the three with a liaison registered
    await yc.press("确认催办")
    done = await yc.wait_for(lambda m: "已催办" in m.text)
    assert "发送 3 条" in done.text
    nudge = await xq.wait_for(lambda m: "巩固提升行动月度工作进展" in m.text)
    assert "巩固提升行动月度工作进展" in nudge.text
    assert not [m for m in dwk.messages if "巩固提升行动月度工作进展" in m.text]
    for digest in (m for m in yc.messages if "每日汇总" in m.text):  # (if it reached them: the 市's own units only)
        assert "大武口" not in digest.text


async def test_city_coordinator_export_and_review_are_their_subtree(ningxia_bot: RunningBot) -> None:
    _liaisons(ningxia_bot)
    now = ningxia_bot.clock.now()
    from bot.storage import people

    with ningxia_bot.storage.session() as s:
        dwk_person = people.get_person_by_telegram_id(s, telegram_user_id=7103)
        xq_person = people.get_person_by_telegram_id(s, telegram_user_id=7101)
    assert dwk_person is not None and xq_person is not None
    file(ningxia_bot.storage, "szs-dwk", "monthly_progress", JULY, person=dwk_person, kind=SubmissionKind.free, data={"values": {"text": "大武口七月进展"}, "files": {}}, at=now)
    file(ningxia_bot.storage, "yc-xq", "monthly_progress", JULY, person=xq_person, kind=SubmissionKind.free, data={"values": {"text": "兴庆七月进展"}, "files": {}}, at=now)
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, first_name="银川协调员", language_code="zh-hans")
    review = await ask(yc, "/review", "待审核")  # not the day's digest, which may arrive first
    assert "兴庆区" in review.text + str(review.buttons) and "大武口" not in review.text + str(review.buttons)
    yc.skip_pending()
    await yc.send("/export")
    doc = await yc.wait_for(lambda m: m.document is not None)
    assert doc.document is not None
    book = openpyxl.load_workbook(io.BytesIO(ningxia_bot.emulator.state.files[doc.document["file_id"]].data), read_only=True)
    names = {str(row[1]) for row in book["报送台账"].iter_rows(min_row=2, values_only=True) if len(row) > 1 and row[1]}  # (序号, 单位, …)
    assert "兴庆区市场监督管理局" in names and "银川市市场监督管理局" in names
    assert not any("大武口" in n or "石嘴山" in n for n in names)


async def test_county_report_rolls_up_into_its_city(ningxia_bot: RunningBot) -> None:
    _liaisons(ningxia_bot)
    now = ningxia_bot.clock.now()
    from bot.storage import people

    with ningxia_bot.storage.session() as s:
        xq_person = people.get_person_by_telegram_id(s, telegram_user_id=7101)
    assert xq_person is not None
    file(ningxia_bot.storage, "yc-xq", "monthly_progress", JULY, person=xq_person, kind=SubmissionKind.free, data={"values": {"text": "兴庆七月进展"}, "files": {}}, at=now)
    yc = ningxia_bot.emulator.user(YC_COORDINATOR, first_name="银川协调员", language_code="zh-hans")
    await ask(yc, "/status", "报送情况")
    await yc.press("巩固提升行动月度工作进展 2023年7月 ›")
    units = await yc.wait_for(lambda m: "↳" in m.text)
    assert "❌ 银川市市场监督管理局" in units.text
    assert "↳ 下级已报 1/3，未报：金凤区市场监督管理局、西夏区市场监督管理局" in units.text
    assert "大武口" not in units.text


async def test_a_coordinator_invited_for_a_city_sees_only_that_city(ningxia_bot: RunningBot) -> None:
    from bot.context import SERVICES_KEY
    from bot.services.people import invites
    from tests.app.registration_support import register

    services = ningxia_bot.app.bot_data[SERVICES_KEY]
    made = invites.create_invite(services, unit_code="wz", role="coordinator", now=ningxia_bot.clock.now())
    wz = ningxia_bot.emulator.user(9203, first_name="吴忠协调员", language_code="zh-hans")
    await register(wz, made.token)
    reply = await ask(wz, "/outstanding", "未完成报送")
    assert "吴忠市市场监督管理局" in reply.text and "利通区市场监督管理局" in reply.text and "2 个单位未报" in reply.text
    assert "银川" not in reply.text and "兴庆" not in reply.text and "大武口" not in reply.text
    with ningxia_bot.storage.session() as s:  # the liaison form (附件10) of 吴忠 is not done by its coordinator registering
        from bot.storage import roles, units

        unit = units.get_unit_by_code(s, code="wz")
        assert unit is not None and unit.id is not None
        assert roles.liaisons_of_unit(s, unit_id=unit.id) == []


async def test_city_statistics_are_shown_beside_the_sum_of_its_counties(emulator, storage, now, files_dir) -> None:  # type: ignore[no-untyped-def]
    from bot.clock import FixedClock
    from bot.config import ReportType
    from tests.app.helpers_coordinator import statistics_data
    from tests.app.levels_support import ningxia_config
    from tests.fixtures.app import start_bot, stop_bot

    base = ningxia_config(emulator)
    stats = ReportType.model_validate({"key": "drug_stats", "title": "药品经营使用环节统计表", "template": "statistics", "owed_by": ["市", "县"],
                                       "schedule": {"kind": "monthly", "day": 5, "covers": "previous_month"}})
    bot = await start_bot(ningxia_config(emulator, report_types=[*base.report_types, stats]), storage, FixedClock(now), emulator)
    try:
        _liaisons(bot)
        from bot.storage import people

        with storage.session() as s:
            who = {uid: people.get_person_by_telegram_id(s, telegram_user_id=uid) for uid in (7101, 7102, 7104)}
        for code, uid, base_n in (("yc-xq", 7101, 1), ("yc-jf", 7102, 2), ("yc", 7104, 3)):
            file(storage, code, "drug_stats", JULY, person=who[uid], kind=SubmissionKind.statistics, data=statistics_data(base_n), at=now)  # type: ignore[arg-type]
        yc = emulator.user(YC_COORDINATOR, language_code="zh-hans")
        yc.skip_pending()
        await yc.send("/export")
        doc = await yc.wait_for(lambda m: m.document is not None)
        assert doc.document is not None
        book = openpyxl.load_workbook(io.BytesIO(emulator.state.files[doc.document["file_id"]].data))
        assert "银川市市场监督管理局（下级合计）" in book.sheetnames
        rows = [list(r) for r in book["银川市市场监督管理局（下级合计）"].iter_rows(values_only=True)]
        retail = next(r for r in rows if r and r[0] == "零售药店")
        assert retail[1] == 10 * 1 + 10 * 2  # 兴庆 and 金凤 inspected 10 and 20 retail pharmacies
        own = next(r for r in [list(x) for x in book["银川市市场监督管理局"].iter_rows(values_only=True)] if r and r[0] == "零售药店")
        assert own[1] == 30  # the 市's own figure, to check against its 县's sum
    finally:
        await stop_bot(bot)
