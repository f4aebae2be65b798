"""`liaison-bot draft-config` on the seed notices: the draft loads, and its due dates are those of the
hand-written campaign (seed 000: the shipped config.toml, report by report) or of the notice's text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns"

from bot.config import DEFAULT_CONFIG, load_config
from bot.forms_config import Form, TableForm
from bot.services.submissions.forms import form_of
from bot.services.drafting import draft_config, read_notice, render
from tests.services.drafting_support import draft, due, due_days, seed


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


# The hand-written campaign files of the seeds: the draft's due dates are theirs, report by report. Keys the
# coordinator renamed are mapped; a report the hand-written file adds that the notice does not name is listed
# with why (it cannot be drafted from the notice).
HAND = {
    "000": ("yejiqu-2023.toml", {}, {}),
    "001": ("yichun-2023.toml", {"statistics": "drug_statistics"}, {}),
    "002": ("yaohai-2025.toml", {"risk_analysis": "risk_report"},
            {"major_issue": "重大问题及舆情: the notice asks 舆情 to be handled (处置), never reported"}),
}


@pytest.mark.parametrize("prefix", sorted(HAND))
def test_the_draft_reproduces_the_hand_written_campaign(prefix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name, renamed, added = HAND[prefix]
    config, _ = draft(seed(prefix), tmp_path, capsys)
    hand = load_config(CAMPAIGNS / name)
    drafted, expected = due_days(config), due_days(hand)
    assert {renamed.get(k, k) for k in drafted} == set(expected) - set(added), name
    for key, days in drafted.items():
        assert days == expected[renamed.get(key, key)], (name, key)
        mine, theirs = config.report(key), hand.report(renamed.get(key, key))
        assert mine.min_items == theirs.min_items, (name, key)
        if mine.attachment is not None:  # the notice's 附件 says what is filed (002 has none: its forms are the coordinator's)
            assert mine.template == theirs.template, (name, key)


def _fields(form: Form | None) -> list[tuple[str, str, str]]:
    return [(f.key, f.kind, f.label) for f in (form.fields if form is not None else [])]


def _cells(table: TableForm) -> tuple[object, ...]:
    return ([(r.key, r.label) for r in table.rows], [(c.key, c.label, c.kind, c.decimals, c.unit) for c in table.columns],
            table.title, table.cumulative, table.since, table.note)


def test_seed_001_forms_are_the_hand_written_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """附件1's rows × columns, 附件2's case fields, 附件3's sections: as the hand-written campaign declares them."""
    config, text = draft(seed("001"), tmp_path, capsys)
    hand = load_config(CAMPAIGNS / "yichun-2023.toml")
    mine, theirs = config.report("statistics").form, hand.report("drug_statistics").form
    assert mine is not None and mine.table is not None and theirs is not None and theirs.table is not None
    assert _cells(mine.table) == _cells(theirs.table)
    assert mine.table.checks == theirs.table.checks
    assert _fields(config.report("typical_case").form) == _fields(hand.report("typical_case").form)
    shipped = form_of(hand.report("stage_summary"))  # the hand-written file keeps the shipped summary form
    assert shipped is not None
    for key in ("stage_summary", "final_summary"):
        drafted = config.report(key).form
        assert drafted is not None and drafted.whole_file == shipped.whole_file and _fields(drafted) == _fields(shipped)
    assert config.report("liaison_list").form is None  # filed by registering
    assert "#   fields: 单位名称 / 姓名 / 所在部门 / 职务 / 办公电话 / 移动电话 / 电子邮箱" in text
    assert config.report("typical_case").attachment == "附件2" and config.report("statistics").attachment == "附件1"


def test_seed_000_forms_are_the_shipped_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed 000 is the campaign the shipped forms were made from: 附件8's case and 附件9's sections."""
    config, _ = draft(seed("000"), tmp_path, capsys)
    case, summary = form_of(load_config(DEFAULT_CONFIG).report("typical_case")), form_of(load_config(DEFAULT_CONFIG).report("stage_summary"))
    drafted = _fields(config.report("typical_case").form)
    assert [(k, kind) for k, kind, _ in drafted] == [(k, kind) for k, kind, _ in _fields(case)]
    assert ("police", "yes_no", "是否移送公安司法机关") in drafted  # the notice: 作出行政处罚或移送公安司法机关的案例
    assert _fields(config.report("stage_summary").form) == _fields(summary)


def test_seed_001_statistics_attachment() -> None:
    d = draft_config(read_notice(seed("001")), today=date(2023, 8, 8))
    table = d.report("statistics").attachment
    assert table is not None and table.number == 1
    assert table.rows == ["零售药店", "药品使用单位", "药品网络销售单位"]
    assert len(table.columns) == 7 and table.columns[0].startswith("检查单位数量") and table.columns[-1].startswith("移送公安机关案件数量")
    assert any("自2023年7月1号起累计" in n for n in table.notes)
    text = render(d, "001.txt")
    assert '    { key = "retail", label = "零售药店", label_en = "Retail pharmacies" },  # 「零售药店」' in text
    assert "# 附件5 「药品经营使用环节安全巩固提升行动任务分工表」 names these 责任单位 (units above, or to add): 各县(市、区)局、直属分局；" in text


def test_seed_001_what_the_notice_leaves_open_is_a_todo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, text = draft(seed("001"), tmp_path, capsys)
    assert config.campaign.start == date(2023, 8, 1)
    assert "# TODO: the notice gives no 印发 date: the first day of the month of its earliest deadline (2023-08-08) is assumed" in text
    assert "# TODO: the notice names no due day: day 5 of the month after the period is assumed, as statistics is due (每月5日前)" in text
    assert config.report("major_issue").schedule.kind == "any_time"
    assert [u.tags for u in config.units] == [["县（市、区）局"], ["直属分局"]]
    assert config.report("stage_summary").owed_by == ["县（市、区）局"]


def test_seed_002_days_by_convention(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """瑶海区 2025 工作要点: no recurrence names its day: the 10th after each period (15 January after the year),
    moved off holidays; the plan's year runs on to January for the reports on its last period."""
    config, text = draft(seed("002"), tmp_path, capsys)
    assert config.report("training").min_items == 3  # one in each of three fields
    assert "# TODO: 1 in each of 3 fields (药品、医疗器械、化妆品): 3 in all is assumed" in text
    assert (config.campaign.start, config.campaign.end) == (date(2025, 1, 1), date(2026, 1, 31))
    assert due_days(config)["risk_consultation"][-1] == date(2026, 1, 12)  # 10 January 2026 is a Saturday
    assert config.report("risk_consultation").holiday_rule == "next_working_day"
    assert config.report("training").schedule.kind == "yearly" and due_days(config)["training"] == [date(2025, 12, 31)]


def test_seed_003_no_deadline_is_said_and_the_draft_still_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config, text = draft(seed("003"), tmp_path, capsys)
    assert config.report_types == []
    assert "# TODO: no reporting deadline was found in the notice" in text
