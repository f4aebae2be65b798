"""Shared test configuration: fixtures live in tests/fixtures/ as plugins."""

pytest_plugins = [
    "tests.fixtures.clock",
    "tests.fixtures.db",
    "tests.fixtures.emulator",
    "tests.fixtures.app",
]
