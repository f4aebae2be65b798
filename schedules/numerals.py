"""Chinese numerals (一、十一、二十三、两、二〇二三) in text turned into Arabic digits."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_RUN = re.compile(r"[零〇○一二两三四五六七八九十百千]+")


def chinese_to_int(text: str) -> int | None:
    """The value of a Chinese numeral: '十一' → 11, '二十' → 20, '两' → 2, '二〇二三' → 2023; None if malformed."""
    if not text or any(c not in _DIGITS and c not in _UNITS for c in text):
        return None
    if not any(c in _UNITS for c in text):
        # digit by digit: 二〇二三 → 2023, 零五 → 5
        return int("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, None
    for c in text:
        if c in _DIGITS:
            if current is not None and current != 0:
                return None  # two digits without a unit between them: 二三十
            current = _DIGITS[c]
        else:
            unit = _UNITS[c]
            total += (1 if current is None else current) * unit
            current = None
    return total + (current or 0)


def arabise(text: str) -> str:
    """Replace every run of Chinese numerals by its Arabic value; leave runs that are malformed."""

    def one(m: re.Match[str]) -> str:
        value = chinese_to_int(m.group(0))
        return m.group(0) if value is None else str(value)

    return _RUN.sub(one, text.replace("廿", "二十").replace("卅", "三十"))  # 廿五 = 25, 卅一 = 31


def normalise_width(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (２０２３：１５ → 2023:15), whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
