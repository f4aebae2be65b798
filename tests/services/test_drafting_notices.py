"""`liaison-bot draft-config` on notices of other fields and years (written in the style officials use),
on .docx notices, and on files that are no notice."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document  # type: ignore[import-untyped]

from bot.cli import main
from tests.services.drafting_support import NOTICES, draft, due, due_days, monthly

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_food_safety_monthly_with_holiday_shift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """每月10日前报送上月…统计表; 报送时间遇法定节假日顺延: the 10th moves to the next working day."""
    config, text = draft(NOTICES / "food_safety_2024.txt", tmp_path, capsys)
    assert (config.campaign.start, config.campaign.end) == (date(2024, 3, 20), date(2024, 12, 31))
    statistics = monthly(10, (2024, 4), (2024, 12))
    # 2024-06-10 端午节 → 06-11; 08-10 a Saturday → 08-12; 11-10 a Sunday → 11-11
    shifted = {date(2024, 6, 10): date(2024, 6, 11), date(2024, 8, 10): date(2024, 8, 12), date(2024, 11, 10): date(2024, 11, 11)}
    assert due_days(config) == {
        "statistics": [shifted.get(d, d) for d in statistics],
        "half_year_summary": [date(2024, 7, 10)],
        "final_summary": [date(2024, 12, 16)],  # 2024-12-15 is a Sunday
        "liaison_list": [date(2024, 4, 1)],
    }
    assert all(r.holiday_rule == "next_working_day" for r in config.report_types)
    statistics_report = config.report("statistics")
    assert statistics_report.template == "statistics" and statistics_report.owed_by == ["县（区）局"]
    form = statistics_report.form
    assert form is not None and form.table is not None  # 附件1 declared as the form's table
    assert [r.label for r in form.table.rows] == ["食品生产企业", "食品销售者", "餐饮服务提供者"]
    assert [(c.label, c.kind, c.unit) for c in form.table.columns] == [
        ("检查主体数（家次）", "whole", "家次"), ("发现问题数（个）", "whole", "个"), ("立案数（件）", "whole", "件"), ("罚没款（万元）", "amount", "万元")]
    assert (form.table.note, form.table.cumulative, form.table.checks) == ("注：本表数据为当月数据。", False, [">= 0"])
    assert "#   fields: 单位 / 姓名 / 职务 / 手机号码 / 电子邮箱" in text  # the liaison form: asked when registering
    summary = config.report("half_year_summary").form
    assert summary is not None and [f.label for f in summary.fields] == ["一、工作开展情况", "二、取得成效", "三、存在问题", "四、下一步工作打算"]
    assert [f.key for f in summary.fields] == ["work", "results", "problems", "plans"]


def test_work_safety_weekly_with_a_time_of_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """每周五下午4点前报送周报表: every Friday at 16:00 from the week of 印发 to the end of the last phase."""
    config, _ = draft(NOTICES / "work_safety_2025.txt", tmp_path, capsys)
    assert config.campaign.name == "2025年安全生产治本攻坚“百日行动”"
    fridays, day = [], date(2025, 8, 29)
    while day <= date(2025, 12, 31):
        fridays.append(datetime.combine(day, time(16, 0), tzinfo=SHANGHAI))
        day += timedelta(days=7)
    assert [at for _, at in due(config)["weekly_report"]] == fridays
    assert due_days(config) | {"weekly_report": []} == {
        "weekly_report": [],
        "liaison_list": [date(2025, 9, 1)],
        "final_summary": [date(2025, 12, 10)],
        "major_issue": [],  # 对发现的重大事故隐患随时上报
    }
    assert config.report("major_issue").schedule.kind == "any_time"
    assert config.report("weekly_report").template == "statistics"  # 附件1 隐患排查整治情况周报表, a table


QUARTERLY = {
    # 每季度末月25日前: the 25th of March, June, September, December, within 2024-01-08 … 2025-11-30
    "progress_report": [date(2024, 3, 25), date(2024, 6, 25), date(2024, 9, 25), date(2024, 12, 25),
                        date(2025, 3, 25), date(2025, 6, 25), date(2025, 9, 25)],
    # 每半年结束后15日内
    "risk_analysis": [date(2024, 7, 15), date(2025, 1, 15), date(2025, 7, 15)],
    # 每年1月15日前报送上年度工作总结
    "annual_summary": [date(2025, 1, 15)],
    "liaison_list": [date(2024, 1, 19)],
}


def test_quarter_last_month_half_year_and_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, text = draft(NOTICES / "drug_quarterly_2024.txt", tmp_path, capsys)
    assert (config.campaign.start, config.campaign.end) == (date(2024, 1, 8), date(2025, 11, 30))
    assert due_days(config) == QUARTERLY
    assert "# 每季度末月25日前: due on day 25 of each quarter's last month" in text
    assert config.report("risk_analysis").schedule.model_dump() == {"kind": "half_yearly", "day": None, "days_after": 15, "month": None}
    assert config.report("annual_summary").schedule.model_dump() == {"kind": "yearly", "day": 15, "days_after": None, "month": 1}


def test_eco_environment_2026_current_month_quarter_by_working_days_and_a_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """生态环境 2026: 每月25日前报送当月…统计表 (当月: the month itself), 每季度结束后5个工作日内 (a TODO: calendar days),
    a 中期评估报告 and the 总结, 重大环境违法线索随时上报; 附件1 with a 合计 row; the phases end the campaign."""
    config, text = draft(NOTICES / "eco_env_2026.txt", tmp_path, capsys)
    # 印发 27 February, after February's 当月 statistics were due (25th): the campaign starts with March (a TODO)
    assert (config.campaign.start, config.campaign.end) == (date(2026, 3, 1), date(2026, 11, 30))
    assert "statistics of the period running on 2026-02-27 was due before it: the campaign starts 2026-03-01" in text
    assert due_days(config) == {
        "statistics": [date(2026, m, 25) for m in range(3, 12)],
        "brief_summary": [date(2026, 4, 5), date(2026, 7, 5), date(2026, 10, 5)],
        "assessment": [date(2026, 6, 30)],
        "final_summary": [date(2026, 11, 20)],
        "liaison_list": [date(2026, 3, 6)],
        "major_issue": [],
    }
    assert config.report("statistics").schedule.model_dump()["covers"] == "current_month"
    assert "working days; the config counts calendar days" in text
    form = config.report("statistics").form
    table = form.table if form is not None else None
    assert table is not None and [r.label for r in table.rows] == ["工业固体废物", "危险废物", "生活垃圾"]  # 合计: the bot adds up
    assert [(c.key, c.unit, c.kind) for c in table.columns] == [
        ("checked", "个", "whole"), ("problems", "个", "whole"), ("rectified", "个", "whole"), ("cases", "件", "whole"), ("fines", "万元", "amount")]
    assert table.checks == ["完成整改 <= 发现问题", ">= 0"]
    summary = config.report("final_summary").form
    assert summary is not None and [f.label for f in summary.fields] == ["一、基本情况", "二、主要做法", "三、存在问题", "四、下一步工作打算"]
    assert config.report("major_issue").schedule.kind == "any_time"


def test_school_safety_2022_weekly_at_a_time_chinese_dates_a_quota_and_until(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """教育 2022: 自…起至…止 (the campaign), 每周五17:00前 a 台账 (附件1 a table), 二〇二二年十月十日前、十二月十日前
    分别报送阶段性工作总结, 每月不少于1篇…简报 (its title after the count), 于…前确定安全联络员，填写联络员信息表."""
    config, text = draft(NOTICES / "school_safety_2022.txt", tmp_path, capsys)
    assert (config.campaign.start, config.campaign.end) == (date(2022, 9, 1), date(2023, 1, 15))
    fridays, day = [], date(2022, 9, 2)
    while day <= date(2023, 1, 15):
        fridays.append(datetime.combine(day, time(17, 0), tzinfo=SHANGHAI))
        day += timedelta(days=7)
    assert [at for _, at in due(config)["ledger"]] == fridays
    assert due_days(config) | {"ledger": []} == {
        "ledger": [],
        "stage_summary": [date(2022, 10, 10), date(2022, 12, 10)],
        "briefing": [date(2022, 9, 30), date(2022, 10, 31), date(2022, 11, 30), date(2022, 12, 31)],
        "liaison_list": [date(2022, 9, 7)],
        "final_summary": [date(2023, 1, 10)],
    }
    ledger, briefing = config.report("ledger"), config.report("briefing")
    assert (ledger.template, ledger.title) == ("statistics", "隐患排查整改台账")
    assert (briefing.title, briefing.min_items) == ("安全教育活动简报", 1)
    assert ledger.form is not None and ledger.form.table is not None
    assert [(c.label, c.unit) for c in ledger.form.table.columns] == [("排查次数（次）", "次"), ("发现隐患（处）", "处"), ("已整改（处）", "处")]
    assert ledger.form.table.checks == ["整改 <= 发现隐患", ">= 0"]
    assert "# TODO: the notice names 各中小学校、幼儿园 only as a group" in text


def _docx(text: str, *, merged_liaison: bool = False) -> bytes:
    """The notice as a Word document: lines as paragraphs, tab-separated rows as tables."""
    document = Document()
    rows: list[list[str]] = []

    def flush() -> None:
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                table.cell(i, j).text = cell
        if merged_liaison and rows[0][0] == "单位名称":
            table.cell(0, 1).merge(table.cell(0, width - 1))  # 单位名称's answer spans the row
        rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
            continue
        flush()
        document.add_paragraph(line)
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_notice_drafts_as_its_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notice = tmp_path / "方案.docx"
    notice.write_bytes(_docx((NOTICES / "drug_quarterly_2024.txt").read_text(encoding="utf-8"), merged_liaison=True))
    config, text = draft(notice, tmp_path, capsys)
    assert due_days(config) == QUARTERLY
    assert "#   fields: 单位名称 / 姓名 / 职务 / 办公电话 / 移动电话 / 电子邮箱" in text
    form = config.report("progress_report").form
    assert form is not None and form.table is not None
    assert [(r.key, r.label) for r in form.table.rows] == [("inspected", "检查家次"), ("rectified", "责令整改"), ("cases", "立案查处")]
    assert [(c.key, c.label) for c in form.table.columns] == [("retail", "零售药店"), ("clinics", "医疗机构")]  # 合计: the bot adds up


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], notice: Path) -> str:
    out = tmp_path / "draft.toml"
    assert main(["draft-config", str(notice), "-o", str(out)]) == 2
    assert not out.exists()
    return capsys.readouterr().err


def test_a_zip_that_inflates_beyond_bounds_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (41 * 1024 * 1024))  # compresses to ~40 KB
    notice = tmp_path / "bomb.docx"
    notice.write_bytes(bomb.getvalue())
    assert notice.stat().st_size < 200_000
    assert "inflates beyond 40 MB" in _refused(tmp_path, capsys, notice)


def test_files_that_are_no_notice_are_refused_with_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert "not a readable .docx" in _refused(tmp_path, capsys, broken)
    binary = tmp_path / "image.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    assert "not a text file" in _refused(tmp_path, capsys, binary)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(11 * 1024 * 1024)
    assert "a notice is expected to be under 10 MB" in _refused(tmp_path, capsys, huge)
    assert "cannot be read" in _refused(tmp_path, capsys, tmp_path / "missing.txt")


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reviewed.toml"
    out.write_text("# a coordinator's reviewed campaign\n", encoding="utf-8")
    assert main(["draft-config", str(NOTICES / "food_safety_2024.txt"), "-o", str(out)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# a coordinator's reviewed campaign\n"


def test_gb18030_text_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notice = tmp_path / "gbk.txt"
    notice.write_bytes((NOTICES / "work_safety_2025.txt").read_text(encoding="utf-8").encode("gb18030"))
    config, _ = draft(notice, tmp_path, capsys)
    assert due_days(config)["liaison_list"] == [date(2025, 9, 1)]


def test_the_cli_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "d.toml"
    assert main(["draft-config", str(NOTICES / "drug_quarterly_2024.txt"), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"{out}: ××省2024—2025年药品零售使用环节质量提升工作 (2024-01-08 to 2025-11-30): 4 report types, 2 units" in said
    assert f"liaison-bot deadlines --config {out}" in said
    assert main(["deadlines", "--config", str(out), "--report", "liaison_list", "--tsv"]) == 0
    assert capsys.readouterr().out.startswith("liaison_list\t联络员报送\t2024-01-19T23:59:59+08:00\t")
