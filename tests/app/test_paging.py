"""Long lists of buttons are paged ◀ 1/N ▶: /submit's choices for a liaison of several units, /review
beyond a page (both languages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.models import Person, SubmissionKind
from bot.services.paging import PAGE_SIZE
from emulator.state import BotMessage
from tests.app.helpers_coordinator import case_data, file
from tests.app.submit_helpers import says
from tests.fixtures.app import COORDINATOR, RunningBot

UNITS = ("pgs", "shs", "sys", "sgs", "hjs", "yls", "zfdd")


def _choices(message: BotMessage) -> list[str]:
    return [b for b in message.button_texts if b not in ("◀", "▶") and "/" not in b]


async def test_submit_choices_are_paged(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    person = make_person(7501, name="张联络", mobile="13800000001")
    for code in UNITS[:4]:
        make_liaison(bot_app.storage.units.get_unit_by_code(code=code), person)
    user = bot_app.emulator.user(7501, first_name="张", language_code="zh-hans")
    first = await says(user, "/submit", "请选择要报送的事项")
    assert first.button_texts[-1] == "▶" and first.button_texts[-2].startswith("1/")  # ◀ only from page 2 on
    pages = first.button_texts[-2].split("/")[1]
    assert int(pages) >= 2
    assert len(_choices(first)) == PAGE_SIZE
    seen = _choices(first)
    await user.press("▶", first)
    second = await user.wait_for(lambda m: m.message_id == first.message_id and f"2/{pages}" in m.button_texts)
    assert "◀" in second.button_texts and not set(_choices(second)) & set(seen)  # the same message, the next rows
    await user.press("◀", second)
    back = await user.wait_for(lambda m: m.message_id == first.message_id and f"1/{pages}" in m.button_texts)
    assert _choices(back) == seen
    # a choice on a later page still files
    await user.press("▶", back)
    later = await user.wait_for(lambda m: m.message_id == first.message_id and f"2/{pages}" in m.button_texts)
    name = next(b for b in _choices(later) if b.startswith("孙岗") or "典型案例" in b)
    await user.press(name, later)
    await user.wait_for(lambda m: "报送" in m.text and m.message_id != first.message_id)


async def test_review_is_paged_beyond_a_page(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    person = make_person(7502, name="张联络", mobile="13800000002")
    now = bot_app.clock.now()
    for code in UNITS:
        for item in (1, 2):
            file(bot_app.storage, code, "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data(f"{code}案{item}"), at=now, item_no=item)
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    listing = await says(coordinator, "/review", "待审核的报送共 14 份")
    assert listing.button_texts[-2:] == ["1/2", "▶"] and len(listing.button_texts) == PAGE_SIZE + 2
    assert all("#" not in b and " v1" not in b for b in listing.button_texts)
    assert "第 1 项" in listing.button_texts[0] and "2023年8月" in listing.button_texts[0]
    await coordinator.press("▶", listing)
    second = await coordinator.wait_for(lambda m: m.message_id == listing.message_id and "2/2" in m.button_texts)
    assert len(second.button_texts) == 14 - PAGE_SIZE + 2  # six submissions, ◀ and 2/2
    await coordinator.press(second.button_texts[0], second)
    await coordinator.wait_for(lambda m: "hjs案1" in m.text)


async def test_review_pages_in_english(bot_app: RunningBot, make_person: Callable[..., Person]) -> None:
    person = make_person(7503, name="张联络", mobile="13800000003")
    now = bot_app.clock.now()
    for code in UNITS:
        for item in (1, 2):
            file(bot_app.storage, code, "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=case_data(f"{code}案{item}"), at=now, item_no=item)
    coordinator = bot_app.emulator.user(COORDINATOR, first_name="Su", language_code="en")
    coordinator.skip_pending()
    await coordinator.send("/lang")
    await coordinator.wait_for(lambda m: "English" in m.button_texts)
    await coordinator.press("English")
    listing = await says(coordinator, "/review", "14 filings are waiting")
    assert listing.button_texts[-2:] == ["1/2", "▶"]
    assert "item 1" in listing.button_texts[0] and "August 2023" in listing.button_texts[0]


async def test_due_buttons_are_paged_per_unit(bot_app: RunningBot, make_person: Callable[..., Person], make_liaison: Callable[..., Any]) -> None:
    from bot.config import TemplateKind
    from bot.services.deadlines import adhoc
    from schedules import parse_when

    services = bot_app.app.bot_data["services"]
    now = bot_app.clock.now()
    for n in range(1, 9):  # eight ad-hoc requests besides the configured reports: more than a page of buttons
        when = parse_when(f"9月{n + 10}日前", now=now, tz=bot_app.config.campaign.tz)
        assert when is not None
        adhoc.create(services, title=f"专项材料{n}", template=TemplateKind.FREE, when=when, tags=[], unit_codes=["pgs"], person_id=None, now=now)
    person = make_person(7504, name="张联络", mobile="13800000004")
    make_liaison(bot_app.storage.units.get_unit_by_code(code="pgs"), person)
    zh = bot_app.emulator.user(7504, first_name="张", language_code="zh-hans")
    first = await says(zh, "/due", "待报事项")
    assert first.button_texts[-2:] == ["1/2", "▶"]
    await zh.press("▶", first)
    second = await zh.wait_for(lambda m: m.message_id == first.message_id and "2/2" in m.button_texts)
    assert "◀" in second.button_texts and any("专项材料8" in b for b in second.button_texts)
    assert not set(second.button_texts[:-2]) & set(first.button_texts[:-2])
    assert "专项材料8" in second.text and "专项材料8" in first.text  # every item is listed; only the buttons are paged
