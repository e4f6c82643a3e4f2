"""Webhook mode in this process: the bot's aiohttp server on a port the OS chose, the fake
Bot API posting updates to it as Telegram does."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import make_mocked_request

from bot.app import Application, build_application
from bot.middlewares.inflight import TrackingEventIsolation
from bot.storage.database import Database
from bot.webhook import HEALTH_PATH, Health, Phase
from tests.clock import FakeClock
from tests.fakes.bot_api import JSON, FakeBotAPI, FakeUser
from tests.harness import fake_settings

SECRET = "test-Secret_0123456789"
PATH = "/telegram/webhook"
ANNA = FakeUser(id=601, first_name="Anna", language_code="en")
STARTUP_TIMEOUT = 30.0


@dataclass
class Served:
    app: Application
    base_url: str


@asynccontextmanager
async def webhook_bot(fake: FakeBotAPI, folder: Path, clock: FakeClock) -> AsyncIterator[Served]:
    """The bot in webhook mode, once it listens on a socket the OS bound (its start-up,
    setWebhook included, is over); stopped as SIGTERM would stop it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = fake_settings(
            fake, folder, run_mode="webhook", webhook_url=base_url, webhook_secret=SECRET
        )
        app = build_application(config, clock)
        stop, listening = asyncio.Event(), asyncio.Event()
        serving = asyncio.create_task(app.run_webhook(stop, sock, listening))
        try:
            await asyncio.wait_for(listening.wait(), STARTUP_TIMEOUT)
            yield Served(app, base_url)
        finally:
            stop.set()
            await asyncio.wait_for(serving, STARTUP_TIMEOUT)


async def test_an_update_is_confirmed_only_after_its_handler_has_answered(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as served:
        [call] = fake.calls("setWebhook")
        assert call.params["url"] == served.base_url + PATH
        assert call.params["secret_token"] == SECRET
        assert call.params["drop_pending_updates"] is False
        assert {"message", "callback_query"} <= set(call.params["allowed_updates"])

        hold = fake.hold("sendMessage")
        update = fake.say(ANNA, "/start")
        await fake.wait_held(hold, timeout=STARTUP_TIMEOUT)
        # The handler waits on its answer: Telegram has no 2xx for the update yet.
        assert [d for d in fake.webhook_deliveries if d.ok] == []
        assert update in fake.pending_updates
        hold.release()
        await fake.wait_confirmed(update["update_id"], timeout=STARTUP_TIMEOUT)

    assert fake.last_message(ANNA.id).content.startswith("Hello, Anna!")
    assert [d.status for d in fake.webhook_deliveries if d.update_id == update["update_id"]][
        -1
    ] == 200
    assert fake.calls("getUpdates") == []
    assert fake.calls("deleteWebhook") == []


async def test_one_users_next_update_waits_until_the_first_is_answered(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    """The link must reach the wizard's step 1, which /register opened."""
    async with webhook_bot(fake, tmp_path, clock):
        hold = fake.hold("sendMessage")
        opened = fake.say(ANNA, "/register")
        link = fake.say(ANNA, "https://vk.com/club601")
        await fake.wait_held(hold, timeout=STARTUP_TIMEOUT)
        assert {opened["update_id"], link["update_id"]} <= {
            update["update_id"] for update in fake.pending_updates
        }
        hold.release()
        await fake.wait_confirmed(link["update_id"], timeout=STARTUP_TIMEOUT)
    steps = [m.text or "" for m in fake.messages(ANNA.id)]
    assert "Step 2 of 6" in steps[-1], steps
    assert [d.update_id for d in fake.webhook_deliveries] == [
        opened["update_id"],
        link["update_id"],
    ]


async def test_a_post_without_the_secret_is_refused_and_not_handled(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    async with webhook_bot(fake, tmp_path, clock) as served, ClientSession() as http:
        url = served.base_url + PATH
        # The bot answers a post only once the handler has finished, so a handler run
        # by a refused post would have sent its message before the 401.
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}):
            async with http.post(
                url, json=fake.message_update(ANNA, "/start"), headers=headers
            ) as response:
                assert response.status == 401
        assert fake.messages(ANNA.id) == []

        async with http.post(
            url,
            json=fake.message_update(ANNA, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as response:
            assert response.status == 200
        assert fake.last_message(ANNA.id).content.startswith("Hello, Anna!")

        async with http.get(served.base_url + HEALTH_PATH) as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "in_flight": 0}


async def test_health_is_503_while_starting_stopping_or_without_the_database(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    health = Health(db, TrackingEventIsolation())
    request = make_mocked_request("GET", HEALTH_PATH)

    async def status() -> tuple[int, bytes]:
        response = await health.handle(request)
        assert response.body is not None
        return response.status, bytes(response.body)  # type: ignore[arg-type]

    assert await status() == (503, b'{"status": "starting"}')
    health.phase = Phase.READY
    assert await status() == (503, b'{"status": "database unreachable"}')
    await db.connect()
    try:
        assert await status() == (200, b'{"status": "ok", "in_flight": 0}')
        await health.stopping()
        assert await status() == (503, b'{"status": "stopping"}')
    finally:
        await db.close()


async def test_polling_deletes_a_webhook_left_behind_and_keeps_its_updates(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    with socket.socket() as gone:  # bound, never listening: every post is refused
        gone.bind(("127.0.0.1", 0))
        async with fake.make_bot() as bot:
            await bot.set_webhook(f"http://127.0.0.1:{gone.getsockname()[1]}/", secret_token=SECRET)
        waiting = fake.say(ANNA, "/start")
        await fake.wait_for_delivery(waiting["update_id"], timeout=STARTUP_TIMEOUT)
        await poll_once(fake, tmp_path, clock, waiting)
    assert fake.webhook_url is None
    assert not any(d.ok for d in fake.webhook_deliveries)
    assert fake.calls("getUpdates")[0].ok
    assert fake.calls("setWebhook")[0].at < fake.calls("deleteWebhook")[0].at
    assert fake.last_message(ANNA.id).content.startswith("Hello, Anna!")


async def poll_once(fake: FakeBotAPI, folder: Path, clock: FakeClock, update: JSON) -> None:
    """Run the bot with long polling until it has confirmed `update` and answered."""
    app = build_application(fake_settings(fake, folder), clock)
    polling = asyncio.create_task(app.run_polling(handle_signals=False))
    try:
        await fake.wait_confirmed(update["update_id"], timeout=STARTUP_TIMEOUT)
        await fake.wait_for_message(ANNA.id, timeout=STARTUP_TIMEOUT, since=0)
    finally:
        await app.dispatcher.stop_polling()
        await asyncio.wait_for(polling, STARTUP_TIMEOUT)
