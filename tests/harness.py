"""Drives the real Dispatcher against the fake Bot API server, the way Telegram would."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aiogram.types import Update

from bot.app import Application, build_application
from bot.config import Settings, load_settings
from bot.storage.database import Database
from bot.storage.outbox import OutboxStatus
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage, close_session
from tests.postgres import database_for


async def _database(folder: Path) -> dict[str, Any]:
    """The database setting of a bot keeping its files in `folder` (see `database_for`)
    beyond `fake_settings`' SQLite file there: a PostgreSQL URL under TEST_DATABASE."""
    found = await database_for(folder)
    return {"database_path": found} if isinstance(found, Path) else {"database_url": found}


def fake_settings(fake: FakeBotAPI, folder: Path, **settings: Any) -> Settings:
    """Settings of a bot that talks to `fake` and keeps its database in `folder`, with the
    scheduler off (tests drive the jobs themselves); `settings` add or override any."""
    return load_settings(
        _env_file=None,
        bot_token=fake.token,
        telegram_api_url=fake.base_url,
        **{"database_path": folder / "bot.sqlite3", "scheduler_enabled": False, **settings},
    )


class BotHarness:
    """One bot, started as in production (startup callbacks included), fed updates
    directly so every test knows when the bot has finished handling one."""

    def __init__(self, fake: FakeBotAPI, app: Application, clock: FakeClock) -> None:
        self.fake = fake
        self.app = app
        self.clock = clock

    @classmethod
    async def start(
        cls,
        fake: FakeBotAPI,
        folder: Path,
        clock: FakeClock,
        *,
        telegram_limits: bool = True,
        **settings: Any,
    ) -> BotHarness:
        """`telegram_limits`: the fake answers 429 as Telegram does (see
        `FakeBotAPI.enforce_telegram_limits`); the bot must never provoke one."""
        if telegram_limits:
            fake.enforce_telegram_limits()
        settings = {**await _database(folder), **settings}
        app = build_application(fake_settings(fake, folder, **settings), clock)
        harness = cls(fake, app, clock)
        dispatcher = harness.app.dispatcher
        # As polling and the webhook server call them: the dispatcher is given too.
        await dispatcher.emit_startup(
            bot=harness.app.bot, dispatcher=dispatcher, **dispatcher.workflow_data
        )
        return harness

    async def stop(self) -> None:
        dispatcher = self.app.dispatcher
        await dispatcher.emit_shutdown(
            bot=self.app.bot, dispatcher=dispatcher, **dispatcher.workflow_data
        )
        await close_session(self.app.bot.session)

    @property
    def db(self) -> Database:
        return self.app.db

    async def feed(self, update: Mapping[str, Any]) -> None:
        parsed = Update.model_validate(dict(update), context={"bot": self.app.bot})
        await self.app.dispatcher.feed_update(self.app.bot, parsed)

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        """The user writes `text`; returns what the bot sent them in reply."""
        before = len(self.fake.sent)
        await self.feed(self.fake.message_update(user, text))
        return [m for m in self.fake.sent[before:] if m.chat_id == user.id]

    async def reply_text(self, user: FakeUser, text: str) -> str:
        """The user writes `text`; the text of the one message the bot sends them in reply."""
        [reply] = await self.send(user, text)
        return reply.text or ""

    async def click(
        self, user: FakeUser, button: str, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """The user presses the button labelled `button` (on the newest message having it)."""
        if message is None:
            message = self.with_button(user, button)
        data = message.find_button(button)
        assert data is not None, f"no button {button!r}: {message.button_texts()}"
        before = len(self.fake.sent)
        update = self.fake.callback_update(user, message, str(data["callback_data"]))
        await self.feed(update)
        return [m for m in self.fake.sent[before:] if m.chat_id == user.id]

    async def press(self, user: FakeUser, message: SentMessage, data: str) -> Any:
        """Press a button with arbitrary (possibly forged) callback data; returns the update."""
        update = self.fake.callback_update(user, message, data)
        await self.feed(update)
        return update

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a deadline
        """Wait until the delivery queue has sent (or given up on) everything queued."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.app.db.read() as repos:
                counts = await repos.outbox.status_counts()
            if counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING] == 0:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"the delivery queue still holds messages: {counts}")
            # Every send is a request to the fake: wake on the next one, or re-check soon.
            with contextlib.suppress(TimeoutError):
                await self.fake.wait_for(None, timeout=min(remaining, 0.2))

    def with_button(self, user: FakeUser, button: str) -> SentMessage:
        for message in reversed(self.fake.messages(user.id)):
            if message.find_button(button) is not None:
                return message
        texts = [m.button_texts() for m in self.fake.messages(user.id)[-5:]]
        raise AssertionError(f"no message with button {button!r}; recent buttons: {texts}")

    def last_text(self, user: FakeUser) -> str:
        return self.fake.last_message(user.id).text or ""
