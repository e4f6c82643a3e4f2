"""End to end in webhook mode: `python -m bot webhook` as a separate process, the fake Bot
API posting updates to its server as Telegram does."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.builders import open_database
from tests.e2e.process import (
    ADMIN,
    EXIT_TIMEOUT,
    REPLY_TIMEOUT,
    ROOT,
    BotProcess,
    administered_page,
    webhook_env,
)
from tests.fakes.bot_api import FakeBotAPI

SERVING = "Serving the webhook"


async def test_sigterm_lets_a_handler_in_flight_store_the_report_and_answer(
    tmp_path: Path,
) -> None:
    """The update is confirmed to Telegram only by the 200 that follows its handler: a
    SIGTERM while the handler waits on Telegram must let it finish, answer, and exit 0."""
    database_path = tmp_path / "bot.sqlite3"
    page_id = await administered_page(database_path)

    async with FakeBotAPI() as fake:
        # No scheduler: nothing but the handlers below sends a message.
        env = webhook_env(fake, database_path, scheduler_enabled=False)
        bot = await BotProcess.start(env, ROOT, "webhook")
        try:
            await bot.logged(SERVING)
            greeting = await bot.answer(fake, ADMIN, "/start", "Hello")
            assert ADMIN.first_name in greeting.content

            hold = fake.hold("sendMessage")
            update = fake.say(ADMIN, f"/report {page_id} 4321")
            await bot.until(fake.wait_held(hold, REPLY_TIMEOUT), "the report's answer")
            bot.process.send_signal(signal.SIGTERM)
            await bot.logged("Stopping the webhook server")
            assert update in fake.pending_updates
            hold.release()

            code = await bot.exit_code(EXIT_TIMEOUT)
            assert code == 0, bot.describe()
        finally:
            await bot.kill()
        assert not fake.internal_errors

    assert "Stopped" in bot.stderr, bot.describe()
    assert update not in fake.pending_updates, "the 200 after the handler never came"
    assert [d.status for d in fake.webhook_deliveries if d.update_id == update["update_id"]] == [
        200
    ]
    assert fake.last_message(ADMIN.id).content.startswith("Saved")
    assert fake.calls("getUpdates") == []
    async with open_database(database_path) as db, db.read() as repos:
        reports = await repos.reports.history(page_id, limit=100)
    assert [(report.figure, report.reported_by) for report in reports] == [(4321, ADMIN.id)]


async def test_only_the_leader_sets_the_webhook(tmp_path: Path) -> None:
    """Two replicas on one database: one setWebhook reaches Telegram, from the leader;
    both serve, and both stop cleanly."""
    database_path = tmp_path / "bot.sqlite3"
    await administered_page(database_path)  # migrated before both start

    async with FakeBotAPI() as fake:
        # One by the command, one by RUN_MODE, as `python -m bot` reads it.
        bots = [
            await BotProcess.start(webhook_env(fake, database_path), ROOT, "webhook"),
            await BotProcess.start(webhook_env(fake, database_path, run_mode="webhook"), ROOT),
        ]
        try:
            for bot in bots:
                await bot.logged(SERVING)
            [call] = fake.calls("setWebhook")
            leaders = [bot for bot in bots if "Webhook set" in bot.stderr]
            assert len(leaders) == 1, [bot.describe() for bot in bots]
            assert call.params["url"] in leaders[0].stderr
            follower = next(bot for bot in bots if bot is not leaders[0])
            assert " leads" in leaders[0].stderr
            assert " leads" not in follower.stderr

            greeting = await leaders[0].answer(fake, ADMIN, "/start", "Hello")
            assert ADMIN.first_name in greeting.content
            # The follower first: stopped after the leader, it would take over (a
            # heartbeat is shorter than a slow stop) and set the webhook again.
            for bot in [follower, leaders[0]]:
                assert await bot.stop(EXIT_TIMEOUT) == 0, bot.describe()
        finally:
            for bot in bots:
                await bot.kill()
        assert not fake.internal_errors
    assert len(fake.calls("setWebhook")) == 1
    assert fake.calls("getUpdates") == []
