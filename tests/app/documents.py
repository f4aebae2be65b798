"""Documents a liaison sends in the end-to-end tests: Word files in the 附件 layouts, a unit's own workbook,
and a zip bomb dressed as a .docx."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
from docx import Document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def docx(lines: list[str], table: list[list[str]] | None = None) -> bytes:
    """A Word document of these paragraphs, then a table of these rows."""
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(r) for r in table))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bomb(name: str = "word/document.xml", inflated: int = 64 * 1024 * 1024) -> bytes:
    """A small .docx-looking zip whose one part inflates to `inflated` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w") as stream:
            block = b"\x00" * (1024 * 1024)
            for _ in range(inflated // len(block)):
                stream.write(block)
    return out.getvalue()


def workbook(sheets: dict[str, dict[str, Any]], merged: dict[str, list[str]] | None = None) -> bytes:
    """A workbook of these sheets (cell -> value), with these merged ranges per sheet; the first sheet first."""
    book = openpyxl.Workbook()
    first = True
    for title, cells in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for ref, value in cells.items():
            sheet[ref] = value
        for area in (merged or {}).get(title, []):
            sheet.merge_cells(area)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def slow_workbook(strings: int = 2_500_000) -> bytes:
    """A real .xlsx of about 110 KB, within the size bounds (about 42 MB inflated, 10 parts), whose shared
    strings table lists `strings` one-letter strings: openpyxl reads all of them on opening, about 20 s
    and 200 MB for the default (a file small and slow to parse, that only a time or memory limit stops)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = 1
    plain = io.BytesIO()
    book.save(plain)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/></Types>'.encode())
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Type="{relation}" Target="sharedStrings.xml" Id="rId9"/></Relationships>'.encode())
            archive.writestr(info, data)
        head = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{strings}" uniqueCount="{strings}">'
        archive.writestr("xl/sharedStrings.xml", head + "<si><t>x</t></si>" * strings + "</sst>")
    return out.getvalue()


def slow_docx(paragraphs: int = 5_000_000) -> bytes:
    """A real .docx of about 80 KB, within the size bounds (about 31 MB inflated), whose body is `paragraphs`
    empty paragraphs: python-docx takes about a minute and 750 MB to read it (only a time or memory limit stops it)."""
    plain = io.BytesIO()
    document = Document()
    document.add_paragraph("x")
    document.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * paragraphs, 1)
            archive.writestr(info, data)
    return out.getvalue()
