"""Bring the campaign of `config.toml` into storage: its units and the people it names."""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.models import Role
from bot.storage import Storage, people, roles, units
from bot.storage.units import UnitSpec


def sync_campaign(storage: Storage, config: Config, *, now: datetime) -> None:
    """Upsert the configured units (deactivating removed ones, but not imported ones) and the configured coordinators and leaders."""
    with storage.session() as s:
        # Units imported from a file (`liaison-bot import-units`) are kept: only config units come and go with config.toml.
        units.upsert_units(
            s, units=[UnitSpec(u.code, u.name, list(u.tags)) for u in config.units], now=now, keep=units.imported_unit_codes(s)
        )
        for role, ids in ((Role.coordinator, config.people.coordinators), (Role.leader, config.people.leaders)):
            for telegram_user_id in ids:
                person = people.get_or_create_person(s, telegram_user_id=telegram_user_id, now=now)
                assert person.id is not None
                roles.assign_role(s, person_id=person.id, role=role, now=now)
