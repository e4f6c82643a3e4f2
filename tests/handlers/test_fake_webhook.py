"""The fake Bot API's webhook: setWebhook's checks, getUpdates refused meanwhile, and
posts one update at a time per chat, in order, again until a 2xx answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

from tests.fakes.bot_api import FakeBotAPI, FakeUser

ANNA = FakeUser(id=701, first_name="Anna")
BORIS = FakeUser(id=702, first_name="Boris")
SECRET = "s3cret_token-A"


@dataclass
class Receiver:
    """A webhook endpoint: records each post; `fail` answers 500 to these update ids
    once each; a post of an update in `held` waits until `release` is set."""

    url: str = ""
    posts: list[tuple[int, str | None]] = field(default_factory=list)
    fail: set[int] = field(default_factory=set)
    held: set[int] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        update_id = int(update["update_id"])
        self.posts.append((update_id, request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        if update_id in self.held:
            await self.release.wait()
        if update_id in self.fail:
            self.fail.discard(update_id)
            return web.Response(status=500)
        return web.json_response({})

    def ids(self) -> list[int]:
        return [update_id for update_id, _ in self.posts]


@asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield receiver
    finally:
        receiver.release.set()
        await runner.cleanup()


@pytest.mark.parametrize(
    ("url", "secret", "description"),
    [
        ("http://example.org/hook", None, "bad webhook: An HTTPS URL must be provided"),
        ("https://example.org:8080/hook", None, "only on ports 80, 88, 443 or 8443"),
        ("https://example.org/hook", "a+b", "secret token contains unallowed characters"),
        ("https://example.org/hook", "a" * 257, "secret token is too long"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    fake: FakeBotAPI, url: str, secret: str | None, description: str
) -> None:
    async with fake.make_bot() as bot:
        with pytest.raises(TelegramBadRequest, match=description):
            await bot.set_webhook(url, secret_token=secret)
        assert (await bot.get_webhook_info()).url == ""


async def test_get_updates_is_refused_while_a_webhook_is_set(fake: FakeBotAPI) -> None:
    async with fake.make_bot() as bot:
        await bot.set_webhook(
            "https://bot.example.org:8443/hook",
            secret_token=SECRET,
            allowed_updates=["message"],
            max_connections=500,
        )
        info = await bot.get_webhook_info()
        assert (info.url, info.max_connections, info.allowed_updates) == (
            "https://bot.example.org:8443/hook",
            100,  # clamped, as Telegram does
            ["message"],
        )
        with pytest.raises(TelegramConflictError, match="while webhook is active"):
            await bot.get_updates(timeout=0)
        await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []


async def test_updates_are_posted_in_order_per_chat_and_again_until_a_2xx(
    fake: FakeBotAPI,
) -> None:
    async with receiving() as receiver, fake.make_bot() as bot:
        first = fake.say(ANNA, "one")["update_id"]
        second = fake.say(ANNA, "two")["update_id"]
        other = fake.say(BORIS, "hello")["update_id"]
        receiver.fail.add(first)
        receiver.held.add(first)
        await bot.set_webhook(receiver.url, secret_token=SECRET)

        # Anna's first update is held: Boris's arrives meanwhile, Anna's second does not.
        await fake.wait_confirmed(other, timeout=5)
        assert second not in receiver.ids()
        receiver.release.set()
        await fake.wait_confirmed(second, timeout=5)

        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )

    anna = [update_id for update_id in receiver.ids() if update_id != other]
    assert anna == [first, first, second]
    assert {secret for _, secret in receiver.posts} == {SECRET}
    assert [(d.update_id, d.status) for d in fake.webhook_deliveries if d.update_id != other] == [
        (first, 500),
        (first, 200),
        (second, 200),
    ]
