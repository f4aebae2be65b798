"""Forms in the config: every mistake named by check-config; `forms` and `template` on the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.config import ConfigError, load_config
from bot.services.submissions.forms import Kind, form_of, steps_of
from bot.services.submissions.forms import statistics as stats

HEAD = """
[campaign]
name = "测试行动"
start = 2023-08-08
end = 2024-11-30

[[units]]
code = "a"
name = "甲局"
"""

TABLE = """
[[report_types]]
key = "stats"
title = "统计表"
template = "statistics"
schedule = { kind = "monthly", day = 5, covers = "previous_month" }

[report_types.form.table]
title = "检查统计表"
cumulative = true
since = 2023-07-01
checks = ["发现 <= 检查", ">= 0"]
rows = [
    { key = "shops", label = "药店", label_en = "Shops" },
    { key = "clinics", label = "诊所", label_en = "Clinics" },
]
columns = [
    { key = "inspected", short = "检查", label = "检查数（家）", label_en = "Inspected" },
    { key = "found", short = "发现", label = "发现数（家）", label_en = "Found" },
    { key = "fines", label = "罚没款（万元）", label_en = "Fines (10k yuan)", kind = "amount", decimals = 1, unit = "万元" },
]

[[report_types]]
key = "training"
title = "培训情况"
template = "case"
schedule = { kind = "yearly", day = 10 }

[report_types.form]
fields = [
    { key = "domain", kind = "choice", label = "领域", label_en = "Domain", options = [
        { key = "drug", label = "药品", label_en = "Drugs" }, { key = "device", label = "医疗器械", label_en = "Devices" } ] },
    { key = "people", kind = "whole", label = "参训人数", label_en = "Attendees", min = 1, max = 5000, unit = "人" },
    { key = "contact", kind = "phone", label = "联系电话", label_en = "Phone" },
    { key = "topic", kind = "text", label = "培训主题", label_en = "Topic", min_length = 4, max_length = 50 },
]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_declared_table_and_fields_are_what_the_engine_asks(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, HEAD + TABLE))
    table_form = form_of(config.report("stats"))
    assert table_form is not None and table_form.table is not None
    assert [s.key for s in steps_of(table_form)] == ["row_shops", "row_clinics"]
    row, problems = stats.parse_row("shops", "3 4 0.25", table_form.table)
    assert row is None
    assert [(p.key, p.cell("zh-CN")) for p in problems] == [
        ("money-precision", "药店 × 罚没款（万元）"), ("exceeds", "药店 × 发现数（家）"),
    ]
    row, problems = stats.parse_row("shops", "5 4 0.5万元", table_form.table)
    assert problems == [] and row == {"inspected": "5", "found": "4", "fines": "0.5"}
    fields = form_of(config.report("training"))
    assert [(s.key, s.kind) for s in steps_of(fields)] == [
        ("domain", Kind.CHOICE), ("people", Kind.WHOLE), ("contact", Kind.PHONE), ("topic", Kind.TEXT),
    ]


def test_every_mistake_in_a_form_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = HEAD + """
[[report_types]]
key = "stats"
title = "统计表"
template = "statistics"
schedule = { kind = "monthly", day = 5 }

[report_types.form.table]
title = "检查统计表"
checks = ["违规 <= 检查"]
rows = []
columns = [{ key = "inspected", short = "检查", label = "检查数", label_en = "Inspected" }]

[[report_types]]
key = "cases"
title = "案例"
template = "case"
schedule = { kind = "monthly", day = 5 }

[report_types.form]
fields = [{ key = "title", kind = "essay", label = "名称", label_en = "Name" }]
"""
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, bad))
    shown = [str(p) for p in e.value.problems]
    assert any(s.startswith("report_types[0:stats].form.table.rows: []: ") and "at least one" in s for s in shown), shown
    assert any(s.startswith("report_types[1:cases].form.fields[0:title].kind: 'essay': ") and "'whole'" in s for s in shown), shown
    assert main(["check-config", str(tmp_path / "config.toml")]) == 2
    err = capsys.readouterr().err
    assert "form.table.rows" in err and "'essay'" in err
    # a check naming a column the table does not have, in a table that has rows
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, bad.replace("rows = []", 'rows = [{ key = "x", label = "甲", label_en = "A" }]')))
    [problem] = [p for p in e.value.problems if "check" in p.expected]
    assert problem.key == "report_types[0:stats].form.table"
    assert "no column '违规' (the columns: 检查)" in problem.expected


def test_forms_prints_each_report_and_template_writes_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, HEAD + TABLE)
    assert main(["forms", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "rows: 药店 / 诊所" in out and "checks: 发现 <= 检查; >= 0" in out
    assert "参训人数 / Attendees [whole]（1–5000人）" in out
    assert main(["forms", "--config", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in data["stats"]["table"]["rows"]] == ["shops", "clinics"]
    out_file = tmp_path / "blank.xlsx"
    assert main(["template", "stats", "--config", str(path), "-o", str(out_file)]) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(out_file.read_bytes())).active
    assert sheet["A1"].value == "检查统计表"
    assert [sheet.cell(row=4, column=c).value for c in (1, 2, 3, 4)] == ["类别", "检查数（家）", "发现数（家）", "罚没款（万元）"]
    assert [sheet.cell(row=r, column=1).value for r in (5, 6)] == ["药店", "诊所"]
    assert main(["template", "training", "--config", str(path), "-o", str(out_file)]) == 2
    assert "has no table" in capsys.readouterr().err
