"""Shared fixtures: a fresh database per test, an adjustable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import PACKAGE_DIR
from bot.storage.database import Database
from bot.storage.seed import seed_territories

START = 1_790_000_000  # 2026-09-21, a fixed "now" for every test


class FakeClock:
    """A clock that moves only when a test moves it."""

    def __init__(self, now: int = START) -> None:
        self.current = now

    def now(self) -> int:
        return self.current

    def advance(self, seconds: int) -> None:
        self.current += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "bot.sqlite3")
    await database.connect()
    await seed_territories(database, PACKAGE_DIR / "data" / "territories_penza.csv")
    try:
        yield database
    finally:
        await database.close()
