"""parse_when: the public phrase table in full, and many more phrasings of the same kinds."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from schedules.phrases import When, parse_when

SHANGHAI = ZoneInfo("Asia/Shanghai")
_REPO = Path(__file__).resolve().parents[2]
_COPY = Path(__file__).parent / "tables" / "zh-dates-public.tsv"  # not data/: .gitignore ignores data/
_SHARED = _REPO / ".." / "shared" / "dates" / "zh-dates-public.tsv"


def _public_rows() -> list[tuple[str, str]]:
    path = _COPY if _COPY.exists() else _SHARED
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t"))
    assert rows[0] == ["phrase", "expected"]
    return [(r[0], r[1]) for r in rows[1:]]


PUBLIC_NOW = datetime(2023, 8, 16, 10, 0, tzinfo=SHANGHAI)  # a Wednesday


def _show(when: When | None) -> str:
    return "-" if when is None else str(when)


@pytest.mark.parametrize(("phrase", "expected"), _public_rows(), ids=[p for p, _ in _public_rows()])
def test_public_table(phrase: str, expected: str) -> None:
    assert _show(parse_when(phrase, now=PUBLIC_NOW, tz=SHANGHAI)) == expected


WED = "2023-08-16T10:00"  # Wednesday morning
MONTH_END = "2023-08-31T22:00"  # Thursday night, last day of the month
YEAR_END = "2023-12-30T15:00"  # Saturday afternoon, end of the year
SUNDAY = "2023-08-20T09:00"  # Sunday: still the week of Monday 14 August

CASES = [
    # dates with a year, in many spellings
    (WED, "2023年10月1日", "2023-10-01"),
    (WED, "2023年10月01日前", "2023-10-01"),
    (WED, "二〇二三年九月十五日", "2023-09-15"),
    (WED, "二零二四年一月一日", "2024-01-01"),
    (WED, "23年9月15日", "2023-09-15"),
    (WED, "2024-1-5", "2024-01-05"),
    (WED, "2024/01/05", "2024-01-05"),
    (WED, "20240105", "2024-01-05"),
    (WED, "２０２３年９月１５日", "2023-09-15"),
    (WED, "明年3月15日", "2024-03-15"),
    (WED, "今年12月31日", "2023-12-31"),
    (WED, "去年12月31日", "2022-12-31"),
    (WED, "2024年2月29日", "2024-02-29"),
    # month and day without a year: the next one
    (WED, "九月十五号", "2023-09-15"),
    (WED, "十二月三十一日", "2023-12-31"),
    (WED, "8月16日", "2023-08-16"),
    (WED, "8月15日", "2024-08-15"),
    (WED, "1月2日", "2024-01-02"),
    (WED, "2月29日", "2024-02-29"),
    (WED, "9/15", "2023-09-15"),
    (WED, "9.15", "2023-09-15"),
    (WED, "9月15日(周五)", "2023-09-15"),
    (WED, "9月15日 星期五", "2023-09-15"),
    (YEAR_END, "1月5日", "2024-01-05"),
    (YEAR_END, "12月31日", "2023-12-31"),
    (YEAR_END, "12月29日", "2024-12-29"),
    # by-words around a date
    (WED, "截止9月15日", "2023-09-15"),
    (WED, "截至9月15日", "2023-09-15"),
    (WED, "请于9月15日前报送", "2023-09-15"),
    (WED, "于2023年9月15日之前", "2023-09-15"),
    (WED, "9月15日以前", "2023-09-15"),
    (WED, "9月15日为止", "2023-09-15"),
    # days
    (WED, "今天", "2023-08-16"),
    (WED, "大后天", "2023-08-19"),
    (WED, "明日", "2023-08-17"),
    (WED, "昨天", "2023-08-15"),
    (MONTH_END, "明天", "2023-09-01"),
    (YEAR_END, "后天", "2024-01-01"),
    # weeks start on Monday
    (WED, "周三", "2023-08-16"),
    (WED, "周二", "2023-08-22"),
    (WED, "本周二", "2023-08-15"),
    (WED, "这周日", "2023-08-20"),
    (WED, "周日", "2023-08-20"),
    (WED, "星期天", "2023-08-20"),
    (WED, "礼拜一", "2023-08-21"),
    (WED, "下周一", "2023-08-21"),
    (WED, "下个星期五", "2023-08-25"),
    (WED, "下礼拜二", "2023-08-22"),
    (WED, "下下周三", "2023-08-30"),
    (WED, "上周五", "2023-08-11"),
    (WED, "本周内", "2023-08-20"),
    (SUNDAY, "下周五", "2023-08-25"),
    (SUNDAY, "本周五", "2023-08-18"),
    (SUNDAY, "周五", "2023-08-25"),
    (SUNDAY, "周日", "2023-08-20"),
    (SUNDAY, "下周一上午9点", "2023-08-21 09:00"),
    (YEAR_END, "下周三", "2024-01-03"),
    (YEAR_END, "周一", "2024-01-01"),
    # offsets
    (WED, "两天后", "2023-08-18"),
    (WED, "十天后", "2023-08-26"),
    (WED, "一周后", "2023-08-23"),
    (WED, "两周后", "2023-08-30"),
    (WED, "3个星期后", "2023-09-06"),
    (WED, "一个月后", "2023-09-16"),
    (WED, "半个月后", "2023-08-31"),
    (WED, "一年后", "2024-08-16"),
    (WED, "三天内", "2023-08-19"),
    (WED, "再过两天", "2023-08-18"),
    (WED, "半小时后", "2023-08-16 10:30"),
    # a length of time before now: 前 is "ago" here, not "by" as after a date
    (WED, "3天前", "2023-08-13"),
    (WED, "三天以前", "2023-08-13"),
    (WED, "十天之前", "2023-08-06"),
    (WED, "一周前", "2023-08-09"),
    (WED, "两小时前", "2023-08-16 08:00"),
    (WED, "3个月前", "2023-05-16"),
    (WED, "3日前", "2023-09-03"),  # 每月3日前: by the 3rd
    (WED, "9月15日以前", "2023-09-15"),
    (WED, "一个半小时后", "2023-08-16 11:30"),
    (WED, "3小时后", "2023-08-16 13:00"),
    (WED, "十分钟后", "2023-08-16 10:10"),
    (WED, "3小时20分钟后", "2023-08-16 13:20"),
    (MONTH_END, "两小时后", "2023-09-01 00:00"),
    (MONTH_END, "三天后", "2023-09-03"),
    (YEAR_END, "一个月后", "2024-01-30"),
    (WED, "三天后上午9点", "2023-08-19 09:00"),
    # months: relative, parts, ends
    (WED, "下个月5号", "2023-09-05"),
    (WED, "下月5日", "2023-09-05"),
    (WED, "本月20号", "2023-08-20"),
    (WED, "这个月底", "2023-08-31"),
    (WED, "月底前", "2023-08-31"),
    (WED, "下个月底", "2023-09-30"),
    (WED, "下月初", "2023-09-01"),
    (WED, "上个月底", "2023-07-31"),
    (WED, "20号", "2023-08-20"),
    (WED, "5号", "2023-09-05"),
    (WED, "9月底", "2023-09-30"),
    (WED, "9月中旬", "2023-09-20"),
    (WED, "2月底", "2024-02-29"),
    (WED, "年底", "2023-12-31"),
    (WED, "今年年底", "2023-12-31"),
    (WED, "明年底", "2024-12-31"),
    (WED, "季度末", "2023-09-30"),
    (MONTH_END, "月底", "2023-08-31"),
    (MONTH_END, "下个月5号", "2023-09-05"),
    (MONTH_END, "下月底", "2023-09-30"),
    (YEAR_END, "下个月5号", "2024-01-05"),
    (YEAR_END, "下月底", "2024-01-31"),
    (YEAR_END, "明年1月10日", "2024-01-10"),
    (YEAR_END, "年底", "2023-12-31"),
    # times of day
    (WED, "明早9点", "2023-08-17 09:00"),
    (WED, "明早", "2023-08-17 09:00"),
    (WED, "明天早上八点半", "2023-08-17 08:30"),
    (WED, "明天上午十点", "2023-08-17 10:00"),
    (WED, "明天中午", "2023-08-17 12:00"),
    (WED, "中午", "2023-08-16 12:00"),  # not 年中
    # within a named day, month or year: by its end
    (WED, "今天之内", "2023-08-16"),
    (WED, "本月内", "2023-08-31"),
    (WED, "下月内", "2023-09-30"),
    (WED, "年内", "2023-12-31"),
    (WED, "三天之内", "2023-08-19"),
    (WED, "廿五日", "2023-08-25"),
    (WED, "明年年中", "2024-06-30"),
    (WED, "明天中午1点", "2023-08-17 13:00"),
    (WED, "后天下午三点半", "2023-08-18 15:30"),
    (WED, "明天8点一刻", "2023-08-17 08:15"),
    (WED, "明天10:30", "2023-08-17 10:30"),
    (WED, "明天 10点30分", "2023-08-17 10:30"),
    (WED, "明晚7点", "2023-08-17 19:00"),
    (WED, "今晚", "2023-08-16 20:00"),
    (WED, "今晚11点半", "2023-08-16 23:30"),
    (WED, "晚上12点前", "2023-08-16 23:59"),
    (WED, "今天下午5点前", "2023-08-16 17:00"),
    (WED, "今天17点", "2023-08-16 17:00"),
    (WED, "17点前", "2023-08-16 17:00"),
    (WED, "下午3点", "2023-08-16 15:00"),
    (WED, "3点", "2023-08-16 15:00"),
    (WED, "9点", "2023-08-17 09:00"),
    (WED, "凌晨2点", "2023-08-17 02:00"),
    (WED, "傍晚6点", "2023-08-16 18:00"),
    (WED, "上午十一点", "2023-08-16 11:00"),
    (WED, "周五下午五点半", "2023-08-18 17:30"),
    (WED, "星期天下午", "2023-08-20 15:00"),
    (WED, "下周一上午", "2023-08-21 09:00"),
    (WED, "9月15日17时", "2023-09-15 17:00"),
    (WED, "9月15日下午5:30", "2023-09-15 17:30"),
    (WED, "2023年09月15日24时前", "2023-09-15 23:59"),
    (WED, "2023年9月15日 星期五下午5点", "2023-09-15 17:00"),
    (WED, "十一月十五日下午三点", "2023-11-15 15:00"),
    (MONTH_END, "明早9点", "2023-09-01 09:00"),
    (MONTH_END, "下午3点", "2023-09-01 15:00"),
    (YEAR_END, "明天上午9点", "2023-12-31 09:00"),
    (YEAR_END, "后天下午2点", "2024-01-01 14:00"),
    # English and ISO
    (WED, "next friday", "2023-08-25"),
    (WED, "friday 5pm", "2023-08-18 17:00"),
    (WED, "next monday 9am", "2023-08-21 09:00"),
    (WED, "tomorrow", "2023-08-17"),
    (WED, "tomorrow morning", "2023-08-17 09:00"),
    (WED, "tomorrow at 17:30", "2023-08-17 17:30"),
    (WED, "in 2 hours", "2023-08-16 12:00"),
    (WED, "in 30 minutes", "2023-08-16 10:30"),
    (WED, "Sep 15", "2023-09-15"),
    (WED, "September 15, 2023", "2023-09-15"),
    (WED, "2023-09-15T17:00", "2023-09-15 17:00"),
    (YEAR_END, "tomorrow 9am", "2023-12-31 09:00"),
    (WED, "in 3 months", "2023-11-16"),
    (WED, "in half an hour", "2023-08-16 10:30"),
    (WED, "in a week", "2023-08-23"),
    (WED, "end of month", "2023-08-31"),
    (WED, "last monday", "2023-08-07"),
    (WED, "wednesday 3pm", "2023-08-16 15:00"),
    (WED, "monthly", "-"),
    # spaces as official notices write them: none between Chinese characters or a digit and one
    (WED, "2023 年 9 月 15 日前", "2023-09-15"),
    (WED, "11 月 15 日前", "2023-11-15"),
    (WED, "下 周五", "2023-08-25"),
    (WED, "明天 下午 3点", "2023-08-17 15:00"),
    (WED, "下午 3 点", "2023-08-16 15:00"),
    (WED, "3 天后", "2023-08-19"),
    (WED, "二〇二三 年 九 月 十五 日", "2023-09-15"),
    (WED, "2023年9月15日 17:00", "2023-09-15 17:00"),
    (WED, "next  monday  9am", "2023-08-21 09:00"),
    # 前 is "ago" only after a number (or 半) and a unit of time; after a day, week or month word it is "by"
    (WED, "半小时前", "2023-08-16 09:30"),
    (WED, "半年前", "2023-02-16"),
    (WED, "半个月前", "2023-08-01"),
    (WED, "1.5小时前", "2023-08-16 08:30"),
    (WED, "一天半以前", "2023-08-14 22:00"),
    (WED, "3小时20分钟前", "2023-08-16 06:40"),
    (WED, "3点5分前", "2023-08-16 15:05"),  # 分 alone is a clock's minute: by 15:05
    (WED, "3月前", "-"),  # by March: a month alone names no day, like 9月
    (WED, "明天前", "2023-08-17"),
    (WED, "明天之前", "2023-08-17"),
    (WED, "明天以前", "2023-08-17"),
    (WED, "今天之前", "2023-08-16"),
    (WED, "后天前", "2023-08-18"),
    (WED, "大后天前", "2023-08-19"),
    (WED, "星期天前", "2023-08-20"),
    (WED, "礼拜天之前", "2023-08-20"),
    (WED, "下周天前", "2023-08-27"),
    (WED, "下周前", "2023-08-21"),
    (WED, "下星期前", "2023-08-21"),
    (WED, "下礼拜之前", "2023-08-21"),
    (WED, "这个星期", "2023-08-20"),
    (WED, "这个星期之前", "2023-08-20"),
    (WED, "下个月", "-"),  # a month alone names no day
    (WED, "下个月前", "-"),
    (WED, "下月", "-"),
    (WED, "下月前", "-"),
    # within a length of months or years: an offset; within a named month or year: by its end
    (WED, "一个月内", "2023-09-16"),
    (WED, "半个月内", "2023-08-31"),
    (WED, "一年内", "2024-08-16"),
    (WED, "两个月内", "2023-10-16"),
    (WED, "3个月内", "2023-11-16"),
    (WED, "半年内", "2024-02-16"),
    (WED, "两年内", "2025-08-16"),
    (WED, "一个月以内", "2023-09-16"),
    (WED, "一个月之内", "2023-09-16"),
    (MONTH_END, "一个月内", "2023-09-30"),
    (WED, "上个月内", "2023-07-31"),
    (WED, "一个半月内", "2023-10-01"),
    (WED, "今年内", "2023-12-31"),
    (WED, "这个月内", "2023-08-31"),
    (WED, "9月内", "2023-09-30"),
    (WED, "2024年内", "2024-12-31"),
    # numbered quarters, fractions, 的, seconds, the time first in English
    (WED, "三季度末", "2023-09-30"),
    (WED, "第三季度末", "2023-09-30"),
    (WED, "一季度末", "2024-03-31"),
    (WED, "2023年第四季度末", "2023-12-31"),
    (WED, "今年第一季度末", "2023-03-31"),
    (YEAR_END, "三季度末", "2024-09-30"),
    (YEAR_END, "四季度末", "2023-12-31"),
    (WED, "第五季度末", "-"),
    (WED, "1.5小时后", "2023-08-16 11:30"),
    (WED, "一天半后", "2023-08-17 22:00"),
    (WED, "1.5个月后", "2023-10-01"),
    (WED, "一天半小时后", "2023-08-17 10:30"),
    (WED, "下个月的5号", "2023-09-05"),
    (WED, "9月15日17:00:00", "2023-09-15 17:00"),
    (WED, "9月15日17:00:60", "-"),
    (WED, "9am tomorrow", "2023-08-17 09:00"),
    (WED, "5pm friday", "2023-08-18 17:00"),
    (WED, "5pm on friday", "2023-08-18 17:00"),
    (WED, "tomorrow 9 am", "2023-08-17 09:00"),
    (WED, "10000年后", "-"),  # beyond the calendar: None, not an error
    (WED, "9999999999天后", "-"),
    # impossible dates and garbage: None, never a guess
    (WED, "2月30日", "-"),
    (WED, "2023年2月29日", "-"),
    (WED, "13月5日", "-"),
    (WED, "9月32日", "-"),
    (WED, "2023-02-30", "-"),
    (WED, "25点", "-"),
    (WED, "明天25点", "-"),
    (WED, "明天10点61分", "-"),
    (WED, "周八", "-"),
    (WED, "9月", "-"),
    (WED, "15", "-"),
    (WED, "hello", "-"),
    (WED, "September", "-"),
    (WED, "随便写写吧", "-"),
    (WED, "这个案子不错", "-"),
    (WED, "", "-"),
]


@pytest.mark.parametrize(("now", "phrase", "expected"), CASES, ids=[f"{n[5:10]}-{p or 'empty'}" for n, p, _ in CASES])
def test_phrasings(now: str, phrase: str, expected: str) -> None:
    at = datetime.fromisoformat(now).replace(tzinfo=SHANGHAI)
    assert _show(parse_when(phrase, now=at, tz=SHANGHAI)) == expected


def test_when_carries_a_date_or_an_aware_moment() -> None:
    day = parse_when("9月15日", now=PUBLIC_NOW, tz=SHANGHAI)
    moment = parse_when("9月15日下午5点", now=PUBLIC_NOW, tz=SHANGHAI)
    assert day is not None and not day.has_time and day.moment is None
    assert moment is not None and moment.has_time and moment.moment is not None
    assert moment.moment.utcoffset() is not None and moment.value == moment.moment


@pytest.mark.parametrize(
    ("zone", "now", "phrase", "expected_utc"),
    [
        ("Europe/Berlin", "2024-03-30T12:00", "明天上午9点", "2024-03-31T07:00:00+00:00"),  # CEST begins that night
        ("Europe/Berlin", "2024-10-26T12:00", "明天上午9点", "2024-10-27T08:00:00+00:00"),  # back to CET
        ("Europe/Berlin", "2024-03-31T01:00", "三小时后", "2024-03-31T03:00:00+00:00"),  # 3 h elapsed: 05:00 CEST
        ("America/New_York", "2023-08-16T22:30", "明天", None),
    ],
    ids=["berlin-spring", "berlin-autumn", "berlin-elapsed", "new-york-date"],
)
def test_zones_with_dst(zone: str, now: str, phrase: str, expected_utc: str | None) -> None:
    tz = ZoneInfo(zone)
    when = parse_when(phrase, now=datetime.fromisoformat(now).replace(tzinfo=tz), tz=tz)
    assert when is not None
    if expected_utc is None:
        assert str(when) == "2023-08-17"
    else:
        assert when.moment is not None and when.moment.astimezone(ZoneInfo("UTC")).isoformat() == expected_utc


def test_now_in_another_zone_is_read_in_the_campaign_zone() -> None:
    # 2023-08-16 20:00 UTC is already the 17th in Shanghai
    when = parse_when("明天", now=datetime.fromisoformat("2023-08-16T20:00+00:00"), tz=SHANGHAI)
    assert when is not None and str(when) == "2023-08-18"
