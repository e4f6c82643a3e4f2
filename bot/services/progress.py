"""The progress of running broadcasts, edited into their authors' progress messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from bot.services.broadcasts import BroadcastService, Progress
from bot.services.flood import background
from bot.services.users import UserService
from bot.storage.records import User

#: A broadcast's progress as its author (None if unknown) reads it, and the buttons under it.
ProgressRender = Callable[[Progress, User | None], tuple[str, InlineKeyboardMarkup | None]]

log = logging.getLogger(__name__)


class ProgressReporter:
    """Edits each running broadcast's progress message every `interval` seconds, then the
    final report; in the background lane of the rate budget, so answers go first."""

    def __init__(
        self,
        bot: Bot,
        broadcasts: BroadcastService,
        users: UserService,
        render: ProgressRender,
        *,
        interval: float,
    ) -> None:
        self._bot = bot
        self._broadcasts = broadcasts
        self._users = users
        self._render = render
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start reporting in a background task."""
        with background():  # progress edits give way to answers
            self._task = asyncio.create_task(self._run(), name="broadcast-progress")

    async def stop(self) -> None:
        """Stop reporting; the task is cancelled and awaited."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.report_once()
            except Exception:
                log.exception("Broadcast progress update failed")

    async def report_once(self) -> None:
        """Edit every running broadcast's progress message once."""
        for broadcast in await self._broadcasts.sending():
            # Not before its progress message exists: computing the progress of a
            # finished broadcast marks it done, and its final report would never be shown.
            if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
                continue
            progress = await self._broadcasts.progress(broadcast.id)
            author = await self._users.get(broadcast.author_id)
            text, markup = self._render(progress, author)
            with contextlib.suppress(TelegramAPIError):
                await self._bot.edit_message_text(
                    text,
                    chat_id=broadcast.progress_chat_id,
                    message_id=broadcast.progress_message_id,
                    reply_markup=markup,
                )
