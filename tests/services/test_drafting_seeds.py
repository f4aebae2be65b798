"""`liaison-bot draft-config` on the seed notices: the draft loads, and its due dates are those of the
hand-written campaign (seed 000: the shipped config.toml, report by report) or of the notice's text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG, load_config
from bot.services.drafting import draft_config, read_notice, render
from tests.services.drafting_support import draft, due, due_days, monthly, seed


def test_seed_000_reproduces_the_shipped_campaign(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, _ = draft(seed("000"), tmp_path, capsys)
    shipped = load_config(DEFAULT_CONFIG)
    assert (config.campaign.start, config.campaign.end) == (shipped.campaign.start, shipped.campaign.end)
    assert config.campaign.name == shipped.campaign.name
    assert [r.key for r in config.report_types] != [] and {r.key for r in config.report_types} == {r.key for r in shipped.report_types}
    drafted, expected = due(config), due(shipped)
    for report in shipped.report_types:
        assert drafted[report.key] == expected[report.key], report.key
        mine = config.report(report.key)
        assert (mine.template, mine.owed_by, mine.min_items, mine.max_items, mine.schedule.kind) == (
            report.template, report.owed_by, report.min_items, report.max_items, report.schedule.kind), report.key
    assert sum(len(v) for v in drafted.values()) > 80  # 15 months × 3 monthly reports, 5 stages × 2, 60-odd weeks …


def test_seed_000_the_contradiction_is_a_todo_holding_the_body(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, text = draft(seed("000"), tmp_path, capsys)
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith('schedule = { kind = "monthly", day = 2'))
    assert lines[at - 1].startswith("# TODO:") and "每月3日前" in lines[at - 1] and "附件8" in lines[at - 1]
    assert "每月2日前报送药品安全巩固提升行动典型案例" in lines[at]
    assert "# TODO: 每周: the notice names no weekday; Friday is assumed" in text


def test_every_value_line_quotes_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for prefix in ("000", "001", "002", "003"):
        _, text = draft(seed(prefix), tmp_path, capsys)
        values = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith(("#", "[")) and line != "]"]
        assert values and all("  # " in line for line in values), [line for line in values if "  # " not in line]
        quoted = [line for line in values if "「" in line]
        assert prefix == "003" or len(quoted) > len(values) // 2, prefix  # (003 has no deadline: only its title is quoted)


def test_seed_000_forms_from_its_attachments() -> None:
    d = draft_config(read_notice(seed("000")), today=date(2023, 8, 8))
    case, summary, liaison = d.report("typical_case"), d.report("stage_summary"), d.report("liaison_list")
    assert case.attachment is not None and case.attachment.number == 8
    assert case.attachment.headings == ["一、案情概述", "二、查办结果"]
    assert summary.attachment is not None and summary.attachment.number == 9
    assert summary.attachment.headings == ["一、基本情况", "二、主要工作进展", "三、工作亮点", "四、意见建议", "五、其他"]
    assert liaison.attachment is not None and liaison.attachment.number == 10
    assert liaison.attachment.fields == ["单位名称", "姓名", "所在部门", "职务", "办公电话", "移动电话", "电子邮箱"]
    assert [u.name for u in d.units if "工作组" in u.tags] == ["综合协调组", "药械化工作组", "案件查办工作组", "能力提升工作组"]


# Seed 001 (宜春市): the dates its text gives. The notice names no 印发 date nor an end: the draft starts at the
# statistics' "自 2023 年 7 月 1 号起" and ends with the last deadline (TODOs); 典型案例 "每季度不少于1个" has
# no due day: by the quarter's last day (TODO).
SEED_001 = {
    "liaison_list": [date(2023, 8, 8)],  # 于2023年8月8日前发送至邮箱（附件4）
    "statistics": monthly(5, (2023, 8), (2024, 11)),  # 统计数据…每月5日前发送到邮箱（附件1）
    "typical_case": [date(2023, 9, 30), date(2023, 12, 31), date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30)],
    "stage_summary": [date(2023, 11, 5), date(2024, 6, 5)],  # 于2023年11月5日前、2024年6月5日前报送阶段性工作总结
    "final_summary": [date(2024, 11, 5)],  # 2024年11月5日前报送巩固提升行动工作总结（附件3）
    "major_issue": [],  # 工作中发现重大问题要及时上报: any time
}


def test_seed_001_dates_of_the_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, text = draft(seed("001"), tmp_path, capsys)
    assert due_days(config) == SEED_001
    case = config.report("typical_case")
    assert (case.template, case.min_items, case.schedule.kind) == ("case", 1, "quarterly")
    assert config.report("statistics").template == "statistics"
    assert config.report("liaison_list").template == "liaison"
    assert config.report("major_issue").schedule.kind == "any_time"
    assert [u.tags for u in config.units] == [["县（市、区）局"], ["直属分局"]]
    assert config.report("stage_summary").owed_by == ["县（市、区）局"]
    assert "# TODO: the notice gives no 印发 date" in text


def test_seed_001_statistics_table_and_forms() -> None:
    d = draft_config(read_notice(seed("001")), today=date(2023, 8, 8))
    table = d.report("statistics").attachment
    assert table is not None and table.number == 1
    assert table.rows == ["零售药店", "药品使用单位", "药品网络销售单位"]
    assert len(table.columns) == 7 and table.columns[0].startswith("检查单位数量") and table.columns[-1].startswith("移送公安机关案件数量")
    assert any("自2023年7月1号起累计" in n for n in table.notes)
    liaison = d.report("liaison_list").attachment
    assert liaison is not None and liaison.fields == ["单位名称", "姓名", "所在部门", "职务", "办公电话", "移动电话", "电子邮箱"]
    text = render(d, "001.txt")
    assert '#   rows = ["零售药店", "药品使用单位", "药品网络销售单位"]' in text
    assert "#   table: 3 rows × 7 columns" in text
    assert "# 附件5 「药品经营使用环节安全巩固提升行动任务分工表」 names these 责任单位 (units above, or to add): 各县(市、区)局、直属分局；" in text


# Seed 002 (瑶海区 2025 工作要点): a plan for 2025 (TODO: 1 January to 31 December); no recurrence names its day,
# so each is due by its period's last day (TODO).
SEED_002 = {
    "training": [date(2025, 12, 31)],  # 2025年度在药品、医疗器械、化妆品领域各组织不少于1场的…培训
    "risk_consultation": [date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)],  # 每季度组织开展风险会商
    "risk_analysis": [date(2025, 6, 30), date(2025, 12, 31)],  # 每半年向市市场监管局报送药品安全风险分析报告
    "supervision_report": [date(2025, 12, 31)],  # 每年度向市市场监管局报送药品经营使用环节监管情况报告
}


def test_seed_002_dates_of_the_notice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, text = draft(seed("002"), tmp_path, capsys)
    assert due_days(config) == SEED_002
    assert config.report("training").min_items == 3  # one in each of three fields
    assert "# TODO: 1 in each of 3 fields (药品、医疗器械、化妆品): 3 in all is assumed" in text
    assert (config.campaign.start, config.campaign.end) == (date(2025, 1, 1), date(2025, 12, 31))


def test_seed_003_no_deadline_is_said_and_the_draft_still_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, text = draft(seed("003"), tmp_path, capsys)
    assert config.report_types == []
    assert "# TODO: no reporting deadline was found in the notice" in text
