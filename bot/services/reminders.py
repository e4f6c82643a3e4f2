"""Reminders to report: pages with no figure for N days, at most once per N days."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.types import InlineKeyboardMarkup

from bot.services.clock import Clock
from bot.services.delivery import Priority, enqueue_text
from bot.storage.database import Database
from bot.storage.records import Page, User
from bot.storage.silence import silence_cutoff

# Renders a reminder for one administrator and page: text and a one-tap report button.
ReminderText = Callable[[User, Page], tuple[str, InlineKeyboardMarkup]]


class ReminderService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        days: int,
        render: ReminderText,
        wake: Callable[[], None],
    ) -> None:
        self._db = db
        self._clock = clock
        self._days = days
        self._render = render
        self._wake = wake

    async def run_due(self) -> int:
        """Queue the reminders that are due; returns how many. Running it again at once
        queues nothing: each page is reminded at most once per period."""
        now = self._clock.now()
        since = silence_cutoff(now, self._days)
        queued = 0
        async with self._db.write() as repos:
            for page, admins in await repos.reminders.due(since=since):
                for admin in admins:
                    text, markup = self._render(admin, page)
                    await enqueue_text(
                        repos, admin.id, text, priority=Priority.ALERT, now=now, reply_markup=markup
                    )
                    queued += 1
                await repos.reminders.mark_sent(page.id, now=now)
        if queued:
            self._wake()
        return queued
