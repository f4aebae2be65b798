"""A small streaming .xlsx writer: strings, numbers, dates and bold cells, nothing else.

openpyxl writes about 20,000 rows a second; the register of 3,000 units × 72 deadlines is
over 200,000 rows, so the export writes the sheets' XML itself (the format is plain OOXML,
read back by openpyxl and Excel alike). Strings are inline; dates are Excel serial numbers
with a date style.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel serial dates are zone-less by definition
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_STYLE_BOLD = 1
_STYLE_DATETIME = 2


@dataclass(frozen=True)
class Bold:
    """A cell value shown in bold (headers)."""

    value: object


_escaped: dict[str, str] = {}


def _esc(text: str) -> str:
    found = _escaped.get(text)
    if found is None:
        found = _ILLEGAL.sub("", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        if len(_escaped) < 100_000:  # names and labels repeat on every line: escape each once
            _escaped[text] = found
    return found


_serials: dict[datetime, str] = {}


def _serial(value: datetime) -> str:
    """Excel's serial number of a wall-clock time (an aware time is shown in its own zone)."""
    found = _serials.get(value)
    if found is None:
        found = f"{(value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400:.8f}"
        if len(_serials) < 100_000:
            _serials[value] = found
    return found


def _cell(value: object) -> str:
    """One cell (its position is its place in the row: the optional `r` attribute is left out)."""
    kind = type(value)
    if isinstance(value, str) and kind is str:
        return f'<c t="inlineStr"><is><t xml:space="preserve">{_esc(value)}</t></is></c>'
    if kind is int or kind is float:
        return f'<c><v>{value}</v></c>'
    if value is None:
        return "<c/>"
    if isinstance(value, datetime) and kind is datetime:
        return f'<c s="{_STYLE_DATETIME}"><v>{_serial(value)}</v></c>'
    if isinstance(value, Bold):
        inner = _cell(value.value)
        return inner.replace("<c", f'<c s="{_STYLE_BOLD}"', 1)
    if isinstance(value, bool):
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c><v>{value}</v></c>'
    if isinstance(value, datetime):
        return f'<c s="{_STYLE_DATETIME}"><v>{_serial(value)}</v></c>'
    if isinstance(value, date):
        return _cell(datetime(value.year, value.month, value.day))  # noqa: DTZ001 - a calendar day, no zone
    return _cell(str(value))


_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_STYLES = (
    _HEAD + f"<styleSheet {_NS}>"
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class Workbook:
    """Sheets are added one at a time, their rows streamed into the zip."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._zip = zipfile.ZipFile(self._out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: list[str] = []

    def add_sheet(self, name: str, rows: Iterable[Sequence[object]], *, widths: Sequence[float] = ()) -> int:
        """Write a sheet; returns its number of rows."""
        index = len(self._names) + 1
        self._names.append(name)
        count = 0
        with self._zip.open(f"xl/worksheets/sheet{index}.xml", "w") as f:
            cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths))
            f.write((_HEAD + f"<worksheet {_NS} {_RNS}>" + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>").encode())
            chunk: list[str] = []
            for count, row in enumerate(rows, start=1):
                chunk.append(f'<row r="{count}">' + "".join(map(_cell, row)) + "</row>")
                if len(chunk) >= 2000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write(("".join(chunk) + "</sheetData></worksheet>").encode())
        return count

    def close(self) -> bytes:
        """Finish the package and return its bytes."""
        sheets = "".join(f'<sheet name="{_esc(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(self._names, start=1))
        self._zip.writestr("xl/workbook.xml", _HEAD + f"<workbook {_NS} {_RNS}><sheets>{sheets}</sheets></workbook>")
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(self._names) + 1)
        )
        styles = f'<Relationship Id="rId{len(self._names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        self._zip.writestr("xl/_rels/workbook.xml.rels", _HEAD + f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}{styles}</Relationships>')
        self._zip.writestr("xl/styles.xml", _STYLES)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self._names) + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            _HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        self._zip.close()
        return self._out.getvalue()
