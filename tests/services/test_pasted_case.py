"""Reading a typical case pasted whole: three layouts, the decision date, the 罚没款, the police transfer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.services.drafting.pasted import read_case

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2023, 9, 20, 10, tzinfo=TZ)

HEADINGS = """平岗所报送某药店销售假药案
一、案情概述
2023年7月，执法人员在日常检查中发现某药店销售的“复方甘草片”无批准文号，现场查扣12盒。
二、查办结果
依据《药品管理法》第一百一十六条，我局于2023年8月10日作出行政处罚决定，没收违法所得1200元，并处罚款5万元，因不涉嫌犯罪未移送公安机关。"""

NO_HEADINGS = """某诊所使用过期医疗器械案
2023年6月，执法人员检查发现某诊所使用已过有效期的一次性无菌注射器30支。经调查，该诊所自2023年3月起购进上述器械。
依据《医疗器械监督管理条例》第八十九条，2023年8月25日决定对其处以罚款2万元。案件已移送公安机关。"""

NUMBERED = """标题：某公司经营未备案化妆品案
【案情概述】当事人在其网店销售未备案的进口化妆品。
【查办结果】处罚决定书文号：叶市监罚〔2023〕21号，决定书于2023年9月1日送达；罚没款合计3.5万元。"""


def test_with_headings() -> None:
    case = read_case(HEADINGS, now=NOW, tz=TZ)
    assert case is not None
    assert case.title == "平岗所报送某药店销售假药案"
    assert case.overview.startswith("2023年7月") and case.overview.endswith("现场查扣12盒。")
    assert case.result.startswith("依据《药品管理法》第一百一十六条")
    assert (case.decided_on, case.fine, case.police, case.decision_number) == (date(2023, 8, 10), Decimal("51200.00"), False, None)


def test_without_headings_the_result_starts_at_the_law() -> None:
    case = read_case(NO_HEADINGS, now=NOW, tz=TZ)
    assert case is not None
    assert case.overview.endswith("该诊所自2023年3月起购进上述器械。")
    assert case.result.startswith("依据《医疗器械监督管理条例》")
    assert (case.decided_on, case.fine, case.police) == (date(2023, 8, 25), Decimal("20000.00"), True)
    assert read_case(NO_HEADINGS, now=NOW, tz=TZ, headings_only=True) is None  # a long answer to 案情概述 is no case


def test_with_the_decision_number_and_a_stated_total() -> None:
    case = read_case(NUMBERED, now=NOW, tz=TZ)
    assert case is not None
    assert (case.title, case.overview) == ("某公司经营未备案化妆品案", "当事人在其网店销售未备案的进口化妆品。")
    assert (case.decision_number, case.decided_on, case.fine, case.police) == ("叶市监罚〔2023〕21号", date(2023, 9, 1), Decimal("35000.00"), None)
    assert case.values() == {"title": "某公司经营未备案化妆品案", "overview": "当事人在其网店销售未备案的进口化妆品。",
                             "result": case.result, "decided_on": "2023-09-01", "fine": "35000.00"}


def test_a_decision_date_after_today_is_left_to_ask() -> None:
    case = read_case(HEADINGS.replace("2023年8月10日", "2023年10月10日"), now=NOW, tz=TZ)
    assert case is not None and case.decided_on is None


@pytest.mark.parametrize("text", [
    "某药店销售假药案",
    "该药店从非法渠道购进药品。依据《药品管理法》处罚。",  # no title line
    "某药店案\n当事人销售药品，执法人员检查。",  # no result
    "x" * 4001,
])
def test_not_a_whole_case(text: str) -> None:
    assert read_case(text, now=NOW, tz=TZ) is None
