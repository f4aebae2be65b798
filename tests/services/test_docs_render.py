"""docs/render.py, the source of the README's paperwork pictures, still makes its documents with today's code
(LibreOffice, which turns them into pictures, is not needed here)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import docx
import openpyxl

ROOT = Path(__file__).resolve().parents[2]


def test_the_pictures_documents_are_made_by_todays_code(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("docs_render", ROOT / "docs" / "render.py")
    assert spec is not None and spec.loader is not None
    render = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render)
    made = render.sample_documents(tmp_path)
    assert set(made) >= {"register.xlsx", "ontime.xlsx", "compilation.docx"}
    book = openpyxl.load_workbook(io.BytesIO(made["ontime.xlsx"]), read_only=True)
    try:
        first = book.worksheets[0]
        cells = {str(v) for row in first.iter_rows(values_only=True) for v in row if v is not None}
    finally:
        book.close()
    assert any("按时报送情况" in c for c in cells) and any("待审核" in c for c in cells)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(made["compilation.docx"])).paragraphs)
    assert "典型案例" in text
