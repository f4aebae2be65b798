"""Units, people, languages, profiles, reachability."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.models import Person, PersonProfile, Unit
from bot.storage import Storage, people, units


def test_upsert_units_creates_updates_and_deactivates(storage: Storage, now: datetime) -> None:
    with storage.session() as s:
        first = units.upsert_units(
            s,
            units=[("jc1", "稽查一队", ["所队"]), ("zfk", "执法科", ["股室"]), ("old", "旧单位", [])],
            now=now,
        )
    assert sorted(first.created) == ["jc1", "old", "zfk"]
    later = now + timedelta(days=1)
    with storage.session() as s:
        second = units.upsert_units(
            s, units=[units.UnitSpec("jc1", "稽查一大队", ("所队",)), ("zfk", "执法科", ["股室"])], now=later
        )
    assert second.created == [] and second.updated == ["jc1"] and second.deactivated == ["old"]
    with storage.session() as s:
        rows = {u.code: u for u in s.exec(select(Unit))}
        assert rows["jc1"].name == "稽查一大队" and rows["jc1"].updated_at == later
        assert rows["zfk"].updated_at == now  # unchanged
        assert rows["old"].active is False
        assert [u.code for u in units.list_units(s)] == ["jc1", "zfk"]
        assert [u.code for u in units.list_units(s, tag="股室")] == ["zfk"]
        assert len(units.list_units(s, active_only=False)) == 3
    with storage.session() as s:
        third = units.upsert_units(s, units=[("old", "旧单位", [])], now=later)
    assert third.reactivated == ["old"] and sorted(third.deactivated) == ["jc1", "zfk"]


def test_upsert_units_links_levels_in_any_order_and_writes_nothing_when_nothing_changed(storage: Storage, now: datetime) -> None:
    from sqlalchemy import event

    config = [units.UnitSpec("qx1", "县局一", ("县区局",), "shi"), units.UnitSpec("shi", "市局", ("市局",)), units.UnitSpec("qx2", "县局二", (), "shi")]
    with storage.session() as s:
        units.upsert_units(s, units=config, now=now)
    with storage.session() as s:
        rows = {u.code: u for u in s.exec(select(Unit))}
        assert rows["qx1"].parent_id == rows["shi"].id == rows["qx2"].parent_id and rows["shi"].parent_id is None
    writes: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE")):
            writes.append(statement)

    later = now + timedelta(days=1)
    event.listen(storage.engine, "before_cursor_execute", note)
    try:
        with storage.session() as s:
            same = units.upsert_units(s, units=config, now=later)
    finally:
        event.remove(storage.engine, "before_cursor_execute", note)
    assert same == units.UnitSync() and writes == []  # a restart on the same config: read, compared, nothing written
    moved = [units.UnitSpec("qx1", "县局一", ("县区局",)), units.UnitSpec("shi", "市局", ("市局",)), units.UnitSpec("qx2", "县局二", ("县区局",), "shi")]
    with storage.session() as s:
        result = units.upsert_units(s, units=moved, now=later)
    assert result.updated == ["qx2"] and result.created == result.deactivated == []
    with storage.session() as s:
        rows = {u.code: u for u in s.exec(select(Unit))}
        assert rows["qx1"].parent_id is None and rows["qx1"].updated_at == later  # taken out of the level
        assert rows["qx2"].tags == ["县区局"] and rows["qx2"].parent_id == rows["shi"].id
        assert rows["shi"].updated_at == now


def test_upsert_units_rejects_duplicate_codes(storage: Storage, now: datetime) -> None:
    with pytest.raises(ValueError, match="duplicate unit codes: a"), storage.session() as s:
        units.upsert_units(s, units=[("a", "A", []), ("a", "A2", [])], now=now)


def test_unit_code_is_unique(storage: Storage, make_unit: Callable[..., Unit], now: datetime) -> None:
    make_unit(code="dup")
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(Unit(code="dup", name="x", created_at=now, updated_at=now))


def test_get_or_create_person_creates_once_and_refreshes_telegram_data(
    storage: Storage, now: datetime
) -> None:
    big_id = 7_000_000_001  # beyond 32 bits, as real Telegram ids are
    with storage.session() as s:
        p1 = people.get_or_create_person(s, telegram_user_id=big_id, chat_id=big_id, first_name="Li", now=now)
    with storage.session() as s:
        p2 = people.get_or_create_person(
            s, telegram_user_id=big_id, first_name="Li Wei", username="liwei", now=now + timedelta(hours=1)
        )
    assert p1.id == p2.id
    with storage.session() as s:
        rows = list(s.exec(select(Person)))
        assert len(rows) == 1
        assert (rows[0].telegram_user_id, rows[0].chat_id) == (big_id, big_id)
        assert (rows[0].first_name, rows[0].username) == ("Li Wei", "liwei")
        assert rows[0].created_at == now and rows[0].updated_at == now + timedelta(hours=1)
        assert rows[0].language is None and rows[0].reachable is True


def test_telegram_user_id_is_unique(storage: Storage, make_person: Callable[..., Person], now: datetime) -> None:
    make_person(telegram_user_id=555)
    with pytest.raises(IntegrityError), storage.session() as s:
        s.add(Person(telegram_user_id=555, created_at=now, updated_at=now))


def test_set_language_and_profile(storage: Storage, make_person: Callable[..., Person], now: datetime) -> None:
    person = make_person()
    with storage.session() as s:
        people.set_language(s, person_id=person.id, language="en", now=now)
        people.set_profile(
            s, person_id=person.id, profile=PersonProfile(name="张三", mobile="13900000000"), now=now
        )
        people.set_profile(s, person_id=person.id, profile={"email": "zs@example.cn"}, now=now)
    with storage.session() as s:
        stored = people.get_person(s, person_id=person.id)
        assert stored is not None
        assert (stored.language, stored.name, stored.mobile, stored.email) == (
            "en",
            "张三",
            "13900000000",
            "zs@example.cn",
        )
        assert stored.department is None  # fields not given are left alone
    with storage.session() as s:
        people.set_language(s, person_id=person.id, language=None, now=now)
    with storage.session() as s:
        assert people.get_person(s, person_id=person.id).language is None  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="unsupported language"), storage.session() as s:
        people.set_language(s, person_id=person.id, language="fr", now=now)
    with pytest.raises(ValueError, match="unknown profile fields: telegram_user_id"), storage.session() as s:
        people.set_profile(s, person_id=person.id, profile={"telegram_user_id": "1"}, now=now)


def test_unreachable_and_back(storage: Storage, make_person: Callable[..., Person], now: datetime) -> None:
    person = make_person()
    with storage.session() as s:
        assert people.mark_unreachable(s, person_id=person.id, now=now) is True
        assert people.mark_unreachable(s, person_id=person.id, now=now + timedelta(hours=1)) is False
    with storage.session() as s:
        stored = people.get_person(s, person_id=person.id)
        assert stored is not None and stored.reachable is False and stored.unreachable_since == now
        assert [p.id for p in people.unreachable_people(s)] == [person.id]
        assert people.mark_reachable(s, person_id=person.id, now=now + timedelta(days=1)) is True
    with storage.session() as s:
        stored = people.get_person(s, person_id=person.id)
        assert stored is not None and stored.reachable is True and stored.unreachable_since is None


def test_stranger_chooses_language_and_bound_module_calls(storage: Storage, now: datetime) -> None:
    assert storage.people.chosen_language(telegram_user_id=99) is None
    person = storage.people.set_language(telegram_user_id=99, language="en", now=now)
    assert storage.people.chosen_language(telegram_user_id=99) == "en"
    assert person.telegram_user_id == 99 and person.created_at == now
    with storage.session() as s:
        assert len(list(s.exec(select(Person)))) == 1
    with pytest.raises(AttributeError):
        storage.people.LANGUAGES  # noqa: B018  (not a storage function)
    with pytest.raises(TypeError, match="exactly one"):
        storage.people.set_language(language="en", now=now)
