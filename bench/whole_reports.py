"""Benchmark: reading reports given whole — the 附件1 template, a unit's own layout, the worst sheet the
bounds let through, a case as .docx, and a zip bomb refused — each the median of several runs.

Run: `python bench/whole_reports.py`. The last line is `whole_reports: template T ms, own layout L ms (xR),
noise sheet N ms (xR), case docx D ms, bomb refused B ms`; the ratios are to the template, measured in the same run.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from docx import Document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.drafting.pasted import MAX_DOCUMENT, read_case  # noqa: E402
from bot.services.drafting.source import NoticeError, docx_text  # noqa: E402
from bot.services.submissions.forms.workbook import blank_workbook, read_workbook  # noqa: E402

RUNS = 7
TZ = ZoneInfo("Asia/Shanghai")


def _median_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _template() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(blank_workbook()))
    sheet = book.active
    assert sheet is not None
    for r in (5, 6, 7):
        for c in range(2, 9):
            sheet.cell(row=r, column=c, value=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _own_layout() -> bytes:
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes["A1"] = "填表说明"
    sheet = book.create_sheet("报表")
    sheet["A1"] = "统计表（2023年8月）"
    sheet.merge_cells("A1:J2")
    headers = ["检查单位数量（家）", "发现违规单位数量（家）", "完成整改单位数量（家）", "已立案查处数量（件）", "罚没款金额（万元）",
               "移送公安机关案件数量（家）", "吊销许可证数量（家）"]
    for i, h in enumerate(headers):
        sheet.cell(row=5, column=4 + i, value=h)
    for r, name in enumerate(("零售药店", "药品使用单位", "药品网络销售单位"), start=7):
        sheet.cell(row=r, column=3, value=name)
        for c in range(4, 11):
            sheet.cell(row=r, column=c, value=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _noise() -> bytes:
    """A sheet as large as the bounds read (and more), every cell text, the table nowhere."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r in range(1, 2001):
        sheet.append([f"备注{r}-{c}" for c in range(80)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _case() -> bytes:
    document = Document()
    for line in ["药品安全巩固提升行动典型案例报送", "填报单位：平岗所", "平岗所报送某药店销售假药案", "一、案情概述",
                 "2023年7月，执法人员检查发现某药店销售假药。" * 20, "二、查办结果",
                 "依据《药品管理法》，于2023年8月10日作出处罚决定（叶市监罚〔2023〕15号），罚款5万元。"]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as stream:
        for _ in range(64):
            stream.write(b"\x00" * (1024 * 1024))
    return out.getvalue()


def main() -> None:
    template, own, noise, case, bomb = _template(), _own_layout(), _noise(), _case(), _bomb()
    now = datetime(2023, 9, 1, tzinfo=TZ)
    assert read_workbook(template)[0] is not None and read_workbook(own)[0] is not None

    def refuse() -> None:
        try:
            docx_text(bomb)
        except NoticeError:
            return
        raise AssertionError("the bomb was read")

    t = _median_ms(lambda: read_workbook(template))
    o = _median_ms(lambda: read_workbook(own))
    n = _median_ms(lambda: read_workbook(noise))
    d = _median_ms(lambda: read_case(docx_text(case), now=now, tz=TZ, limit=MAX_DOCUMENT))
    b = _median_ms(refuse)
    print(f"whole_reports: template {t:.1f} ms, own layout {o:.1f} ms (x{o / t:.2f}), noise sheet {len(noise) // 1024} KB "
          f"{n:.1f} ms (x{n / t:.2f}), case docx {d:.1f} ms, bomb ({len(bomb) // 1024} KB, 64 MB inflated) refused {b:.1f} ms")


if __name__ == "__main__":
    main()
