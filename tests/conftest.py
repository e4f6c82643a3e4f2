"""Shared fixtures: a fresh database per test, an adjustable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import PACKAGE_DIR
from bot.storage.database import Database
from bot.storage.seed import seed_territories
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI

if TYPE_CHECKING:
    from tests.harness import BotHarness

# The PostgreSQL server and its fresh databases (postgres_server, postgres_url, ...).
pytest_plugins = ["tests.postgres"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    from tests.builders import open_database
    from tests.postgres import database_for  # a plugin: imported once pytest has it

    async with open_database(await database_for(tmp_path)) as database:
        await seed_territories(database, PACKAGE_DIR / "data" / "territories_penza.csv")
        yield database


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
