"""End to end: `python -m bot` as a separate process against the fake Bot API server.

The fake runs in the test's event loop and the bot in its own process, so everything
between them is real: settings from the environment, start-up, long polling, the
database on disk, SIGTERM handling and the exit code.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.catalog import Level, Theme
from bot.domain.links import parse_link
from bot.storage.seed import seed_territories
from tests.builders import add_page, add_user, open_database
from tests.e2e.process import (
    EXIT_TIMEOUT,
    REPLY_TIMEOUT,
    ROOT,
    STARTUP_TIMEOUT,
    TERRITORIES,
    BotProcess,
)
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage

# Measures time or rate: runs alone (see the Makefile).
pytestmark = pytest.mark.serial


ADMIN = FakeUser(id=200, first_name="John", username="john", language_code="en")


async def prepare_database(path: Path) -> int:
    """A user who administers one approved page, stored with the project's own code;
    returns the page's id."""
    now = int(time.time())
    link = parse_link("https://vk.com/club123")
    assert link.platform is not None
    async with open_database(path) as db:
        await seed_territories(db, TERRITORIES)
        async with db.write() as repos:
            await add_user(repos, ADMIN, now=now)
            territory = (await repos.territories.all())[0]
            page_id = await add_page(
                repos,
                link.key,
                url=link.url,
                platform=link.platform.value,
                title="Дом культуры",
                territory_id=territory.id,
                level=Level.MUNICIPAL.value,
                theme=Theme.CULTURE.value,
                created_by=ADMIN.id,
                now=now,
            )
    return page_id


async def answer(fake: FakeBotAPI, bot: BotProcess, text: str, *, beginning: str) -> SentMessage:
    """ADMIN writes `text`; the bot's first message to them after it that begins with
    `beginning`, waited for (a failure if the bot exits first or nothing comes in time)."""
    since = len(fake.sent)
    fake.say(ADMIN, text)
    return await bot.until(
        fake.wait_for_message(
            ADMIN.id,
            lambda message: message.content.startswith(beginning),
            timeout=REPLY_TIMEOUT,
            since=since,
        ),
        f"the answer to {text}",
    )


async def test_the_bot_answers_saves_a_report_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    database_path = tmp_path / "bot.sqlite3"
    page_id = await prepare_database(database_path)

    async with FakeBotAPI() as fake:
        secret = fake.token.partition(":")[2]
        bot = await BotProcess.against(fake, database_path)
        try:
            await bot.until(fake.wait_polling(timeout=STARTUP_TIMEOUT), "the first getUpdates")

            # The start-up catch-up may send this week's digest too: wait for the greeting.
            greeting = await answer(fake, bot, "/start", beginning="Hello")
            assert ADMIN.first_name in greeting.content

            saved = await answer(fake, bot, f"/report {page_id} 4321", beginning="Saved")
            assert "Дом культуры" in saved.content
            assert "4,321" in saved.content

            code = await bot.stop(EXIT_TIMEOUT)
            assert code == 0, bot.describe()
        finally:
            await bot.kill()
        assert not fake.internal_errors

    output = bot.stdout + bot.stderr
    # The log was written (so the check below is not vacuous) and never shows the token.
    assert "Started" in bot.stderr, bot.describe()
    assert "Stopped" in bot.stderr, bot.describe()
    assert secret not in output, "the token's secret part leaked into the bot's output"

    async with open_database(database_path) as db, db.read() as repos:
        reports = await repos.reports.history(page_id, limit=100)
        page = await repos.pages.get(page_id)
    assert [(report.figure, report.reported_by) for report in reports] == [(4321, ADMIN.id)]
    assert page is not None
    assert page.current_figure == 4321


async def test_without_a_token_the_bot_says_where_to_put_it_and_exits_with_2(
    tmp_path: Path,
) -> None:
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    # tmp_path holds no .env; `bot` is imported from the repository all the same.
    env["PYTHONPATH"] = str(ROOT)
    bot = await BotProcess.start(env, tmp_path)
    try:
        code = await bot.exited(STARTUP_TIMEOUT)
    finally:
        await bot.kill()
    assert code == 2, bot.describe()
    lines = bot.stderr.splitlines()
    assert any("BOT_TOKEN" in line and ".env" in line for line in lines), bot.describe()
    assert "Traceback" not in bot.stderr, bot.describe()


async def test_a_token_telegram_rejects_stops_the_bot_with_a_clear_line(tmp_path: Path) -> None:
    """A revoked or mistyped token: the process must exit (so a supervisor restarts or
    alerts), not hang with an open database."""
    async with FakeBotAPI() as fake:
        bot = await BotProcess.against(fake, tmp_path / "bot.sqlite3", bot_token="999:WRONG-TOKEN")
        try:
            code = await bot.exited(STARTUP_TIMEOUT)
        finally:
            await bot.kill()
    assert code == 1, bot.describe()
    assert any("BOT_TOKEN" in line for line in bot.stderr.splitlines()), bot.describe()
    assert "WRONG-TOKEN" not in bot.stderr + bot.stdout
