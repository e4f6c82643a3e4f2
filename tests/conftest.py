"""Shared fixtures: a fresh database per test, an adjustable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import PACKAGE_DIR
from bot.storage.database import Database
from bot.storage.seed import seed_territories
from tests.fakes.bot_api import FakeBotAPI

if TYPE_CHECKING:
    from tests.harness import BotHarness

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


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    """The fake Telegram Bot API server on 127.0.0.1."""
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotAPI, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    """The bot, started against the fake server; user 100 is the superadmin."""
    from tests.harness import BotHarness

    harness = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        yield harness
    finally:
        await harness.stop()
