"""`liaison-bot export` / `compile` on a database, the statistics helpers, and the CJK font for charts."""

from __future__ import annotations

import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from bot.cli import main
from bot.config import load_config
from bot.models import SubmissionKind
from bot.services.coordinator import chart
from bot.services.people.campaign import sync_campaign
from bot.services.deadlines.due_items import sync_due_items
from bot.services.coordinator.summaries import add, figures
from bot.services.submissions.forms.statistics import ATTACHMENT_1
from bot.storage import Storage
from schedules import ChinaCalendar
from tests.app.helpers_coordinator import case_data, file, liaison, statistics_data


def test_cli_export_and_compile(storage: Storage, db_url: str, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = load_config()
    sync_campaign(storage, config, now=now)
    sync_due_items(storage, config, calendar=ChinaCalendar(config.calendar), now=now)
    person = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    file(storage, "pgs", "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data("销售假药"), at=now)
    monkeypatch.setenv("LIAISON_BOT_DATABASE_URL", db_url)

    out = tmp_path / "out" / "export.xlsx"
    assert main(["export", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "报送台账" and "联络员名册" in book.sheetnames
    rows = list(book["报送台账"].iter_rows(values_only=True))
    assert any(r[1] == "平岗市场监管所" and r[2] == "典型案例" and r[3] == "2023年8月" and r[5] == "销售假药" and r[9] == "按时" for r in rows)

    english = tmp_path / "out" / "en.xlsx"
    assert main(["export", "--out", str(english), "--lang", "en"]) == 0
    assert openpyxl.load_workbook(english).sheetnames[0] == "Register"

    docx = tmp_path / "cases.docx"
    assert main(["compile", "2023年8月", "--out", str(docx)]) == 0
    assert "平岗市场监管所报送销售假药案" in [p.text for p in Document(str(docx)).paragraphs]
    bundle = tmp_path / "cases.zip"
    assert main(["compile", "2023年8月", "--out", str(bundle)]) == 0
    with zipfile.ZipFile(bundle) as z:
        assert sorted(z.namelist()) == ["报送材料汇编_2023年8月.docx", "附件清单.xlsx"]
    capsys.readouterr()

    record = tmp_path / "ontime.xlsx"
    assert main(["ontime", "--out", str(record)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split("\t")[:3] == ["单位名称", "应报（项）", "按时（项）"]
    pgs = next(line.split("\t") for line in printed if line.startswith("平岗市场监管所"))
    assert int(pgs[2]) >= 1  # the August case, filed on time
    rows = list(openpyxl.load_workbook(record)["按时报送情况"].iter_rows(values_only=True))
    assert any(r[2] == "平岗市场监管所" and r[4] == int(pgs[2]) for r in rows)
    assert main(["compile", "火星", "--out", str(docx)]) == 2
    assert "火星" in capsys.readouterr().err


def test_statistics_sum_cell_by_cell() -> None:
    a, b = figures(statistics_data(1), ATTACHMENT_1), figures(statistics_data(2), ATTACHMENT_1)
    total = add([a, b], ATTACHMENT_1)
    assert total["retail"]["inspected"] == Decimal(30)
    assert total["online"]["fines"] == Decimal("3.5") + Decimal("4.5")


def test_a_cjk_font_covers_every_unit_name() -> None:
    names = [u.name for u in load_config().units] + ["按时", "逾期补报", "未报", "未到期"]
    font = chart.cjk_font("".join(names))
    assert chart.glyphs_missing(font, names) == set()


def test_without_a_cjk_font_the_chart_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart, "_packaged_font", lambda: None)
    monkeypatch.setattr(chart, "_system_fonts", lambda: ())
    with pytest.raises(chart.NoCJKFont, match="pylopdf-fonts-zh-cn"):
        chart.cjk_font("平岗市场监管所")


def test_a_long_list_of_missing_units_fits_in_its_cell() -> None:
    from bot.services.coordinator.paper import Labels
    from bot.services.coordinator.summaries import NAMES_LIMIT, _names

    names = [f"第{i}市场监督管理局" for i in range(3000)]
    shown = _names(names, Labels("zh-CN"))
    assert len(shown) < NAMES_LIMIT + 50 and shown.startswith("第0市场监督管理局、第1市场监督管理局")
    kept = shown.split("……")[0].count("、") + 1
    assert shown.endswith(f"……等，另 {3000 - kept} 个单位见报送台账")
    assert _names(names[:3], Labels("en")) == "第0市场监督管理局, 第1市场监督管理局, 第2市场监督管理局"
