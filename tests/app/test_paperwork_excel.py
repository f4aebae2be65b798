"""/export in official form, through the emulator: the workbook is opened with openpyxl and its
content and print layout checked (title, header, frozen panes, print titles, A4 landscape, fonts,
number formats), and that it lists only what is due or filed."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.models import SubmissionKind
from bot.storage import people, submissions
from tests.app.helpers_coordinator import STATISTICS, case_data, file, liaison, statistics_data
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

def _document(bot: RunningBot, message: object) -> tuple[str, bytes]:
    document = message.document  # type: ignore[attr-defined]
    assert document is not None
    return document["file_name"], bot.emulator.state.files[document["file_id"]].data


def _rows(sheet: Worksheet) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))


def _check_print_layout(sheet: Worksheet, *, header_row: int) -> None:
    """A4 landscape, fitted to the width, the header repeated on every page and frozen on screen."""
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == f"$1:${header_row}"
    assert sheet.freeze_panes == f"A{header_row + 1}"
    header = sheet[header_row]
    assert all(c.font.b and c.border.left.style == "thin" and c.border.bottom.style == "thin" for c in header)
    assert all(c.alignment.wrap_text for c in header)
    title = sheet["A1"] if sheet["A1"].font.sz and sheet["A1"].font.sz >= 16 else sheet["A2"]
    assert title.font.b and title.font.name == "宋体" and title.font.sz == 16
    assert any(str(r) .startswith(f"A{title.row}:") for r in sheet.merged_cells.ranges)  # the title spans the table
    assert all(sheet.column_dimensions[c.column_letter].width >= 6 for c in header)


async def _filings(bot: RunningBot) -> datetime:
    storage, now = bot.storage, bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    li = liaison(storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now)
    file(storage, "pgs", "drug_statistics", "2023-08", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(1), at=now)
    file(storage, "pgs", "drug_statistics", "2023-08", person=zhang, kind=SubmissionKind.statistics, data=statistics_data(4), at=now + timedelta(hours=1))
    file(storage, "shs", "drug_statistics", "2023-08", person=li, kind=SubmissionKind.statistics, data=statistics_data(2), at=now + timedelta(days=30))
    case_id = file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("销售假药"), at=now)
    file(storage, "pgs", "typical_case", "2023-08", person=zhang, kind=SubmissionKind.case, data=case_data("无证经营药品"), at=now, item_no=2)
    with storage.session() as s:
        su = people.get_or_create_person(s, telegram_user_id=COORDINATOR, chat_id=COORDINATOR, first_name="苏荣", now=now)
        submissions.accept_submission(s, submission_id=case_id, reviewer_person_id=su.id, now=now)  # type: ignore[arg-type]
    return bot.clock.advance(timedelta(days=35))  # 2023-09-20: July and August are due, September is not


async def test_export_register_in_official_form(export_bot: RunningBot) -> None:
    now = await _filings(export_bot)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    name, data = _document(export_bot, await ask(user, "/export", "报送台账"))
    assert name == "报送台账_20230920.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:2] == ["报送台账", "统计汇总"]
    assert book.sheetnames[-2:] == ["按时报送情况", "联络员名册"]

    sheet = book["报送台账"]
    _check_print_layout(sheet, header_row=3)
    rows = _rows(sheet)
    assert rows[0][0] == "叶集区药品安全巩固提升行动报送台账" and rows[1][0] == "截至2023年9月20日"
    assert rows[2] == ("序号", "单位名称", "报送事项", "期次", "截止时间", "案件名称", "版本", "报送时间", "报送人", "报送情况", "标记", "审核情况", "审核人")
    body = rows[3:]
    assert [r[0] for r in body] == list(range(1, len(body) + 1))
    tz = export_bot.config.campaign.tz
    local_now = now.astimezone(tz).replace(tzinfo=None)
    # only periods past their deadline, or filed: nothing of September (due in October) unfiled
    assert not any(r[4] > local_now and r[9] == "未报" for r in body)
    assert not any(r[3] == "2023年9月" for r in body)
    cases = [r for r in body if r[1] == "平岗市场监管所" and r[2] == "典型案例" and r[3] == "2023年8月"]
    assert [r[5] for r in cases] == ["销售假药", "无证经营药品"]  # one line per filed case, named
    assert cases[0][11] == "已采纳" and cases[0][12] == "苏荣" and cases[1][11] == "待审核" and cases[1][12] is None
    assert cases[0][8] == "张三" and cases[0][9] == "按时"
    pgs = next(r for r in body if r[1] == "平岗市场监管所" and r[2] == STATISTICS.title and r[3] == "2023年8月")
    assert pgs[6] == 2 and pgs[9] == "按时" and pgs[10] == "第2版"
    shs = next(r for r in body if r[1] == "史河市场监管所" and r[2] == STATISTICS.title and r[3] == "2023年8月")
    assert shs[9] == "逾期补报" and shs[10] == "迟报10天"  # due 5 September, filed 15 September
    missing = next(r for r in body if r[1] == "三元市场监管所" and r[2] == "典型案例" and r[3] == "2023年8月")
    assert missing[9] == "未报" and missing[5] is None and missing[4] == datetime(2023, 9, 2, 23, 59, 59)
    assert sheet.cell(row=4, column=5).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(row=4, column=2).font.name == "仿宋" and sheet.cell(row=4, column=2).alignment.wrap_text


async def test_export_statistics_summary_per_period_with_totals(export_bot: RunningBot) -> None:
    await _filings(export_bot)
    export_bot.clock.advance(timedelta(days=30))  # 2023-10-20: August and September are due
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    _, data = _document(export_bot, await ask(user, "/export", "报送台账"))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["统计汇总"]
    rows = _rows(sheet)
    assert rows[0][0] == "附件1" and rows[1][0] == "药品经营使用环节巩固提升行动工作情况统计表"
    times = [i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith("时间：")]
    assert [rows[i][0] for i in times] == ["时间：2023年9月（截至2023年10月20日）", "时间：2023年8月（截至2023年10月20日）"]  # due periods, newest first
    august = times[1]
    assert rows[august - 1][0].startswith("填报单位：全部单位（") and "已报2个" in rows[august - 1][0]
    assert rows[august + 1][:2] == ("类别", "检查单位数量（家）")
    retail, users, online, total = rows[august + 2 : august + 6]
    assert retail[0] == "零售药店" and retail[1] == 60 and retail[5] == pytest.approx(4.5 + 2.5)  # pgs's version 2 + shs
    assert total[0] == "合计"
    for column in range(1, 8):
        assert total[column] == pytest.approx(retail[column] + users[column] + online[column])
    assert sheet.cell(row=august + 3, column=6).number_format == "0.00"  # 万元, two decimals
    september_total = rows[times[0] + 5]
    assert september_total[0] == "合计" and september_total[1] == 0  # nobody filed September
    assert len(sheet.row_breaks.brk) == 2  # one period a page
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9


async def test_export_on_time_record_and_roster(export_bot: RunningBot) -> None:
    await _filings(export_bot)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    _, data = _document(export_bot, await ask(user, "/export", "报送台账"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    record = book["按时报送情况"]
    _check_print_layout(record, header_row=3)
    rows = _rows(record)
    assert rows[2] == ("序号", "单位代码", "单位名称", "应报（项）", "按时（项）", "逾期补报（项）", "未报（项）", "退回修改（项）", "待审核（项）", "按时报送率")
    shs = next(r for r in rows if r[1] == "shs")
    assert shs[5] == 1 and shs[3] == shs[4] + shs[5] + shs[6] + shs[7] + shs[8]
    assert shs[9] == pytest.approx(shs[4] / shs[3])
    total = next(r for r in rows if r[2] == "合计")
    units = [r for r in rows[3:] if isinstance(r[0], int)]
    assert total[3] == sum(r[3] for r in units) and total[6] == sum(r[6] for r in units)
    assert record.cell(row=4, column=10).number_format == "0.00%"

    roster = book["联络员名册"]
    rows = _rows(roster)
    assert rows[0][0] == "附件10" and rows[1][0] == "叶集区药品安全巩固提升行动联络员信息表"
    _check_print_layout(roster, header_row=4)
    assert rows[3] == ("序号", "单位名称", "角色", "姓名", "所在部门", "职务", "办公电话", "移动电话", "电子邮箱")
    assert any(r[1] == "平岗市场监管所" and r[3] == "张三" and r[7] == "13800000001" for r in rows)
    assert any(r[1] == "三元市场监管所" and r[2] == "（未登记）" for r in rows)


async def test_export_in_english(export_bot: RunningBot) -> None:
    await _filings(export_bot)
    user = export_bot.emulator.user(COORDINATOR, first_name="Su", language_code="en")
    name, data = _document(export_bot, await ask(user, "/export", "register"))
    assert name == "submission-register_20230920.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:2] == ["Register", "Statistics"] and book.sheetnames[-2:] == ["On-time record", "Liaisons"]
    rows = _rows(book["Register"])
    assert rows[2][:4] == ("No.", "Unit", "Report", "Period")
    assert any(r[2] == "Typical cases" and r[3] == "August 2023" and r[9] == "Missing" for r in rows[3:])


async def test_an_export_laid_out_partly_in_a_worker_process_is_the_same_workbook(export_bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    # At scale (500 units and more) the 统计汇总 sheets are laid out in a worker process: here at any size.
    import zipfile

    from bot.services.coordinator import apart, export

    await _filings(export_bot)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    _, here = _document(export_bot, await ask(user, "/export", "报送台账"))
    monkeypatch.setattr(export, "PROCESS_FROM_UNITS", 0)
    futures: list[object] = []
    submit = apart.submit

    def noted(*args: object) -> object:
        futures.append(submit(*args))  # type: ignore[arg-type]
        return futures[-1]

    monkeypatch.setattr(apart, "submit", noted)
    try:
        user.skip_pending()
        await user.send("/export")
        _, apart_ = _document(export_bot, await user.wait_for(lambda m: "报送台账" in m.text, timeout=60))
    finally:
        apart.shutdown()

    def members(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist()}

    assert futures and futures[0] is not None and futures[0].result().parts  # type: ignore[attr-defined]  # (a worker laid them out)
    assert members(apart_) == members(here)
    assert "统计汇总" in openpyxl.load_workbook(io.BytesIO(apart_)).sheetnames
