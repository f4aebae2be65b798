"""The menu table: every command shown is one the bot answers, described in both languages, and
allowed for the role whose menu shows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.services.people.access import Action, Roles
from bot.services.people.menus import MENUS, MenuKey, chat_menus, commands
from bot.texts.catalog import LANGUAGES, t

ROLES = {
    "stranger": Roles(),
    "coordinator": Roles(person_id=1, is_coordinator=True),
    "leader": Roles(person_id=1, is_leader=True),
    "liaison": Roles(person_id=1, primary_units=[1]),
    "head": Roles(person_id=1, head_units=[1]),
}
ACTIONS = {a.value for a in Action}


def registered_commands() -> set[str]:
    source = (Path(__file__).parents[2] / "handlers" / "__init__.py").read_text(encoding="utf-8")
    return set(re.findall(r'CommandHandler\("(\w+)"', source))


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_menu_command_is_answered_described_and_allowed(role: str) -> None:
    for command in MENUS[role]:
        assert command in registered_commands(), command
        for language in LANGUAGES:
            assert t(language, f"commands.{command}")
        if command in ACTIONS:
            assert ROLES[role].may(Action(command)), (role, command)


def test_several_roles_see_the_union_once_coordinator_first() -> None:
    both = commands(("coordinator", "liaison"))
    assert both[: len(MENUS["coordinator"])] == list(MENUS["coordinator"])
    assert "due" in both and "submit" in both and len(both) == len(set(both))
    assert commands(()) == list(MENUS["stranger"])


def test_a_chosen_language_wins_over_the_client_language() -> None:
    chosen = chat_menus(MenuKey(("liaison",), "en"), "zh-CN")
    assert {code: dict(items)["submit"] for code, items in chosen.items()} == {"": "File a report", "zh": "File a report", "en": "File a report"}
    follows = chat_menus(MenuKey(("liaison",), None), "zh-CN")
    assert {code: dict(items)["submit"] for code, items in follows.items()} == {"": "报送材料", "zh": "报送材料", "en": "File a report"}
