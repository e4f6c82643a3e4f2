"""/collect: a coordinator collects subscriber counts from the platforms now, watching
the progress in one message and reading the summary at the end."""

from __future__ import annotations

import time

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers.export import edit_status
from bot.services.collect import CollectProgress, CollectService
from bot.texts.observations import progress_text, summary_text


class CollectStatus:
    """The progress message of one run: sent at the start, then edited at most every
    `interval` seconds (the request middleware paces edits on top); `finish` shows the
    last progress the interval held back, so the message ends where the run did."""

    def __init__(self, message: Message, interval: float, locale: str, i18n: I18n) -> None:
        self._message = message
        self._interval = interval
        self._locale = locale
        self._i18n = i18n
        self._status: Message | None = None
        self._shown_at = 0.0
        self._shown = ""
        self._latest = ""

    async def __call__(self, progress: CollectProgress) -> None:
        self._latest = progress_text(progress, self._locale, self._i18n)
        now = time.monotonic()
        if self._status is None:
            self._status = await self._message.answer(self._latest)
        elif now - self._shown_at >= self._interval:
            await edit_status(self._status, self._latest)
        else:
            return
        self._shown_at = now
        self._shown = self._latest

    async def finish(self) -> None:
        """Show the run's last progress if the interval held it back (one edit)."""
        if self._status is not None and self._latest != self._shown:
            await edit_status(self._status, self._latest)
            self._shown = self._latest


async def collect_now(
    message: Message, actor: Actor, collect: CollectService, settings: Settings, i18n: I18n
) -> None:
    """/collect: a run over the coordinator's territory (the region when not scoped);
    the service refuses anyone else (NotAllowed) and a second run (CollectBusy)."""
    locale = i18n.current_locale
    status = CollectStatus(message, settings.broadcast_progress_seconds, locale, i18n)
    summary = await collect.collect(actor, status)
    await status.finish()
    await message.answer(summary_text(summary, locale, i18n))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(collect_now, Command("collect"))
    return router
