"""The seed campaigns in campaigns/: each loads, its forms are the notice's, its deadlines are the notice's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config, load_config
from bot.services.submissions.forms import Kind, form_of, steps_of
from schedules import ChinaCalendar, all_due_items

CAMPAIGNS = Path(__file__).resolve().parents[2] / "campaigns"


def _deadlines(config: Config, key: str) -> list[tuple[str, date]]:
    report = config.report(key)
    items = all_due_items([report], tz=config.campaign.tz, start=config.campaign.start, end=config.campaign.end, calendar=ChinaCalendar(config.calendar))
    return [(i.label, i.due_at.astimezone(config.campaign.tz).date()) for i in items if i.due_at is not None]


@pytest.mark.parametrize("name", ["yejiqu-2023", "yichun-2023", "yaohai-2025"])
def test_every_campaign_passes_check_config(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(CAMPAIGNS / f"{name}.toml")]) == 0
    assert "ok" in capsys.readouterr().out


def test_yejiqu_is_the_shipped_campaign_with_no_table() -> None:
    shipped, yejiqu = load_config(), load_config(CAMPAIGNS / "yejiqu-2023.toml")
    assert yejiqu.report_types == shipped.report_types and yejiqu.units == shipped.units
    statistics = yejiqu.report("case_statistics")
    assert statistics.template == "confirmation"  # entered in the national 统计信息系统, confirmed here
    assert not any((f := form_of(r)) is not None and f.table is not None for r in yejiqu.report_types)
    assert _deadlines(yejiqu, "stage_summary")[0] == ("第一阶段", date(2023, 9, 15))
    assert [d for _, d in _deadlines(yejiqu, "typical_case")][:2] == [date(2023, 9, 2), date(2023, 10, 2)]


def test_yichun_has_annex_1_as_in_the_notice() -> None:
    config = load_config(CAMPAIGNS / "yichun-2023.toml")
    form = form_of(config.report("drug_statistics"))
    assert form is not None and form.table is not None
    table = form.table
    assert [r.label for r in table.rows] == ["零售药店", "药品使用单位", "药品网络销售单位"]
    assert [c.label for c in table.columns] == [
        "检查单位数量（家）", "发现违规单位数量（家）", "完成整改单位数量（家）", "已立案查处数量（件）",
        "罚没款金额（万元）", "吊销许可证数量（家）", "移送公安机关案件数量（家）",
    ]
    assert table.cumulative and table.since == date(2023, 7, 1)
    assert [d for _, d in _deadlines(config, "drug_statistics")][:3] == [date(2023, 9, 5), date(2023, 10, 5), date(2023, 11, 5)]
    cases = config.report("typical_case")
    assert cases.min_items == 1 and [s.key for s in steps_of(form_of(cases))][-1] == "decision_file"
    assert _deadlines(config, "typical_case")[0][0] == "2023年第三季度"
    assert [d for _, d in _deadlines(config, "stage_summary")] == [date(2023, 11, 5), date(2024, 6, 5)]
    assert _deadlines(config, "final_summary") == [("最终总结", date(2024, 11, 5))]
    assert _deadlines(config, "liaison_list") == [("联络员报名", date(2023, 8, 8))]


def test_yaohai_has_seed_002s_reports_and_dates() -> None:
    config = load_config(CAMPAIGNS / "yaohai-2025.toml")
    assert [d for _, d in _deadlines(config, "risk_consultation")] == [
        date(2025, 4, 10), date(2025, 7, 10), date(2025, 10, 10), date(2026, 1, 12),  # 2026-01-10 is a Saturday: 顺延
    ]
    assert [label for label, _ in _deadlines(config, "risk_report")] == ["2025年上半年", "2025年下半年"]
    assert _deadlines(config, "supervision_report") == [("2025年度", date(2026, 1, 15))]
    training = config.report("training")
    assert training.min_items == 3
    steps = steps_of(form_of(training))
    assert [(s.key, s.kind) for s in steps][:1] == [("domain", Kind.CHOICE)]
    domain = steps[0].field
    assert domain is not None and [o.label for o in domain.options] == ["药品", "医疗器械", "化妆品"]
    assert [u.name for u in config.units_owing(training)] == ["区市场监管局"]
