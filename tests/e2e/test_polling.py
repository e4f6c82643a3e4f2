"""Long polling as in production: per-user order, and no report lost when the bot stops."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import Application, build_application
from bot.config import load_settings
from tests.builders import add_page
from tests.clock import START, FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser

ANNA = FakeUser(id=501, first_name="Anna", language_code="en")
BORIS = FakeUser(id=502, first_name="Boris", language_code="en")


def make_app(fake: FakeBotAPI, folder: Path, clock: FakeClock) -> Application:
    settings = load_settings(
        _env_file=None,
        bot_token=fake.token,
        telegram_api_url=fake.base_url,
        database_path=folder / "bot.sqlite3",
        scheduler_enabled=False,  # these tests are about polling, not about digests
    )
    return build_application(settings, clock)


async def start_polling(app: Application, fake: FakeBotAPI) -> asyncio.Task[None]:
    task = asyncio.create_task(
        app.dispatcher.start_polling(app.bot, handle_signals=False, polling_timeout=1)
    )
    await fake.wait_polling(timeout=30)
    return task


async def stop_polling(app: Application, task: asyncio.Task[None]) -> None:
    await app.dispatcher.stop_polling()
    await asyncio.wait_for(task, 15)


async def seed_page(app: Application, owner: FakeUser) -> int:
    async with app.db.write() as repos:
        await repos.users.ensure(owner.id, now=START)
        return await add_page(
            repos,
            "vk.com/seeded",
            created_by=owner.id,
            title="Seeded page",
            level="regional",
            figure=1000,
        )


async def test_one_users_updates_are_handled_in_order(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    """Two messages sent at once: the second must see the state the first set."""
    app = make_app(fake, tmp_path, clock)
    task = await start_polling(app, fake)
    try:
        fake.latency = 0.05
        for user in (ANNA, BORIS):
            fake.push(fake.message_update(user, "/register"))
            fake.push(fake.message_update(user, "https://vk.com/club" + str(user.id)))
        for user in (ANNA, BORIS):
            await fake.wait_for_message(
                user.id, lambda m: "Step 2 of 6" in (m.text or ""), timeout=15, since=0
            )
        for user in (ANNA, BORIS):
            texts = [m.text or "" for m in fake.messages(user.id)]
            assert not any("did not understand" in text for text in texts), texts
    finally:
        await stop_polling(app, task)


# Runs alone: the stop must come while the handler waits on the slow edit (0.5 s), which a
# loaded machine could let finish first, leaving nothing in flight.
@pytest.mark.serial
async def test_stopping_lets_a_handler_in_flight_store_its_report(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    """Polling confirms an update before its handler finishes; stopping right then must
    still store the report and answer, and only then close the database."""
    app = make_app(fake, tmp_path, clock)
    task = await start_polling(app, fake)
    stopped = False
    try:
        page = await seed_page(app, ANNA)
        fake.push(fake.message_update(ANNA, f"/report {page} 20000"))
        question = await fake.wait_for_message(
            ANNA.id, lambda m: "big change" in (m.text or ""), timeout=15, since=0
        )
        assert "big change" in (question.text or "")

        # The confirming handler first edits the question (slow), then stores the report.
        fake.latency = 0.5
        update = fake.callback_update(ANNA, question, question.buttons[0]["callback_data"])
        fake.push(update)
        await fake.wait_confirmed(update["update_id"], timeout=15)
        await stop_polling(app, task)
        stopped = True
    finally:
        if not stopped:
            await stop_polling(app, task)

    saved = [m for m in fake.messages(ANNA.id) if "Saved" in (m.text or "")]
    assert len(saved) == 1
    reopened = make_app(fake, tmp_path, clock)
    await reopened.db.connect()
    try:
        async with reopened.db.read() as repos:
            reports = await repos.reports.history(page, limit=10)
    finally:
        await reopened.db.close()
        await reopened.bot.session.close()
    assert [report.figure for report in reports] == [20000]
