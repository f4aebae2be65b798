"""Who may do what: a liaison acts for their own active unit only."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from bot.models import Person, Unit
from bot.services.people.access import Action, roles_of
from bot.storage import Storage


def test_a_liaison_acts_for_their_own_active_unit_only(
    storage: Storage, make_unit: Callable[..., Unit], make_person: Callable[..., Person], make_liaison: Callable[..., Any]
) -> None:
    mine, other, closed = make_unit(code="a"), make_unit(code="b"), make_unit(code="c", active=False)
    person = make_person(telegram_user_id=4242)
    make_liaison(mine, person=person)
    make_liaison(closed, person=person)
    roles = roles_of(SimpleNamespace(storage=storage), 4242)  # type: ignore[arg-type]
    assert roles.is_liaison and roles.units() == [mine.id]
    assert roles.may(Action.SUBMIT, unit_id=mine.id)
    assert not roles.may(Action.SUBMIT, unit_id=other.id)
    assert not roles.may(Action.SUBMIT, unit_id=closed.id)  # a deactivated unit gives no rights
    assert not roles.may(Action.OUTSTANDING)
    stranger = roles_of(SimpleNamespace(storage=storage), 99)  # type: ignore[arg-type]
    assert not stranger.is_registered and stranger.may(Action.HELP) and not stranger.may(Action.DUE)
