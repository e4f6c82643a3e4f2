"""End to end: `python -m bot` as a separate process against the fake Bot API server.

The fake runs in the test's event loop and the bot in its own process, so everything
between them is real: settings from the environment, start-up, long polling, the
database on disk, SIGTERM handling and the exit code.
"""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import Settings
from tests.builders import open_database
from tests.e2e.process import (
    ADMIN,
    EXIT_TIMEOUT,
    ROOT,
    BotProcess,
    administered_page,
    bot_env,
)
from tests.fakes.bot_api import FakeBotAPI


async def test_the_bot_answers_saves_a_report_and_stops_cleanly_on_sigterm(
    tmp_path: Path,
) -> None:
    database_path = tmp_path / "bot.sqlite3"
    page_id = await administered_page(database_path)

    async with FakeBotAPI() as fake:
        secret = fake.token.partition(":")[2]
        bot = await BotProcess.serving(bot_env(fake, database_path), fake)
        try:
            # The start-up catch-up may send this week's digest too: wait for the greeting.
            greeting = await bot.answer(fake, ADMIN, "/start", "Hello")
            assert ADMIN.first_name in greeting.content

            saved = await bot.answer(fake, ADMIN, f"/report {page_id} 4321", "Saved")
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
    bot = await BotProcess.run(env, tmp_path)
    assert bot.process.returncode == 2, bot.describe()
    lines = bot.stderr.splitlines()
    assert any("BOT_TOKEN" in line and ".env" in line for line in lines), bot.describe()
    assert "Traceback" not in bot.stderr, bot.describe()


async def test_a_token_telegram_rejects_stops_the_bot_with_a_clear_line(tmp_path: Path) -> None:
    """A revoked or mistyped token: the process must exit (so a supervisor restarts or
    alerts), not hang with an open database."""
    async with FakeBotAPI() as fake:
        env = bot_env(fake, tmp_path / "bot.sqlite3", bot_token="999:WRONG-TOKEN")
        bot = await BotProcess.run(env, ROOT)
    assert bot.process.returncode == 1, bot.describe()
    assert any("BOT_TOKEN" in line for line in bot.stderr.splitlines()), bot.describe()
    assert "WRONG-TOKEN" not in bot.stderr + bot.stdout
