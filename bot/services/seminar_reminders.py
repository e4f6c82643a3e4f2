"""Seminar reminders: a message to everyone registered some time before the start.

The leads (minutes before the start, SEMINAR_REMINDER_LEADS: 24 hours and 1 hour by
default) are fixed; what is due is computed from the seminars and registrations in SQLite
at each minute tick (bot.jobs), and each reminder queued is recorded in the same
transaction as its outbox row, so it goes out once whatever runs the tick, and however
often.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable
from itertools import groupby

from aiogram.types import InlineKeyboardMarkup

from bot.services.clock import Clock
from bot.services.delivery import Priority, enqueue_text
from bot.storage.database import Database
from bot.storage.records import User
from bot.storage.repositories import Repositories
from bot.storage.seminar_reminders import DueReminder
from bot.storage.seminars import Seminar

# Renders the reminder of a seminar for one registered person, queued at the moment given
# (Unix seconds): HTML text and its buttons, in the person's language.
SeminarReminderText = Callable[[User, Seminar, int], tuple[str, InlineKeyboardMarkup]]


#: A message about a seminar to one person: HTML text and its buttons.
PersonalMessage = Callable[[User, Seminar], tuple[str, InlineKeyboardMarkup]]


def _person(reminder: DueReminder) -> tuple[int, int]:
    return reminder.seminar_id, reminder.user_id


async def queue_to_people(
    repos: Repositories,
    due: Iterable[tuple[int, int]],
    claim: Callable[[int, int], Awaitable[bool]],
    render: PersonalMessage,
    *,
    now: int,
) -> int:
    """Inside the caller's unit of work, for each (seminar, person) pair of `due`: record
    it with `claim(seminar, person)` (False: another run did, so nothing is queued), then
    queue `render(person, seminar)` at reminders' priority. Returns how many were queued."""
    pairs = list(due)
    users = {user.id: user for user in await repos.users.many(u for _, u in pairs)}
    seminars: dict[int, Seminar | None] = {}
    queued = 0
    for seminar_id, user_id in pairs:
        if seminar_id not in seminars:
            seminars[seminar_id] = await repos.seminars.get(seminar_id)
        seminar, user = seminars[seminar_id], users.get(user_id)
        if seminar is None or user is None or not await claim(seminar_id, user_id):
            continue
        text, markup = render(user, seminar)
        await enqueue_text(
            repos, user_id, text, priority=Priority.ALERT, now=now, reply_markup=markup
        )
        queued += 1
    return queued


class SeminarReminderService:
    """Reminders before a seminar's start, driven by data and a minute tick. Its
    dependencies: the database, the clock, `leads` (minutes before the start:
    SEMINAR_REMINDER_LEADS), `render` (the reminder to one person, in their language) and
    `wake`, which tells the delivery worker that reminders were queued."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        leads: Collection[int],
        render: SeminarReminderText,
        wake: Callable[[], None],
    ) -> None:
        self._db = db
        self._clock = clock
        self._leads = tuple(sorted(set(leads)))
        self._render = render
        self._wake = wake

    async def run_due(self) -> int:
        """Queue the reminders due now; returns how many were queued.

        Due: `lead` minutes before the start of a seminar not cancelled and not started,
        to each person registered by then (who registered later does not get that one).
        When several fell due for one person while the bot was down, only the nearest to
        the start goes out; the others are recorded as done. Each reminder is recorded
        (seminar_reminders) in the transaction that queues it: running again at once, or
        in a second process, queues nothing.
        """
        now = self._clock.now()
        async with self._db.write() as repos:
            nearest: dict[tuple[int, int], DueReminder] = {}
            due = await repos.seminar_reminders.due(now=now, leads=self._leads)
            for person, group in groupby(due, key=_person):
                nearest[person], *missed = group  # smallest lead first
                for reminder in missed:
                    await repos.seminar_reminders.mark(reminder, now=now)

            async def claim(seminar_id: int, user_id: int) -> bool:
                return await repos.seminar_reminders.mark(nearest[seminar_id, user_id], now=now)

            def render(user: User, seminar: Seminar) -> tuple[str, InlineKeyboardMarkup]:
                return self._render(user, seminar, now)

            queued = await queue_to_people(repos, nearest, claim, render, now=now)
        if queued:
            self._wake()
        return queued
