"""A small streaming .xlsx writer for sheets in official form: title, header, body, print setup.

openpyxl writes about 20,000 rows a second; the register of 3,000 units × 72 deadlines is
over 200,000 rows, so the export writes the sheets' XML itself (the format is plain OOXML,
read back by openpyxl, Excel, WPS and LibreOffice alike). Strings are inline; dates are Excel
serial numbers. The styles are a fixed table (`_STYLES`): a sheet says what kind each column
is (text, number, 万元 with two decimals, time) and each body cell gets its column's style, so
a row costs one string join whatever its formatting.

A sheet (`Sheet`) is printed as officials print: A4 landscape, fitted to the page width, the
title and header rows repeated on every page (print titles), the header frozen on screen.
Rows that are not body rows (a block's title, a total, a note) are `Styled`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Protocol
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bot.services.coordinator.xlsx_styles import _HEAD, _NS, _STYLES, Kind

_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel serial dates are zone-less by definition
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Column:
    """A column: its header, its width in characters (a Chinese character counts two) and its kind."""

    header: str
    width: float
    kind: Kind = Kind.text


@dataclass(frozen=True)
class Styled:
    """A row that is not a body row: every cell in `kind` (or each in its own); `merge` spans the first value over the row."""

    kind: Kind | tuple[Kind, ...]
    values: Sequence[object]
    merge: bool = False
    page_break_after: bool = False


@dataclass(frozen=True)
class Sheet:
    """A sheet's frame: the title row, lines under it, the header row, the columns' kinds."""

    name: str
    columns: Sequence[Column]
    title: str = ""
    attachment: str = ""  # 附件10: the notice's number of the form, above the title
    lines: Sequence[str] = ()
    header: bool = True
    landscape: bool = True


_escaped: dict[str, str] = {}


def _esc(text: str) -> str:
    found = _escaped.get(text)
    if found is None:
        found = _ILLEGAL.sub("", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))
        if len(_escaped) < 100_000:  # names and labels repeat on every line: escape each once
            _escaped[text] = found
    return found


_serials: dict[datetime, str] = {}


def _serial(value: datetime) -> str:
    """Excel's serial number of a wall-clock time (an aware time is shown in its own zone)."""
    found = _serials.get(value) if value.tzinfo is None else None  # (aware times equal across zones show apart)
    if found is None:
        found = f"{(value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400:.8f}"
        if len(_serials) < 100_000 and value.tzinfo is None:
            _serials[value] = found
    return found


_texts: dict[str, dict[str, str]] = {}  # style -> text -> its cell: names, titles and states repeat on every line
_EMPTY = {k.value: f'<c s="{k.value}"/>' for k in Kind}


def _cell(value: object, s: str) -> str:
    """One cell in style `s` (its position is its place in the row: the `r` attribute is left out)."""
    kind = type(value)
    if isinstance(value, str) and kind is str:
        cells = _texts.get(s)
        if cells is None:
            cells = _texts[s] = {}
        found = cells.get(value)
        if found is None:
            found = f'<c s="{s}" t="inlineStr"><is><t xml:space="preserve">{_esc(value)}</t></is></c>'
            if len(cells) < 50_000:
                cells[value] = found
        return found
    if value is None:
        return _EMPTY.get(s) or f'<c s="{s}"/>'
    if kind is int or kind is float:
        return f'<c s="{s}"><v>{value}</v></c>'
    if isinstance(value, datetime) and kind is datetime:
        return f'<c s="{s}"><v>{_serial(value)}</v></c>'
    if isinstance(value, bool):
        return f'<c s="{s}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c s="{s}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        return f'<c s="{s}"><v>{_serial(value)}</v></c>'
    if isinstance(value, date):
        return _cell(datetime(value.year, value.month, value.day), s)  # noqa: DTZ001 - a calendar day, no zone
    return _cell(str(value), s)


_line_counts: dict[tuple[str, float], int] = {}
_LINE_HEIGHT = 13.5  # points per line of 11 pt text


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column (a CJK character is two widths, as Excel counts)."""
    key = (text, width)
    found = _line_counts.get(key)
    if found is None:
        room = max(1.0, width - 1.5)
        found = sum(max(1, -(-int(sum(2.0 if ord(c) > 0x2E7F else 1.1 for c in line)) // int(room))) for line in text.splitlines() or [""])
        if len(_line_counts) < 100_000:
            _line_counts[key] = found
    return found


def _height(values: Sequence[object], columns: Sequence[tuple[int, float]]) -> str:
    """The row's height attribute when a wrapped text needs more than one line (Excel and LibreOffice
    do not grow rows they read from a file; the height is written). `columns`: (index, width) of the
    columns that hold text."""
    most = 1
    n = len(values)
    for i, width in columns:
        if i < n:
            value = values[i]
            if type(value) is str and len(value) * 2 > width - 1.5:  # could need a second line
                most = max(most, _lines(value, width))
    return f' ht="{most * _LINE_HEIGHT + 2:.1f}" customHeight="1"' if most > 1 else ""


class _Body:
    """A sheet's body rows: each column's cells found by value, and the texts that need more than one line.

    Names, titles, states and wall-clock times repeat on every line of a register: each column keeps
    its cells by value (texts, empties and zone-less times only: 1 == True == 1.0 would mix numbers
    up), so a row is one lookup per column done in C, and its own work is only for what is new."""

    LIMIT = 50_000  # values kept per column

    def __init__(self, columns: Sequence[Column]) -> None:
        self.styles = [c.kind.value for c in columns]
        self.widths = [c.width if c.kind in (Kind.text, Kind.centred) else 0.0 for c in columns]
        self.cells: list[dict[object, str]] = [{} for _ in columns]
        self.tall: list[dict[object, int]] = [{} for _ in columns]  # text -> its lines, when more than one
        self.tall_columns: list[int] = []  # the columns with such texts (a register has few or none)

    def row(self, n: int, values: Sequence[object]) -> str:
        try:
            found: list[str | None] = list(map(dict.get, self.cells, values))
            most = max([self.tall[i].get(values[i], 1) for i in self.tall_columns if i < len(values)], default=1)
        except TypeError:  # an unhashable value: every cell the long way
            found, most = [None] * min(len(values), len(self.styles)), 1
        if None in found:
            for i, cell in enumerate(found):
                if cell is None:
                    found[i], lines = self._new(i, values[i])
                    if lines > most:
                        most = lines
        height = f' ht="{most * _LINE_HEIGHT + 2:.1f}" customHeight="1"' if most > 1 else ""
        return f'<row r="{n}"{height}>' + "".join(found) + "</row>"  # type: ignore[arg-type]  # (every None was filled)

    def _new(self, i: int, value: object) -> tuple[str, int]:
        """A value not kept: its cell and lines (and kept, if it is of a kind that repeats)."""
        kind = type(value)
        if kind is int:  # a number, a line's number: never the same twice
            return f'<c s="{self.styles[i]}"><v>{value}</v></c>', 1
        cell = _cell(value, self.styles[i])
        width = self.widths[i]
        lines = _lines(value, width) if width and kind is str and len(value) * 2 > width - 1.5 else 1  # type: ignore[arg-type]  # (a text: its kind was just checked)
        if (kind is str or value is None or (isinstance(value, datetime) and kind is datetime and value.tzinfo is None)) and len(self.cells[i]) < self.LIMIT:
            self.cells[i][value] = cell
            if lines > 1:
                if not self.tall[i]:
                    self.tall_columns.append(i)
                self.tall[i][value] = lines
        return cell, lines


def column_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
# A header row is as high as its longest header needs when wrapped; the title row a little higher.
_TITLE_HEIGHT = 30
_HEADER_HEIGHT = 30


class Workbook:
    """Sheets are added one at a time, their rows streamed into the zip."""

    def __init__(self) -> None:
        self._out = io.BytesIO()
        self._zip = zipfile.ZipFile(self._out, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: list[str] = []
        self._print_titles: dict[int, str] = {}

    def add_sheet(self, sheet: Sheet, rows: Iterable[Sequence[object] | Styled]) -> int:
        """Write a sheet; returns its number of body rows."""
        index = len(self._names) + 1
        self._names.append(sheet.name)
        with self._zip.open(f"xl/worksheets/sheet{index}.xml", "w") as f:
            body, titles = _write_sheet(f, sheet, rows, selected=index == 1)
        if titles:
            self._print_titles[index] = titles
        return body

    def add_part(self, part: SheetPart) -> int:
        """Add a sheet rendered apart (`Parts`); returns its number of body rows."""
        index = len(self._names) + 1
        self._names.append(part.name)
        self._zip.writestr(f"xl/worksheets/sheet{index}.xml", part.xml)
        if part.print_titles:
            self._print_titles[index] = part.print_titles
        return part.body

    def close(self) -> bytes:
        """Finish the package and return its bytes."""
        sheets = "".join(f'<sheet name="{_esc(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(self._names, start=1))
        names = "".join(
            f"<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i - 1}\">'{_esc(self._names[i - 1]).replace(chr(39), chr(39) * 2)}'!{rows}</definedName>"
            for i, rows in self._print_titles.items()
        )
        self._zip.writestr(
            "xl/workbook.xml",
            _HEAD + f"<workbook {_NS} {_RNS}><sheets>{sheets}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>",
        )
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



def _write_sheet(f: IO[bytes], sheet: Sheet, rows: Iterable[Sequence[object] | Styled], *, selected: bool) -> tuple[int, str | None]:
    """A sheet's XML into `f`: its number of body rows and its print titles (the rows repeated on every page)."""
    ncols = len(sheet.columns)
    last = column_letter(ncols)
    widths = [c.width for c in sheet.columns]
    plain = _Body(sheet.columns)
    every = list(enumerate(widths))
    merges: list[str] = []
    breaks: list[int] = []
    head: list[str] = []
    n = 0
    if sheet.attachment:
        n += 1
        head.append(f'<row r="{n}">' + _cell(sheet.attachment, Kind.attachment.value) + "</row>")
    if sheet.title:
        n += 1
        head.append(f'<row r="{n}" ht="{_TITLE_HEIGHT}" customHeight="1">' + _cell(sheet.title, Kind.banner.value) + "".join(_cell(None, Kind.banner.value) for _ in range(ncols - 1)) + "</row>")
        merges.append(f"A{n}:{last}{n}")
    for line in sheet.lines:
        n += 1
        head.append(f'<row r="{n}">' + _cell(line, Kind.subtitle.value) + "</row>")
        merges.append(f"A{n}:{last}{n}")
    header_row = 0
    if sheet.header:
        n += 1
        header_row = n
        head.append(f'<row r="{n}" ht="{_HEADER_HEIGHT}" customHeight="1">' + "".join(_cell(c.header, Kind.header.value) for c in sheet.columns) + "</row>")
    frozen = (
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{header_row + 1}" sqref="A{header_row + 1}"/>'
        if header_row
        else ""
    )
    titles = f"$1:${header_row}" if header_row else None
    cols = "".join(f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>' for i, c in enumerate(sheet.columns, start=1))
    chosen = ' tabSelected="1"' if selected else ""
    body = 0
    f.write(
        (
            _HEAD + f"<worksheet {_NS} {_RNS}>"
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<sheetViews><sheetView workbookViewId="0"{chosen}>{frozen}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="18"/>'
            f"<cols>{cols}</cols><sheetData>" + "".join(head)
        ).encode()
    )
    chunk: list[str] = []
    for row in rows:
        n += 1
        if isinstance(row, Styled):
            cells = list(row.values) + [None] * (ncols - len(row.values)) if row.merge else row.values
            kinds = [row.kind.value] * len(cells) if isinstance(row.kind, Kind) else [k.value for k in row.kind]
            height = _height(cells[:1], [(0, sum(widths))]) if row.merge else _height(cells, every)
            chunk.append(f'<row r="{n}"{height}>' + "".join(map(_cell, cells, kinds)) + "</row>")
            if row.merge:
                merges.append(f"A{n}:{last}{n}")
            if row.page_break_after:
                breaks.append(n)
        else:
            body += 1
            chunk.append(plain.row(n, row))
        if len(chunk) >= 2000:
            f.write("".join(chunk).encode())
            chunk = []
    tail = "".join(chunk) + "</sheetData>"
    if merges:
        tail += f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    tail += (
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{"landscape" if sheet.landscape else "portrait"}" fitToWidth="1" fitToHeight="0"/>'
        '<headerFooter><oddFooter>&amp;C— &amp;P —</oddFooter></headerFooter>'
    )
    if breaks:
        tail += f'<rowBreaks count="{len(breaks)}" manualBreakCount="{len(breaks)}">' + "".join(f'<brk id="{b}" max="16383" man="1"/>' for b in breaks) + "</rowBreaks>"
    f.write((tail + "</worksheet>").encode())
    return body, titles


class Sheets(Protocol):
    """Where sheets go: a `Workbook`, or `Parts` rendered apart."""

    def add_sheet(self, sheet: Sheet, rows: Iterable[Sequence[object] | Styled]) -> int: ...


@dataclass(frozen=True)
class SheetPart:
    """A sheet rendered apart: its name, its XML, its print titles, its number of body rows."""

    name: str
    xml: bytes
    print_titles: str | None
    body: int


class Parts:
    """Sheets rendered without a workbook (the export's later sheets, in a worker process), added to one later
    in order with `Workbook.add_part`. Same `add_sheet` as `Workbook`; never the first, selected sheet."""

    def __init__(self) -> None:
        self.parts: list[SheetPart] = []

    def add_sheet(self, sheet: Sheet, rows: Iterable[Sequence[object] | Styled]) -> int:
        """Render a sheet; returns its number of body rows."""
        out = io.BytesIO()
        body, titles = _write_sheet(out, sheet, rows, selected=False)
        self.parts.append(SheetPart(sheet.name, out.getvalue(), titles, body))
        return body


@dataclass(frozen=True)
class Bold:
    """A bold cell in rows a wing writes as plain lists (title, header, totals); `export` lays them out."""

    value: object
