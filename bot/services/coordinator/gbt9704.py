"""A Word document in the layout of Chinese official documents (GB/T 9704-2012, 党政机关公文格式).

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; the title in 方正小标宋简体 二号
(22 pt), centred; the body in 仿宋_GB2312 三号 (16 pt), first line indented two characters, lines
at a fixed 28 pt; 一、 headings in 黑体, （一） headings in 楷体_GB2312; the page number in 宋体
四号 as "— 1 —" at the bottom, odd pages on the right and even pages on the left, one
character in. Fonts are named in the styles (East Asian and Latin alike): the reader's Word
or WPS substitutes when one is not installed.

python-docx is imported where a document is made: the bot's process loads it for its first
paperwork, not at its start.
"""

from __future__ import annotations

import re
from typing import Any

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
ER_HAO, SAN_HAO, SI_HAO = 22, 16, 14  # 二号, 三号, 四号 (points)
LINE = 28  # points
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

TITLE, HEADING1, HEADING2, BODY, PLAIN, CENTRED = "公文标题", "一级标题", "二级标题", "公文正文", "公文不缩进", "公文居中"
_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")


def _fonts(element: Any, name: str) -> None:
    """Name the font for every script (python-docx's font.name sets only the Latin ones)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _style(doc: Any, name: str, *, font: str, size: int, align: str = "JUSTIFY", indent: bool = True, line: int = LINE, outline: int | None = None) -> None:
    """A paragraph style: `size` and `line` in points, `align` a WD_ALIGN_PARAGRAPH name."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = False
    _fonts(style.element, font)
    fmt = style.paragraph_format
    fmt.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(32) if indent else Pt(0)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)


def _page_number(paragraph: Any) -> None:
    """— PAGE — as a field Word and LibreOffice fill in."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def run(text: str | None = None) -> Any:
        r = paragraph.add_run(text)
        r.font.size = Pt(SI_HAO)
        _fonts(r._element, PAGE_NUMBER_FONT)
        return r

    run("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            r._element.append(field)
        elif instruction == "1":
            r.text = "1"
        else:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instruction
            r._element.append(text)
    run(" —")


def new_document() -> Any:
    """An empty document with the page, the styles and the page-number footers set."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SAN_HAO)
    _fonts(normal.element, BODY_FONT)
    _style(doc, TITLE, font=TITLE_FONT, size=ER_HAO, align="CENTER", indent=False, line=36, outline=0)
    _style(doc, HEADING1, font=HEADING1_FONT, size=SAN_HAO, outline=1)
    _style(doc, HEADING2, font=HEADING2_FONT, size=SAN_HAO, outline=2)
    _style(doc, BODY, font=BODY_FONT, size=SAN_HAO)
    _style(doc, PLAIN, font=BODY_FONT, size=SAN_HAO, indent=False, align="LEFT")
    _style(doc, CENTRED, font=HEADING2_FONT, size=SAN_HAO, indent=False, align="CENTER")
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28)  # the page number 7 mm below the text block
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(SI_HAO)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(SI_HAO)
    _page_number(even)
    for paragraph in list(doc.paragraphs):  # the template's empty first paragraph
        paragraph._element.getparent().remove(paragraph._element)
    return doc


def title(doc: Any, text: str, *, new_page: bool = False) -> Any:
    """A title (方正小标宋简体 二号, centred); `new_page` starts it on a page of its own."""
    paragraph = doc.add_paragraph(text, style=TITLE)
    paragraph.paragraph_format.page_break_before = new_page
    return paragraph


def is_heading(line: str) -> bool:
    """Whether a line opens with 一、 (a first-level heading)."""
    return bool(_HEADING1.match(line.strip()))


def blank(doc: Any) -> None:
    """An empty line (the standard's space under a title)."""
    doc.add_paragraph("", style=PLAIN)


def text(doc: Any, content: str) -> None:
    """Body text line by line; a line opening with 一、 or （一） gets its heading's font."""
    for line in str(content).splitlines():
        line = line.strip()
        if not line:
            continue
        style = HEADING1 if _HEADING1.match(line) else HEADING2 if _HEADING2.match(line) else BODY
        doc.add_paragraph(line, style=style)
