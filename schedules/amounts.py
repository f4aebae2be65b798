"""Amounts of money as officials write them: 5000, 5,000.00, 5千元, 三千二百元, 1万5千元, 一万五,
伍仟元整, 壹万零伍佰元, 0.5万元, 1.25万, ¥3200, 叁佰元伍角. Pure functions, no I/O.

`parse_amount(text)` gives the number and whether it was said in 元 (a 元 or a 万/亿 in the text:
the value is then in 元) or bare (then it is in whatever unit the question asked for).
`in_unit(parsed, unit)` turns it into 元 or 万元.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from schedules.numerals import normalise_width

# 大写 (financial) digits and old forms to the everyday ones
_CAPITALS = str.maketrans({
    "壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五", "陆": "六", "陸": "六",
    "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百", "仟": "千", "萬": "万", "億": "亿", "圆": "元",
    "圓": "元", "〇": "零", "○": "零", "两": "二", "兩": "二",
})
_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[零一二三四五六七八九十百千万亿]")
_PREFIXES = ("人民币", "rmb", "¥", "￥", "cny")
_YUAN = re.compile(r"(元|块钱|块)$")
_JIAO_FEN = re.compile(r"元(?:(?P<jiao>[零一二三四五六七八九\d])角)?(?:(?P<fen>[零一二三四五六七八九\d])分)?$")


@dataclass(frozen=True)
class Amount:
    """A parsed amount: `value` in 元 when `in_yuan`, else in the unit the question asked for."""

    value: Decimal
    in_yuan: bool


def _number(text: str) -> Decimal | None:
    """The value of a numeral mixing Arabic and Chinese digits and units: 1万5千, 三千二百, 0.5万, 一万五."""
    if not text:
        return None
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != text:
        return None
    if len(tokens) > 1 and all(t in _DIGITS for t in tokens) and tokens[0] != "零":  # 一二三 is not an amount
        return None
    total, section = Decimal(0), Decimal(0)
    current: Decimal | None = None
    last_unit = 0  # the last unit seen, for 一万五 (= 15000) and 三千二 (= 3200)
    zero_before = False
    previous_was_number = False
    smallest = 10**9  # units within a section come down: 三千二百, never 五千五千
    for token in tokens:
        if token in _SMALL:
            if _SMALL[token] >= smallest:
                return None
            smallest = _SMALL[token]
            section += (current if current is not None else Decimal(1)) * _SMALL[token]
            current, last_unit, previous_was_number = None, _SMALL[token], False
        elif token in _BIG:
            if current is None and section == 0 and total == 0 and token == tokens[0]:
                return None
            section += current or 0
            total = (total + section) * _BIG[token] if total and _BIG[token] > 10_000 else total + section * _BIG[token]
            section, current, last_unit, previous_was_number, smallest = Decimal(0), None, _BIG[token], False, 10**9
        elif token == "零":
            zero_before, previous_was_number = True, False
        else:
            if previous_was_number:
                return None
            current = Decimal(token) if token[0].isdigit() else Decimal(_DIGITS[token])
            previous_was_number = True
    if current is not None:
        single = current == current.to_integral_value() and 0 < current < 10
        if single and last_unit >= 10 and not zero_before and tokens[-2] in {**_SMALL, **_BIG}:
            current *= Decimal(last_unit) / 10  # the unit after the last one is implied: 一万五, 三千二
        section += current
    return total + section


def parse_amount(text: str) -> Amount | None:
    """The amount a text says, or None if it says none."""
    s = normalise_width(text).lower().replace(",", "").replace("，", "").replace(" ", "")
    for prefix in _PREFIXES:
        s = s.removeprefix(prefix)
    s = s.translate(_CAPITALS).removesuffix("整").removesuffix("正")
    if not s:
        return None
    cents = Decimal(0)
    if m := _JIAO_FEN.search(s):
        for part, scale in (("jiao", Decimal("0.1")), ("fen", Decimal("0.01"))):
            if m[part]:
                cents += (Decimal(m[part]) if m[part].isdigit() else Decimal(_DIGITS[m[part]])) * scale
        s = s[: m.start()] + "元"
    in_yuan = bool(_YUAN.search(s)) or any(b in s for b in _BIG)
    s = _YUAN.sub("", s)
    try:
        value = _number(s)
    except InvalidOperation:
        return None
    if value is None:
        return None
    return Amount(value + cents, in_yuan or cents > 0)


def in_unit(amount: Amount, unit: str) -> Decimal:
    """The amount in a field's unit: 元 or 万元 (a bare number is taken to be in that unit already)."""
    if not amount.in_yuan:
        return amount.value
    return amount.value / 10_000 if unit == "万元" else amount.value


def shown(value: Decimal) -> str:
    """A number as the bot writes it back: no trailing zeros, no exponent (5000, 0.5, 1.25)."""
    out = f"{value:f}"
    return out.rstrip("0").rstrip(".") if "." in out else out
