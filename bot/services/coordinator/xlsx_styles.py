"""The writer's fixed table of styles (styles.xml): a cell's look is its `Kind`, the index of its style.

Fonts as official forms print them (宋体 titles and headers, 仿宋 body, 黑体 附件 numbers), thin
borders on tables, a grey header; number formats for times, days, 万元 with two decimals, rates.
"""

from __future__ import annotations

from enum import StrEnum

TITLE_FONT = "宋体"
BODY_FONT = "仿宋"
ATTACHMENT_FONT = "黑体"  # "附件10" above a form's title, as the notices print it


class Kind(StrEnum):
    """A cell's look; the value is its style's index in `_STYLES` (cellXfs)."""

    plain = "0"
    banner = "1"
    subtitle = "2"
    header = "3"
    text = "4"
    centred = "5"
    integer = "6"
    money = "7"
    moment = "8"
    day = "9"
    total = "10"
    total_integer = "11"
    total_money = "12"
    note = "13"
    percent = "14"
    attachment = "15"


_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_THIN = '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
_WRAP_LEFT = '<alignment vertical="center" wrapText="1"/>'
_WRAP_CENTER = '<alignment horizontal="center" vertical="center" wrapText="1"/>'


def _xf(num: int, font: int, border: int, align: str = "", fill: int = 0) -> str:
    applied = ' applyNumberFormat="1" applyFont="1" applyBorder="1" applyAlignment="1" applyFill="1"'
    return f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}>{align}</xf>' if align else (
        f'<xf numFmtId="{num}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{applied}/>'
    )


# fonts: 0 body 仿宋 11, 1 title 宋体 16 bold, 2 header 宋体 11 bold, 3 subtitle 仿宋 11, 4 note 仿宋 10, 5 附件 黑体 14
# numFmts: 164 time, 165 day, 2 = "0.00" (万元), 1 = "0", 10 = "0.00%"
_XFS = {
    Kind.plain: _xf(0, 0, 0),
    Kind.banner: _xf(0, 1, 0, '<alignment horizontal="center" vertical="center" wrapText="1"/>'),
    Kind.subtitle: _xf(0, 3, 0, '<alignment horizontal="left" vertical="center"/>'),
    Kind.header: _xf(0, 2, 1, _WRAP_CENTER, fill=2),
    Kind.text: _xf(0, 0, 1, _WRAP_LEFT),
    Kind.centred: _xf(0, 0, 1, _WRAP_CENTER),
    Kind.integer: _xf(1, 0, 1, _WRAP_CENTER),
    Kind.money: _xf(2, 0, 1, '<alignment horizontal="right" vertical="center"/>'),
    Kind.moment: _xf(164, 0, 1, _WRAP_CENTER),
    Kind.day: _xf(165, 0, 1, _WRAP_CENTER),
    Kind.total: _xf(0, 2, 1, _WRAP_CENTER),
    Kind.total_integer: _xf(1, 2, 1, _WRAP_CENTER),
    Kind.total_money: _xf(2, 2, 1, '<alignment horizontal="right" vertical="center"/>'),
    Kind.note: _xf(0, 4, 0, '<alignment horizontal="left" vertical="center" wrapText="1"/>'),
    Kind.percent: _xf(10, 0, 1, _WRAP_CENTER),
    Kind.attachment: _xf(0, 5, 0, '<alignment horizontal="left" vertical="center"/>'),
}
assert [int(k.value) for k in _XFS] == list(range(len(_XFS)))
_STYLES = (
    _HEAD + f"<styleSheet {_NS}>"
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="6">'
    f'<font><sz val="11"/><name val="{BODY_FONT}"/><charset val="134"/></font>'
    f'<font><b/><sz val="16"/><name val="{TITLE_FONT}"/><charset val="134"/></font>'
    f'<font><b/><sz val="11"/><name val="{TITLE_FONT}"/><charset val="134"/></font>'
    f'<font><sz val="11"/><name val="{BODY_FONT}"/><charset val="134"/></font>'
    f'<font><sz val="10"/><name val="{BODY_FONT}"/><charset val="134"/></font>'
    f'<font><sz val="14"/><name val="{ATTACHMENT_FONT}"/><charset val="134"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2F2F2"/><bgColor indexed="64"/></patternFill></fill></fills>'
    f'<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>{_THIN}</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{len(_XFS)}">{"".join(_XFS.values())}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
