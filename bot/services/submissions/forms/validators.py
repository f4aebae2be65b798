"""Checks for what a liaison types: text, dates, money, yes/no. Pure functions.

Each returns the parsed value or raises `Invalid(key, **params)`, whose key names a catalog
text (`submissions.invalid.<key>`) saying what was expected.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.services.people import validation
from schedules import amounts
from schedules import parse_when
from schedules.numerals import normalise_width

MAX_TEXT = 4000  # one Telegram message carries at most 4096 characters
NOTHING = ("无", "没有", "暂无", "none", "n/a", "-")


class Invalid(ValueError):
    """An answer that does not fit; `key` and `params` name the catalog text explaining why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def text(value: str, *, max_len: int = MAX_TEXT, min_len: int = 1) -> str:
    """Non-empty text, stripped, of `min_len` to `max_len` characters."""
    out = value.strip()
    if not out:
        raise Invalid("empty")
    if len(out) > max_len:
        raise Invalid("too-long", limit=max_len, length=len(out))
    if len(out) < min_len:
        raise Invalid("too-short", limit=min_len, length=len(out))
    return out


def whole(value: str, *, low: int | None = None, high: int | None = None, unit: str | None = None) -> int:
    """A whole number ('12', '12家'), within [low, high] when declared (≥ 0 otherwise)."""
    s = normalise_width(value).strip().replace(",", "")
    for suffix in (unit or "", "家", "件", "人", "次", "个", "场"):
        if suffix:
            s = s.removesuffix(suffix).strip()
    if not re.fullmatch(r"-?\d{1,12}", s):
        raise Invalid("whole", text=value.strip()[:50])
    number = int(s)
    lowest = 0 if low is None else low
    if number < lowest or (high is not None and number > high):
        raise Invalid("whole-range", low=lowest, high="" if high is None else high)
    return number


def amount(value: str, *, unit: str, decimals: int) -> str:
    """An amount ≥ 0 in the field's unit with at most `decimals` decimals, as text; any form officials
    write (1.25, 1.25万元, 5千元, 三千二百元, 伍仟元整: `schedules.amounts`), in 元 turned into the unit."""
    found = _parsed(value, "amount-unit", unit=unit)
    number = amounts.in_unit(found, unit)
    if number != number.quantize(Decimal(1).scaleb(-decimals)):
        raise Invalid("amount-decimals", decimals=decimals)
    return amounts.shown(number)


def _parsed(value: str, key: str, **params: object) -> amounts.Amount:
    if normalise_width(value).strip().startswith("-"):
        raise Invalid("amount-negative")
    found = amounts.parse_amount(value)
    if found is None:
        raise Invalid(key, text=value.strip()[:50], **params)
    return found


def phone(value: str) -> str:
    """A phone number: mobile, or a landline with area code and extension (as 附件10's 办公电话)."""
    try:
        return validation.office_phone(normalise_width(value))
    except validation.Invalid:
        raise Invalid("phone", text=value.strip()[:50]) from None


def choice(value: str, options: list[tuple[str, str, str]]) -> str:
    """One of a field's options typed instead of pressed: its key, Chinese or English name."""
    s = value.strip().lower()
    for key, zh, en in options:
        if s in (key.lower(), zh.lower(), en.lower()):
            return key
    raise Invalid("choice", options="、".join(zh for _, zh, _ in options))


def section(value: str) -> str:
    """A summary section: any text, '无' allowed (kept as '无')."""
    out = text(value)
    return "无" if out.lower() in NOTHING else out


# a month and day, nothing else: 9月30日, 9月30号, 9/30, 9.30, 九月三十日
_MONTH_DAY = re.compile(r"^\s*[\d〇零一二三四五六七八九十两]{1,3}\s*(?:月\s*[\d〇零一二三四五六七八九十两]{1,3}\s*[日号]?|[/.-]\s*\d{1,2})\s*$")


def past_date(value: str, *, now: datetime, tz: ZoneInfo) -> date:
    """A date on or before today, in any phrase `parse_when` understands.

    A bare month-day that would be after today is last year's ('9月30日' said on 30 August 2023
    is 2022-09-30: date phrases otherwise look ahead). Any other phrase naming a day after today
    (明天, 下周五, 2023年9月1日) is refused.
    """
    when = parse_when(value, now=now, tz=tz)
    if when is None:
        raise Invalid("date", text=value.strip()[:50])
    today = now.astimezone(tz).date()
    day = when.day
    bare = _MONTH_DAY.match(normalise_width(value)) is not None
    if day > today and bare:
        try:
            day = day.replace(year=day.year - 1)
        except ValueError:  # 2月29日
            pass
    if day > today:
        if bare or re.search(r"\d{4}", normalise_width(value)):
            raise Invalid("date-future", day=day.isoformat())
        raise Invalid("date-future-phrase", text=value.strip()[:50], day=day.isoformat())
    return day


def amount_yuan(value: str) -> Decimal:
    """A sum of money ≥ 0 ('5000', '5000元', '1.5万元', '5千元', '伍仟元整'; a bare number is in 元); in 元, to the fen."""
    number = amounts.in_unit(_parsed(value, "amount"), "元")
    if number != number.quantize(Decimal("0.01")):
        raise Invalid("amount-precision")
    return number.quantize(Decimal("0.01"))


def format_yuan(value: Decimal | str) -> str:
    """'15000元' / '1234.5元', with the 万元 figure for large sums: '15000元（1.5万元）'."""
    number = Decimal(str(value))
    plain = f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}".rstrip("0").rstrip(".")
    if number >= 10000:
        wan = (number / 10000).normalize()
        return f"{plain}元（{wan:f}万元）"
    return f"{plain}元"


YES = ("是", "是的", "有", "yes", "y", "已移送")
NO = ("否", "不是", "没有", "无", "no", "n", "未移送")


def yes_no(value: str) -> bool:
    """是/否 (or yes/no) typed instead of pressed."""
    s = value.strip().lower()
    if s in YES:
        return True
    if s in NO:
        return False
    raise Invalid("yes-no")
